"""Preview links: created and revoked by those who may share, within the expiry limits, each
with its audit row; only the token's hash is kept, and an expired or revoked link opens nothing."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from editorial.models import AuditEntry, Issue, PreviewLink
from editorial.roles import Role
from editorial.selectors import preview_link_active
from editorial.services.previews import (
    PREVIEW_LINK_MAX_DAYS,
    preview_link_create,
    preview_link_revoke,
)
from tests.admin.workflow_setup import actor
from tests.workflow.states import small_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue() -> Issue:
    return small_issue()


def test_a_link_keeps_only_the_hash_of_its_token_and_lasts_seven_days(issue: Issue) -> None:
    executive = actor(Role.EXECUTIVE_EDITOR)
    before = timezone.now()
    created = preview_link_create(actor=executive, issue_id=issue.pk)
    link = PreviewLink.objects.get()
    assert link.token_hash == hashlib.sha256(created.token.encode()).hexdigest()
    assert created.token not in str(PreviewLink.objects.values().get())
    assert len(created.token) >= 43  # 256 random bits
    assert (link.issue_id, link.created_by_id, link.revoked_at) == (issue.pk, executive.pk, None)
    lasts = link.expires_at - link.created_at
    assert abs(lasts - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)
    assert link.created_at >= before
    entry = AuditEntry.objects.get(action="preview_link_create")
    assert (entry.issue_id, entry.actor_id) == (issue.pk, executive.pk)
    assert entry.note.startswith(f"预览链接 #{link.pk}，有效期 7 天，至 ")
    assert preview_link_active(created.token) == link
    assert preview_link_create(actor=executive, issue_id=issue.pk).token != created.token


@pytest.mark.parametrize("days", [0, -1, PREVIEW_LINK_MAX_DAYS + 1])
def test_the_expiry_is_chosen_within_limits(issue: Issue, days: int) -> None:
    with pytest.raises(ValidationError, match=f"有效期须为 1 至 {PREVIEW_LINK_MAX_DAYS} 天"):
        preview_link_create(actor=actor(Role.EDITOR_IN_CHIEF), issue_id=issue.pk, days=days)
    assert not PreviewLink.objects.exists() and not AuditEntry.objects.exists()


def test_a_link_for_thirty_days(issue: Issue) -> None:
    created = preview_link_create(
        actor=actor(Role.BOARD_MEMBER), issue_id=issue.pk, days=PREVIEW_LINK_MAX_DAYS
    )
    assert created.link.expires_at - created.link.created_at > datetime.timedelta(days=29)


@pytest.mark.parametrize("who", [Role.RESPONSIBLE_EDITOR, Role.ART_EDITOR, "no_role", "anonymous"])
def test_only_editors_and_the_board_share_previews(issue: Issue, who: str) -> None:
    person = AnonymousUser() if who == "anonymous" else actor(who)
    with pytest.raises(PermissionDenied):
        preview_link_create(actor=person, issue_id=issue.pk)
    link = preview_link_create(actor=actor(Role.EXECUTIVE_EDITOR), issue_id=issue.pk).link
    with pytest.raises(PermissionDenied):
        preview_link_revoke(actor=person, link_id=link.pk)
    assert PreviewLink.objects.get().revoked_at is None
    assert AuditEntry.objects.filter(action="preview_link_revoke").count() == 0


def test_revoking_closes_the_link_at_once_and_is_audited_once(issue: Issue) -> None:
    executive, board = actor(Role.EXECUTIVE_EDITOR), actor(Role.BOARD_MEMBER)
    created = preview_link_create(actor=executive, issue_id=issue.pk)
    revoked = preview_link_revoke(actor=board, link_id=created.link.pk)
    assert revoked.revoked_by_id == board.pk and revoked.revoked_at is not None
    assert preview_link_active(created.token) is None
    again = preview_link_revoke(actor=executive, link_id=created.link.pk)
    assert (again.revoked_by_id, again.revoked_at) == (board.pk, revoked.revoked_at)
    entries = AuditEntry.objects.filter(action="preview_link_revoke")
    assert [(e.issue_id, e.actor_id) for e in entries] == [(issue.pk, board.pk)]
    assert entries[0].note.startswith(f"预览链接 #{created.link.pk}（原定至 ")


def test_an_expired_link_opens_nothing(issue: Issue) -> None:
    created = preview_link_create(actor=actor(Role.EXECUTIVE_EDITOR), issue_id=issue.pk, days=1)
    assert preview_link_active(created.token) is not None
    PreviewLink.objects.filter(pk=created.link.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1), expires_at=timezone.now()
    )
    assert preview_link_active(created.token) is None
    assert preview_link_active(created.token[:-1]) is None
