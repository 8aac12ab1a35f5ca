"""Shareable preview links: created and revoked by those who may share an issue, each audited.

A link is a random token (256 bits) in the URL; its row keeps only the token's SHA-256, who made
it, when it expires and whether it was revoked (docs/decisions/0015-preview-links.md). The
token is handed back once, by ``preview_link_create``: nobody can read it back afterwards.
"""

import datetime
import secrets
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from editorial.models import Issue, PreviewLink
from editorial.models.previews import preview_token_digest

from .audit import audit_record
from .permissions import Actor
from .policies import preview_link_check

PREVIEW_LINK_DEFAULT_DAYS = 7
PREVIEW_LINK_MAX_DAYS = 30
_TIME = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class CreatedPreviewLink:
    link: PreviewLink
    token: str  # what the URL carries; not stored, so shown only now


@transaction.atomic
def preview_link_create(
    *, actor: Actor, issue_id: int, days: int = PREVIEW_LINK_DEFAULT_DAYS
) -> CreatedPreviewLink:
    """A new link to read the issue's previews for ``days`` days (1 to PREVIEW_LINK_MAX_DAYS)."""
    preview_link_check(actor).require()
    if not 1 <= days <= PREVIEW_LINK_MAX_DAYS:
        raise ValidationError(
            f"预览链接的有效期须为 1 至 {PREVIEW_LINK_MAX_DAYS} 天（收到 {days} 天）。",
            code="expiry",
        )
    issue = Issue.objects.select_related("publication").get(pk=issue_id)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PreviewLink.objects.create(
        issue=issue,
        token_hash=preview_token_digest(token),
        created_by=cast(User, actor),  # a logged-in person: preview_link_check said so
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="preview_link_create",
        obj=issue,
        note=f"预览链接 #{link.pk}，有效期 {days} 天，至 {_local(link.expires_at)}。",
    )
    return CreatedPreviewLink(link=link, token=token)


@transaction.atomic
def preview_link_revoke(*, actor: Actor, link_id: int) -> PreviewLink:
    """Revoke a link now: it answers 404 from then on. Revoking it again changes nothing."""
    preview_link_check(actor).require()
    link = (
        PreviewLink.objects.select_for_update(of=("self",))
        .select_related("issue__publication")
        .get(pk=link_id)
    )
    if link.revoked_at is not None:
        return link
    link.revoked_at, link.revoked_by = timezone.now(), cast(User, actor)
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="preview_link_revoke",
        obj=link.issue,
        note=f"预览链接 #{link.pk}（原定至 {_local(link.expires_at)}）。",
    )
    return link


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime(_TIME)
