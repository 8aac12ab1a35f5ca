"""Model fields with an invariant of their own."""

import hashlib
from typing import Any

from django.db import models

from .richtext import sanitize_html


class RichTextField(models.TextField):
    """HTML that is sanitized to the allow-list whenever it is saved, whatever path wrote it."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value:
            value = sanitize_html(value)
            setattr(model_instance, self.attname, value)
        return value

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        return super().clean(sanitize_html(value) if value else value, model_instance)


class ChecksummedImageField(models.ImageField):
    """An image whose SHA-256 is kept in the sibling column ``checksum_field``.

    The checksum is what the Edition and its fingerprint name the image by, so it is set
    whenever a new file is saved and whenever it is missing, whatever path wrote the row. The
    sibling column must be declared after this field: Django computes column values in field
    order, so it then sees the checksum set here.
    """

    def __init__(self, *args: Any, checksum_field: str, **kwargs: Any) -> None:
        self.checksum_field = checksum_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["checksum_field"] = self.checksum_field
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        before = getattr(model_instance, self.attname)
        fresh = bool(before) and not getattr(before, "_committed", True)
        file = super().pre_save(model_instance, add)
        if not file:
            setattr(model_instance, self.checksum_field, "")
        elif fresh or not getattr(model_instance, self.checksum_field):
            setattr(model_instance, self.checksum_field, file_checksum(file))
        return file


def file_checksum(file: Any) -> str:
    """SHA-256 of a stored file's bytes; "" when storage does not have it."""
    digest = hashlib.sha256()
    try:
        with file.storage.open(file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()
