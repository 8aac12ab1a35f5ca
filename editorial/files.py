"""Stored files are private: where they are kept, and how a checked view hands one out.

No public URL reaches storage (docs/decisions/0010-files-by-audience.md). Uploads and renditions
are stored under a random folder, so a name cannot be guessed from an issue's number even if a
proxy were set up to serve the volume; every file leaves through a view that has decided who may
have it: the public archive for the images a published issue's Edition names and its final PDF,
``editorial.admin.files.stored_file`` and the admin's PDF views for editors.
"""

import mimetypes
import secrets
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.http import FileResponse, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.encoding import iri_to_uri

PRIVATE_CACHE_CONTROL = "private, no-store"


@deconstructible
class UnguessableName:
    """``upload_to``: ``<prefix>/[<year>/]<random>/<file name>``; the file keeps its own name
    (downloads are named by it), the random folder makes the path unguessable."""

    def __init__(self, prefix: str, *, dated: bool = False) -> None:
        self.prefix = prefix
        self.dated = dated

    def __call__(self, instance: models.Model, filename: str) -> str:
        parts = [self.prefix]
        if self.dated:
            parts.append(f"{timezone.now():%Y}")
        parts += [secrets.token_urlsafe(16), PurePosixPath(filename).name]
        return "/".join(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnguessableName) and (self.prefix, self.dated) == (
            other.prefix,
            other.dated,
        )

    def __hash__(self) -> int:
        return hash((self.prefix, self.dated))


def stored_file_url(name: str) -> str:
    """Where an editor's browser asks for a stored file: the permission-checked view."""
    return reverse("stored-file", args=[name])


def file_response(
    storage: Storage,
    name: str,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    attachment: bool = False,
) -> HttpResponseBase:
    """A private stored file, after the caller has checked who asks: streamed from storage, or
    handed to the proxy (``DIGEST_FILES_X_ACCEL_PREFIX``), or a redirect to a short-lived signed
    URL (``DIGEST_FILES_S3_REDIRECT``). Never cached; never sniffed. OSError when it is gone."""
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    filename = filename or PurePosixPath(name).name
    response: HttpResponseBase
    accel: str = settings.DIGEST_FILES_X_ACCEL_PREFIX
    if accel and hasattr(storage, "path"):
        if not storage.exists(name):
            raise FileNotFoundError(name)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = iri_to_uri(accel.rstrip("/") + "/" + name)
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{iri_to_uri(filename)}"'
    elif settings.DIGEST_FILES_S3_REDIRECT and not hasattr(storage, "path"):
        response = HttpResponseRedirect(_signed_url(storage, name))
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            content_type=content_type,
            filename=filename,
            as_attachment=attachment,
        )
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _signed_url(storage: Any, name: str) -> str:
    url: str = storage.url(name, expire=settings.DIGEST_FILES_SIGNED_URL_SECONDS)
    return url
