"""Board sign-off: approvals on the exact content, and their invalidation by any change."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from editorial.editions import Edition, edition_to_data
from editorial.models import Approval, ApprovedEdition, Article, Issue
from editorial.models.people import who
from editorial.roles import Role
from editorial.selectors import issue_live_edition
from editorial.workflow import ISSUE_UNDER_SIGN_OFF, IssueStatus

from .audit import audit_record
from .issue_transitions import TransitionRefused, _invalidate_approvals, _take, issue_lock
from .notifications import notify_approvals_voided
from .permissions import Actor, actor_roles
from .policies import issue_action_check, issue_editable_check


@dataclass(frozen=True)
class SignOffState:
    """How far the board's sign-off has come: the one count the service, the admin and
    我的待办 all show."""

    quorum: int
    board_count: int
    by_chief: bool

    @property
    def complete(self) -> bool:
        return self.by_chief or self.board_count >= self.quorum


def sign_off_state(issue: Issue, approvals: Iterable[Approval]) -> SignOffState:
    """The sign-off of ``issue`` by its ``approvals``; invalidated ones do not count."""
    valid = [a for a in approvals if a.is_valid]
    return SignOffState(
        quorum=issue.publication.approval_quorum,
        board_count=sum(1 for a in valid if not a.as_editor_in_chief),
        by_chief=any(a.as_editor_in_chief for a in valid),
    )


@transaction.atomic
def issue_approve(*, actor: Actor, issue_id: int, comment: str = "") -> Approval:
    """Record ``actor``'s approval of the issue as it is now.

    The issue becomes approved when the editor-in-chief approves, or when the publication's
    quorum of board members has approved the same content. The issue row is locked, so racing
    approvals are counted one after the other and the transition happens exactly once.
    """
    issue = issue_lock(issue_id)
    edition = issue_live_edition(issue.pk)
    content_hash = edition.fingerprint
    live = issue.approvals.filter(invalidated_at__isnull=True)
    current = list(live.filter(content_hash=content_hash))
    issue_action_check(actor, issue, "approve", approvals=current).require(TransitionRefused)
    approver = cast(User, actor)  # the check lets only a logged-in person approve
    # Approvals of other content (a section, an organisation or a person the issue prints was
    # changed since) stop counting visibly, so that their authors may approve what is there now.
    outdated = live.exclude(content_hash=content_hash)
    if outdated.update(invalidated_at=timezone.now(), invalidated_reason="内容已变更（共享信息）"):
        audit_record(
            actor=actor, action="approval_invalidated", obj=issue, note="内容已变更（共享信息）"
        )
    approval = Approval.objects.create(
        issue=issue,
        approver=approver,
        comment=comment.strip(),
        content_hash=content_hash,
        as_editor_in_chief=Role.EDITOR_IN_CHIEF in actor_roles(approver),
    )
    audit_record(actor=actor, action="approval", obj=issue, note=comment.strip())
    state = sign_off_state(issue, [*current, approval])
    if state.complete:
        who = "总编辑批准" if state.by_chief else f"{state.board_count} 位编委批准"
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
    issue_editable_check(issue).require(TransitionRefused)


def issue_content_changed(
    *, actor: Actor, issue: Issue, what: str, article: Article | None = None
) -> None:
    """Call after any change to a locked issue's content or layout (of ``article``, when it was
    one article's), in the same transaction.

    Approvals of the old content stop counting (visibly, with a reason) and their approvers are
    told, with a link to what changed since; an approved issue goes back to the board (the
    approvers' notice is its notice). Before review there is nothing to invalidate: every way
    back to editing (退回修改, 撤回) has already invalidated them.
    """
    issue.lock_version += 1
    issue.save(update_fields=["lock_version", "updated_at"])
    if issue.status not in ISSUE_UNDER_SIGN_OFF:
        return
    voided = _invalidate_approvals(issue=issue, reason=f"内容变更：{what}")
    if voided:
        entry = audit_record(
            actor=actor, action="approval_invalidated", obj=article or issue, note=what
        )
        notify_approvals_voided(entry=entry, issue=issue, voided=voided)
    if issue.status == IssueStatus.APPROVED:
        _take(
            actor=None,
            issue=issue,
            name="reopen_review",
            note=f"{who(actor if isinstance(actor, User) else None)}：{what}",  # name, not login
            notify=False,
        )
