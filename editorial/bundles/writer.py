"""Writing an Edition as a bundle; export -> import -> export gives the same bytes.

The writer is handed what it writes — the Edition and a way to read its images — and reads
nothing else (services.bundles.issue_export chooses the Edition).
"""

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from editorial.editions import ARTICLE_PLAIN_FIELDS, Edition, EditionImage

from .format import (
    FORMAT,
    ORGANISATION_ROLES,
    ORGANISATION_TEXT_FIELDS,
    PERSON_ROLES,
    PUBLICATION_TEXT_FIELDS,
)

# A fixed timestamp for zip members, so that the same issue always gives the same archive.
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)

ReadImage = Callable[[EditionImage], bytes]


def write_bundle(edition: Edition, target: Path, *, read_image: ReadImage) -> None:
    """Write ``edition`` to a new folder, or to a .zip when ``target`` ends with .zip."""
    files = bundle_files(edition, read_image=read_image)
    if target.suffix == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(files.items()):
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"目标文件夹不为空：{target}")
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def bundle_files(edition: Edition, *, read_image: ReadImage) -> dict[str, bytes]:
    """Every file of the bundle, by its path inside the bundle."""
    files: dict[str, bytes] = {}

    def image(value: EditionImage | None, name: str) -> str | None:
        if value is None:
            return None
        path = f"images/{name}{value.suffix}"
        files[path] = read_image(value)
        return path

    def rich_text(html: str, path: str) -> str | None:
        if not html:
            return None
        files[path] = (html + "\n").encode("utf-8")
        return path

    manifest = issue_manifest(edition, image=image, rich_text=rich_text)
    files["issue.yaml"] = yaml.safe_dump(
        manifest, allow_unicode=True, sort_keys=False, width=1000
    ).encode("utf-8")
    return files


ImageRef = Callable[[EditionImage | None, str], str | None]
RichTextRef = Callable[[str, str], str | None]


def issue_manifest(edition: Edition, *, image: ImageRef, rich_text: RichTextRef) -> dict[str, Any]:
    """The whole Edition as the bundle's manifest; ``image(value, name)`` and
    ``rich_text(html, path)`` store the files it refers to and return their paths."""
    publication = edition.publication
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "publication": {
            "slug": publication.slug,
            "name": publication.name,
            **{f: getattr(publication, f) for f in PUBLICATION_TEXT_FIELDS},
            "frequency": publication.frequency,
            "wechat_qr": image(publication.wechat_qr, "wechat-qr"),
        },
        "issue": {
            "date": edition.date.isoformat(),
            "number": edition.number,
            "total_number": edition.total_number,
            "cover_headline": edition.cover_headline,
            "cover_image": image(edition.cover_image, "cover"),
        },
        "notice": edition.notice or None,
        "organisations": [
            {
                "name": org.name,
                **{f: getattr(org, f) for f in ORGANISATION_TEXT_FIELDS},
                "logo": image(org.logo, f"logo-{i:02d}"),
                "profile": rich_text(org.profile, f"profiles/{i:02d}.html"),
            }
            for i, org in enumerate(edition.organisations, start=1)
        ],
        "masthead": _masthead(edition),
        "sections": [{"slug": s.slug, "name": s.name} for s in edition.sections],
        "articles": [],
    }
    for i, article in enumerate(edition.articles, start=1):
        manifest["articles"].append(
            {
                "title": article.title,
                "section": article.section.slug,
                "body": rich_text(article.body, f"articles/{i:02d}.html"),
                **{
                    name: getattr(article, name) or None
                    for name in ARTICLE_PLAIN_FIELDS
                    if name != "title"
                },
                "notes": rich_text(article.notes, f"articles/{i:02d}-notes.html"),
                "responsible_editor": article.responsible_editor or None,
                "figures": [
                    {
                        "number": figure.number,
                        "caption": figure.caption,
                        "image": image(figure.image, f"{i:02d}-fig{figure.number}"),
                    }
                    for figure in article.figures
                ],
            }
        )
    return manifest


def _masthead(edition: Edition) -> dict[str, list[str]]:
    masthead: dict[str, list[str]] = {key: [] for key in [*ORGANISATION_ROLES, *PERSON_ROLES]}
    org_keys: dict[str, str] = {role: key for key, role in ORGANISATION_ROLES.items()}
    person_keys: dict[str, str] = {role: key for key, role in PERSON_ROLES.items()}
    for org_row in edition.masthead_organisations:
        masthead[org_keys[org_row.role]].append(org_row.organisation.name)
    for person_row in edition.masthead_people:
        masthead[person_keys[person_row.role]].append(person_row.name)
    return masthead
