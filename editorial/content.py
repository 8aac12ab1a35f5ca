"""The fingerprint of an issue's content and layout: what an approval approves."""

import hashlib
import json

from django.db.models.fields.files import FieldFile

from editorial.bundles.writer import issue_manifest
from editorial.models import Issue


def issue_content_hash(issue: Issue) -> str:
    """SHA-256 over everything the issue prints, as loaded by ``selectors.issue_for_export``.

    Stored image names stand for the images: storage never overwrites a name, so a replaced
    image always has a new one.
    """

    def image(file: FieldFile, name: str) -> str | None:
        return file.name or None

    def rich_text(html: str, path: str) -> str | None:
        return html or None

    manifest = issue_manifest(issue, image=image, rich_text=rich_text)
    canonical = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
