"""Approval is bound to the Edition (docs/decisions/0009-approval-bound-to-the-edition.md).

Fills the image checksums the Edition names images by; re-keys approvals and renditions from the
old content hash (a hash of the export manifest) to the Edition's fingerprint, where they were of
the content as it is; and keeps the Edition of every signed-off issue, as it is now.

The old hash is computed here, from the historical models, exactly as the export manifest was
written when it was the fingerprint (FORMAT digest-issue-bundle/1): it exists nowhere else.
"""

import hashlib
import json
from typing import Any

from django.db import migrations
from django.db.models import Prefetch
from django.utils import timezone

SIGNED_OFF = ("approved", "scheduled", "published", "superseded")
IMAGES = [
    ("Figure", "image", "image_checksum"),
    ("Issue", "cover_image", "cover_image_checksum"),
    ("Organisation", "logo", "logo_checksum"),
    ("Publication", "wechat_qr", "wechat_qr_checksum"),
]
ORGANISATION_KEYS = {
    "guiding_unit": "guiding_units",
    "chief_editor": "chief_editors",
    "co_editor": "co_editors",
    "academic_support": "academic_support",
}
PERSON_KEYS = {
    "board_member": "board_members",
    "editor_in_chief": "editors_in_chief",
    "deputy_editor": "deputy_editors",
    "executive_editor": "executive_editors",
    "responsible_editor": "responsible_editors",
    "art_editor": "art_editors",
}
PUBLICATION_TEXT = (
    "tagline",
    "slogan",
    "phone",
    "fax",
    "email",
    "address",
    "wechat_account_name",
    "wechat_caption",
)


def legacy_content_hash(issue: Any) -> str:
    """The content hash approvals and renditions were keyed by before the Edition."""
    publication = issue.publication
    org_rows = list(issue.masthead_organisations.all())
    member_rows = list(issue.masthead_members.all())
    order = list(ORGANISATION_KEYS)
    organisations: dict[int, Any] = {}
    for row in sorted(org_rows, key=lambda r: order.index(r.role)):
        organisations.setdefault(row.organisation_id, row.organisation)
    masthead: dict[str, list[str]] = {k: [] for k in [*ORGANISATION_KEYS.values(), *PERSON_KEYS.values()]}
    for row in org_rows:
        masthead[ORGANISATION_KEYS[row.role]].append(row.organisation.name)
    for row in member_rows:
        masthead[PERSON_KEYS[row.role]].append(row.person.name)
    sections: list[dict[str, str]] = []
    articles = []
    for article in issue.articles.all():
        section = {"slug": article.section.slug, "name": article.section.name}
        if section not in sections:
            sections.append(section)
        editor = article.responsible_editor
        articles.append(
            {
                "title": article.title,
                "section": article.section.slug,
                "body": article.body or None,
                "source": article.source,
                "original_url": article.original_url or None,
                "qr_caption": article.qr_caption or None,
                "notes": article.notes or None,
                "responsible_editor": editor.name if editor else None,
                "figures": [
                    {"number": f.number, "caption": f.caption, "image": f.image.name or None}
                    for f in article.figures.all()
                ],
            }
        )
    manifest = {
        "format": "digest-issue-bundle/1",
        "publication": {
            "slug": publication.slug,
            "name": publication.name,
            **{f: getattr(publication, f) for f in PUBLICATION_TEXT},
            "frequency": publication.frequency,
            "wechat_qr": publication.wechat_qr.name or None,
        },
        "issue": {
            "date": issue.date.isoformat(),
            "number": issue.number,
            "total_number": issue.total_number,
            "cover_headline": issue.cover_headline,
            "cover_image": issue.cover_image.name or None,
        },
        "notice": issue.notice.text if issue.notice else None,
        "organisations": [
            {
                "name": org.name,
                "name_en": org.name_en,
                "acronym": org.acronym,
                "logo": org.logo.name or None,
                "profile": org.profile or None,
            }
            for org in organisations.values()
        ],
        "masthead": masthead,
        "sections": sections,
        "articles": articles,
    }
    canonical = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def forwards(apps: Any, schema_editor: Any) -> None:
    from editorial.editions import edition_build, edition_to_data
    from editorial.fields import file_checksum

    for model_name, field, checksum_field in IMAGES:
        model = apps.get_model("editorial", model_name)
        for row in model.objects.exclude(**{field: ""}).filter(**{checksum_field: ""}):
            setattr(row, checksum_field, file_checksum(getattr(row, field)))
            row.save(update_fields=[checksum_field])

    Issue = apps.get_model("editorial", "Issue")
    Approval = apps.get_model("editorial", "Approval")
    Rendition = apps.get_model("editorial", "Rendition")
    ApprovedEdition = apps.get_model("editorial", "ApprovedEdition")
    Article = apps.get_model("editorial", "Article")
    Figure = apps.get_model("editorial", "Figure")
    MastheadOrganisation = apps.get_model("editorial", "MastheadOrganisation")
    MastheadMember = apps.get_model("editorial", "MastheadMember")
    issues = Issue.objects.select_related("publication", "notice").prefetch_related(
        Prefetch(
            "masthead_organisations",
            queryset=MastheadOrganisation.objects.select_related("organisation").order_by(
                "role", "position", "id"
            ),
        ),
        Prefetch(
            "masthead_members",
            queryset=MastheadMember.objects.select_related("person").order_by(
                "role", "position", "id"
            ),
        ),
        Prefetch(
            "articles",
            queryset=Article.objects.select_related("section", "responsible_editor")
            .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("number")))
            .order_by("position", "id"),
        ),
    )
    for issue in issues.iterator(chunk_size=50):
        old = legacy_content_hash(issue)
        edition = edition_build(issue)
        Approval.objects.filter(issue=issue, content_hash=old).update(content_hash=edition.fingerprint)
        Rendition.objects.filter(issue=issue, content_hash=old).update(
            content_hash=edition.fingerprint
        )
        if issue.status in SIGNED_OFF:
            last = Approval.objects.filter(issue=issue).order_by("-created_at").first()
            ApprovedEdition.objects.get_or_create(
                issue=issue,
                fingerprint=edition.fingerprint,
                defaults={
                    "data": edition_to_data(edition),
                    "approved_at": last.created_at if last else timezone.now(),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("editorial", "0007_editions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
