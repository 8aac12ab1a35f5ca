"""Writing an issue as a bundle; export -> import -> export gives the same bytes."""

import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from django.db.models.fields.files import FieldFile

from editorial.models import Issue
from editorial.selectors import issue_for_export

from .format import (
    FORMAT,
    ORGANISATION_ROLES,
    ORGANISATION_TEXT_FIELDS,
    PERSON_ROLES,
    PUBLICATION_TEXT_FIELDS,
)

# A fixed timestamp for zip members, so that the same issue always gives the same archive.
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def write_bundle(issue: Issue, target: Path) -> None:
    """Write ``issue`` to a new folder, or to a .zip when ``target`` ends with .zip."""
    files = bundle_files(issue_for_export(issue.pk))
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


def bundle_files(issue: Issue) -> dict[str, bytes]:
    """Every file of the bundle, by its path inside the bundle."""
    files: dict[str, bytes] = {}

    def image(file: FieldFile, name: str) -> str | None:
        if not file:
            return None
        path = f"images/{name}{PurePosixPath(file.name or '').suffix.lower()}"
        with file.open("rb") as handle:
            files[path] = handle.read()
        return path

    def rich_text(html: str, path: str) -> str | None:
        if not html:
            return None
        files[path] = (html + "\n").encode("utf-8")
        return path

    manifest = issue_manifest(issue, image=image, rich_text=rich_text)
    files["issue.yaml"] = yaml.safe_dump(
        manifest, allow_unicode=True, sort_keys=False, width=1000
    ).encode("utf-8")
    return files


ImageRef = Callable[[FieldFile, str], str | None]
RichTextRef = Callable[[str, str], str | None]


def issue_manifest(issue: Issue, *, image: ImageRef, rich_text: RichTextRef) -> dict[str, Any]:
    """The whole issue as one canonical structure, in the bundle's terms.

    ``image(file, name)`` and ``rich_text(html, path)`` say how files are referred to: the bundle
    writer stores them beside the manifest; the content hash names them inline.
    """
    publication = issue.publication
    organisations = _masthead_organisations(issue)
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
            "date": issue.date.isoformat(),
            "number": issue.number,
            "total_number": issue.total_number,
            "cover_headline": issue.cover_headline,
            "cover_image": image(issue.cover_image, "cover"),
        },
        "notice": issue.notice.text if issue.notice else None,
        "organisations": [
            {
                "name": org.name,
                **{f: getattr(org, f) for f in ORGANISATION_TEXT_FIELDS},
                "logo": image(org.logo, f"logo-{i:02d}"),
                "profile": rich_text(org.profile, f"profiles/{i:02d}.html"),
            }
            for i, org in enumerate(organisations, start=1)
        ],
        "masthead": _masthead(issue),
        "sections": [],
        "articles": [],
    }
    for i, article in enumerate(issue.articles.all(), start=1):
        section = {"slug": article.section.slug, "name": article.section.name}
        if section not in manifest["sections"]:
            manifest["sections"].append(section)
        manifest["articles"].append(
            {
                "title": article.title,
                "section": article.section.slug,
                "body": rich_text(article.body, f"articles/{i:02d}.html"),
                "source": article.source,
                "original_url": article.original_url or None,
                "qr_caption": article.qr_caption or None,
                "notes": rich_text(article.notes, f"articles/{i:02d}-notes.html"),
                "responsible_editor": (
                    article.responsible_editor.name if article.responsible_editor else None
                ),
                "figures": [
                    {
                        "number": figure.number,
                        "caption": figure.caption,
                        "image": image(figure.image, f"{i:02d}-fig{figure.number}"),
                    }
                    for figure in article.figures.all()
                ],
            }
        )
    return manifest


def _masthead_organisations(issue: Issue) -> list[Any]:
    """The masthead's organisations once each, in printed order (guiding units first)."""
    printed_order: list[str] = list(ORGANISATION_ROLES.values())
    rows = sorted(issue.masthead_organisations.all(), key=lambda r: printed_order.index(r.role))
    seen: dict[int, Any] = {}
    for row in rows:
        seen.setdefault(row.organisation_id, row.organisation)
    return list(seen.values())


def _masthead(issue: Issue) -> dict[str, list[str]]:
    masthead: dict[str, list[str]] = {key: [] for key in [*ORGANISATION_ROLES, *PERSON_ROLES]}
    org_keys: dict[str, str] = {role: key for key, role in ORGANISATION_ROLES.items()}
    person_keys: dict[str, str] = {role: key for key, role in PERSON_ROLES.items()}
    for org_row in issue.masthead_organisations.all():
        masthead[org_keys[org_row.role]].append(org_row.organisation.name)
    for person_row in issue.masthead_members.all():
        masthead[person_keys[person_row.role]].append(person_row.person.name)
    return masthead
