"""Board sign-off: approvals on the exact content, and their invalidation by any change."""

from django.db import transaction
from django.utils import timezone

from editorial.editions import Edition, edition_to_data
from editorial.models import Approval, ApprovedEdition, Issue
from editorial.roles import Role
from editorial.selectors import issue_live_edition
from editorial.workflow import ISSUE_EDITABLE, ISSUE_TRANSITIONS, IssueStatus

from .audit import audit_record
from .issue_transitions import TransitionRefused, _invalidate_approvals, _take, issue_lock
from .permissions import Actor, actor_roles, require_transition


@transaction.atomic
def issue_approve(*, actor: Actor, issue_id: int, comment: str = "") -> Approval:
    """Record ``actor``'s approval of the issue as it is now.

    The issue becomes approved when the editor-in-chief approves, or when the publication's
    quorum of board members has approved the same content. The issue row is locked, so racing
    approvals are counted one after the other and the transition happens exactly once.
    """
    issue = issue_lock(issue_id)
    require_transition(actor, ISSUE_TRANSITIONS["approve"])
    if actor is None or not actor.is_authenticated:
        raise TransitionRefused("批准必须由具体的人作出。", code="anonymous")
    if issue.status != IssueStatus.IN_REVIEW:
        raise TransitionRefused(
            f"只能批准审核中的期（当前：{issue.get_status_display()}）。", code="wrong_state"
        )
    edition = issue_live_edition(issue.pk)
    content_hash = edition.fingerprint
    # Approvals of other content (a section, an organisation or a person the issue prints was
    # changed since) stop counting visibly, so that their authors may approve what is there now.
    outdated = issue.approvals.filter(invalidated_at__isnull=True).exclude(
        content_hash=content_hash
    )
    if outdated.update(invalidated_at=timezone.now(), invalidated_reason="内容已变更（共享信息）"):
        audit_record(
            actor=actor, action="approval_invalidated", obj=issue, note="内容已变更（共享信息）"
        )
    if issue.approvals.filter(approver=actor, invalidated_at__isnull=True).exists():
        raise TransitionRefused("您已批准过本期的当前内容。", code="duplicate")
    approval = Approval.objects.create(
        issue=issue,
        approver=actor,
        comment=comment.strip(),
        content_hash=content_hash,
        as_editor_in_chief=Role.EDITOR_IN_CHIEF in actor_roles(actor),
    )
    audit_record(actor=actor, action="approval", obj=issue, note=comment.strip())
    valid = issue.approvals.filter(invalidated_at__isnull=True, content_hash=content_hash)
    board_count = valid.filter(as_editor_in_chief=False).count()
    if approval.as_editor_in_chief or board_count >= issue.publication.approval_quorum:
        who = "总编辑批准" if approval.as_editor_in_chief else f"{board_count} 位编委批准"
        _take(actor=actor, issue=issue, name="approve", note=f"{who}；内容指纹 {content_hash[:12]}")
        approved_edition_keep(issue=issue, edition=edition)
    return approval


def approved_edition_keep(*, issue: Issue, edition: Edition) -> ApprovedEdition:
    """Keep the Edition the board has just signed off, as it is: every output of the issue is
    rendered from it from now on (``selectors.issue_edition``)."""
    kept, _ = ApprovedEdition.objects.update_or_create(
        issue=issue,
        fingerprint=edition.fingerprint,
        defaults={"data": edition_to_data(edition), "approved_at": timezone.now()},
    )
    return kept


def issue_require_editable(issue: Issue) -> None:
    if issue.status not in ISSUE_EDITABLE:
        raise TransitionRefused(
            f"{issue.get_status_display()}的期不能修改；已发布的期请开启勘误修订。",
            code="not_editable",
        )


def issue_content_changed(*, actor: Actor, issue: Issue, what: str) -> None:
    """Call after any change to a locked issue's content or layout, in the same transaction.

    Approvals of the old content stop counting (visibly, with a reason); an approved issue goes
    back to the board.
    """
    issue.lock_version += 1
    issue.save(update_fields=["lock_version", "updated_at"])
    if _invalidate_approvals(issue=issue, reason=f"内容变更：{what}"):
        audit_record(actor=actor, action="approval_invalidated", obj=issue, note=what)
    if issue.status == IssueStatus.APPROVED:
        _take(actor=None, issue=issue, name="reopen_review", note=f"{actor or '系统'}：{what}")
