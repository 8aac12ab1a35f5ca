"""Issue transitions: each locks the issue, checks the table and the actor, saves, writes an
audit row and asks for follow-up work on commit — all in one transaction.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from editorial.models import Approval, Comment, Figure, Issue
from editorial.preflight import Finding, Level, issue_preflight, preflight_findings
from editorial.selectors import issue_approved_edition, issue_for_edition
from editorial.workflow import ISSUE_TRANSITIONS, ArticleStatus, IssueStatus, Transition

from .audit import audit_record
from .issues import masthead_copy
from .notifications import notify_event
from .outputs import issue_outputs_request
from .permissions import Actor
from .policies import issue_action_check
from .search_index import search_index_publish

logger = logging.getLogger(__name__)


class TransitionRefused(ValidationError):
    """The issue is not in a state, or not in a shape, that allows the transition."""


class PreflightRefused(TransitionRefused):
    """Submission refused by blocking pre-flight checks: each distinct reason once, and the
    findings themselves, so that an interface can link each to what to fix."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__([ValidationError(f.message, code="preflight") for f in findings])
        self.findings = findings


def issue_lock(issue_id: int) -> Issue:
    """The issue row, locked for this transaction: every change to an issue starts here.

    FOR NO KEY UPDATE serializes writers of the issue but not the rows that merely point at it
    (audit entries, approvals, notifications being committed elsewhere).
    """
    return (
        Issue.objects.select_for_update(of=("self",), no_key=True)
        .select_related("publication")
        .get(pk=issue_id)
    )


def _take(
    *,
    actor: Actor,
    issue: Issue,
    name: str,
    comment: str = "",
    note: str = "",
    notify: bool = True,
) -> Issue:
    """Move the locked ``issue`` along transition ``name`` after every check."""
    transition = _require_allowed(actor, issue, name)
    if transition.comment_required and not comment.strip():
        raise TransitionRefused(f"“{transition.label}”必须填写意见。", code="comment_required")
    from_state = issue.status
    issue.status = transition.target
    issue.save(update_fields=["status", "scheduled_at", "published_at", "updated_at"])
    entry = audit_record(
        actor=actor,
        action=name,
        obj=issue,
        from_state=from_state,
        to_state=issue.status,
        note="\n".join(p for p in (comment.strip(), note) if p),
    )
    logger.info("%s: %s -> %s by %s", issue, from_state, issue.status, actor or "system")
    if notify:
        notify_event(entry=entry, issue=issue)
    return issue


def _require_allowed(actor: Actor, issue: Issue, name: str) -> Transition:
    issue_action_check(actor, issue, name).require(TransitionRefused)
    return ISSUE_TRANSITIONS[name]


def _invalidate_approvals(*, issue: Issue, reason: str) -> int:
    """Stop the issue's live approvals counting; the reason is cut to fit its column (a change
    to an article with a 200-character title still says which article it was)."""
    limit = Approval._meta.get_field("invalidated_reason").max_length or len(reason)
    return issue.approvals.filter(invalidated_at__isnull=True).update(
        invalidated_at=timezone.now(),
        invalidated_reason=Truncator(reason).chars(limit, truncate="…"),
    )


@transaction.atomic
def issue_start_edit(*, actor: Actor, issue_id: int) -> Issue:
    return _take(actor=actor, issue=issue_lock(issue_id), name="start_edit", notify=False)


@transaction.atomic
def issue_submit(*, actor: Actor, issue_id: int) -> Issue:
    """Submit to the board; blocking pre-flight checks refuse, warnings go on the record."""
    issue = issue_lock(issue_id)
    _require_allowed(actor, issue, "submit")
    checks = issue_preflight(issue_for_edition(issue.pk))
    blocking = [c for c in checks if c.level == Level.BLOCK]
    if blocking:
        raise PreflightRefused(preflight_findings(blocking))
    warnings = "\n".join(f"提醒：{c.message}" for c in checks)
    return _take(actor=actor, issue=issue, name="submit", note=warnings)


@transaction.atomic
def issue_request_changes(*, actor: Actor, issue_id: int, comment: str) -> Issue:
    issue = issue_lock(issue_id)
    issue = _take(actor=actor, issue=issue, name="request_changes", comment=comment)
    _invalidate_approvals(issue=issue, reason="退回修改")
    if actor is not None and actor.is_authenticated:
        Comment.objects.create(issue=issue, author=actor, body=comment.strip())
    return issue


@transaction.atomic
def issue_withdraw(*, actor: Actor, issue_id: int, comment: str = "") -> Issue:
    issue = issue_lock(issue_id)
    issue.scheduled_at = None
    issue = _take(actor=actor, issue=issue, name="withdraw", comment=comment, notify=False)
    _invalidate_approvals(issue=issue, reason="撤回")
    return issue


@transaction.atomic
def issue_schedule(*, actor: Actor, issue_id: int, at: datetime.datetime) -> Issue:
    """Schedule an approved issue; ``at`` is aware (the admin reads it in Asia/Shanghai)."""
    issue = issue_lock(issue_id)
    _require_allowed(actor, issue, "schedule")
    if timezone.is_naive(at):
        raise TransitionRefused("排期时间必须带时区。", code="naive_time")
    if at <= timezone.now():
        raise TransitionRefused("排期时间必须晚于现在。", code="past_time")
    issue.scheduled_at = at
    local = timezone.localtime(at)
    return _take(
        actor=actor, issue=issue, name="schedule", note=f"计划于 {local:%Y-%m-%d %H:%M} 发布"
    )


@transaction.atomic
def issue_unschedule(*, actor: Actor, issue_id: int) -> Issue:
    issue = issue_lock(issue_id)
    issue.scheduled_at = None
    return _take(actor=actor, issue=issue, name="unschedule", notify=False)


@transaction.atomic
def issue_publish(*, actor: Actor, issue_id: int) -> Issue:
    """Publish exactly the approved content: the Edition kept at sign-off, which valid approvals
    must still name. What ships is that Edition, whatever changed in the database since."""
    issue = issue_lock(issue_id)
    _require_allowed(actor, issue, "publish")
    edition = issue_approved_edition(issue.pk)
    valid = issue.approvals.filter(invalidated_at__isnull=True)
    if edition is None or not valid.filter(content_hash=edition.fingerprint).exists():
        raise TransitionRefused("内容与批准时不一致，不能发布。", code="not_approved_content")
    issue.published_at = timezone.now()
    note = f"内容指纹 {edition.fingerprint[:12]}"
    issue = _take(actor=actor, issue=issue, name="publish", note=note)
    issue_outputs_request(issue=issue, edition=edition)
    search_index_publish(issue=issue, edition=edition)
    if issue.corrects_id is not None:
        original = issue_lock(issue.corrects_id)
        _take(
            actor=None,
            issue=original,
            name="supersede",
            note=f"由 {issue.label} 取代",
            notify=False,
        )
    return issue


def issues_due_for_publication(now: datetime.datetime) -> list[int]:
    return list(
        Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_at__lte=now)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def issue_publish_scheduled(*, issue_id: int, now: datetime.datetime) -> bool:
    """The scheduler's publish: once, even if it fires twice or two workers race."""
    issue = (
        Issue.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
        .filter(pk=issue_id, status=IssueStatus.SCHEDULED, scheduled_at__lte=now)
        .first()
    )
    if issue is None:
        return False
    issue_publish(actor=None, issue_id=issue.pk)
    return True


def issues_publish_due(now: datetime.datetime) -> int:
    """Publish every scheduled issue that is due; one that cannot be published goes back to the
    board (its content is no longer what was approved) instead of blocking the others."""
    published = 0
    for issue_id in issues_due_for_publication(now):
        try:
            published += issue_publish_scheduled(issue_id=issue_id, now=now)
        except TransitionRefused as exc:
            issue_schedule_failed(issue_id=issue_id, reason="；".join(exc.messages))
    return published


@transaction.atomic
def issue_schedule_failed(*, issue_id: int, reason: str) -> None:
    issue = issue_lock(issue_id)
    if issue.status != IssueStatus.SCHEDULED:
        return
    issue.scheduled_at = None
    _take(actor=None, issue=issue, name="reopen_review", note=f"定时发布未完成：{reason}")
    _invalidate_approvals(issue=issue, reason="定时发布时内容与批准时不一致")
    logger.error("scheduled publication of %s refused: %s", issue, reason)


@transaction.atomic
def issue_correct(*, actor: Actor, issue_id: int, reason: str) -> Issue:
    """Open a correction (勘误/修订版): a new revision with a copy of the published content."""
    original = issue_lock(issue_id)
    corrected = Issue.objects.filter(corrects=original).exists()
    issue_action_check(actor, original, "correct", corrected=corrected).require(TransitionRefused)
    if not reason.strip():
        raise TransitionRefused("开启勘误修订必须说明原因。", code="comment_required")
    revision = Issue.objects.get(pk=original.pk)
    revision.pk = None
    revision.id = None
    revision._state.adding = True
    revision.corrects = original
    revision.revision = original.revision + 1
    revision.status = IssueStatus.IN_EDIT
    revision.published_at = revision.scheduled_at = None
    revision.lock_version = 0
    revision.full_clean()
    revision.save()
    masthead_copy(source=original, target=revision)
    for article in original.articles.prefetch_related("figures"):
        figures = list(article.figures.all())
        article.pk = None
        article.id = None
        article._state.adding = True
        article.issue = revision
        article.status = ArticleStatus.READY
        article.lock_version = 0
        article.save()
        Figure.objects.bulk_create(
            Figure(article=article, number=f.number, caption=f.caption, image=f.image.name)
            for f in figures
        )
    audit_record(actor=actor, action="correct", obj=original, note=reason.strip())
    audit_record(
        actor=actor,
        action="create",
        obj=revision,
        to_state=revision.status,
        note=f"{original.label} 的勘误修订：{reason.strip()}",
    )
    return revision
