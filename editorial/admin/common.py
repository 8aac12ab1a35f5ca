"""Small helpers the admin modules share."""

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html
from django.utils.safestring import SafeString

# What a read-only preview shows without an image (a change form would otherwise print "None").
NO_IMAGE = "未上传"


def thumbnail(file: FieldFile | None, *, height: int = 48) -> SafeString | None:
    """A small inline preview, so that editors recognise an image without opening it."""
    if not file:
        return None
    return format_html(
        '<img src="{}" alt="" style="max-height:{}px;max-width:{}px;vertical-align:middle">',
        file.url,
        height,
        height * 3,
    )


def adopt(target: models.Model, source: models.Model) -> None:
    """Make the admin's unsaved ``target`` the row a service saved as ``source``.

    The admin goes on with the object its form built (for the log entry, the message and the
    redirect), so after a service has created the real row we copy that row's values over.
    """
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db
