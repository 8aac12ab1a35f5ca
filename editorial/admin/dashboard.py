"""The admin's home page (编辑工作台): what waits for the logged-in user (我的待办), each open
issue's progress, the publications to come and the latest activity.

Every part is one query however many issues, articles, approvals, PDFs and audit rows there are
(the approvals are prefetched, the counts and the latest PDF are annotations), so the page costs
the same with one open issue or twenty.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from editorial.models import (
    Approval,
    AuditEntry,
    Issue,
    Rendition,
    RenditionKind,
    RenditionStatus,
    WechatPush,
    WechatPushStatus,
)
from editorial.services.approvals import SignOffState, sign_off_state
from editorial.workflow import ArticleStatus, IssueStatus

from .common import state_change
from .my_work import MyWork, my_work

RECENT_ACTIVITY_SHOWN = 12
# Issues still on their way to readers; published and superseded ones are in the archive.
OPEN_STATES = [
    IssueStatus.DRAFT,
    IssueStatus.IN_EDIT,
    IssueStatus.IN_REVIEW,
    IssueStatus.APPROVED,
    IssueStatus.SCHEDULED,
]
UPCOMING_STATES = frozenset({IssueStatus.APPROVED, IssueStatus.SCHEDULED})


@dataclass(frozen=True)
class IssueProgress:
    """One open issue, as far as it has come."""

    issue: Issue
    articles_ready: int
    articles_total: int
    sign_off: SignOffState
    pdf_status: str  # the latest PDF's status, or ""
    pdf_proof: bool
    wechat_status: str  # the push's status, or ""

    @property
    def pdf_label(self) -> str:
        if not self.pdf_status:
            return "未生成"
        label = RenditionStatus(self.pdf_status).label
        return f"{label}（{'样稿' if self.pdf_proof else '正式版'}）"

    @property
    def wechat_label(self) -> str:
        if not self.issue.publication.wechat_push_enabled:
            return "未开启"
        return WechatPushStatus(self.wechat_status).label if self.wechat_status else "未推送"

    @property
    def articles_complete(self) -> bool:
        return self.articles_total > 0 and self.articles_ready == self.articles_total


@dataclass(frozen=True)
class Activity:
    entry: AuditEntry
    actor: str
    change: str  # "编辑中 → 审核中" for a transition


@dataclass(frozen=True)
class Dashboard:
    work: MyWork
    issues: list[IssueProgress]
    activity: list[Activity] | None  # None: the user may not read the audit log

    @property
    def upcoming(self) -> list[IssueProgress]:
        """Approved and scheduled issues, the scheduled ones first by their time."""
        chosen = [p for p in self.issues if p.issue.status in UPCOMING_STATES]
        return sorted(
            chosen,
            key=lambda p: (p.issue.scheduled_at is None, p.issue.scheduled_at, p.issue.date),
        )


def open_issues_progress() -> list[IssueProgress]:
    """Every open issue with its article counts, sign-off, latest PDF and push (2 queries)."""
    latest_pdf = Rendition.objects.filter(issue=OuterRef("pk"), kind=RenditionKind.PDF).order_by(
        "-created_at", "-id"
    )
    valid = Prefetch(
        "approvals",
        queryset=Approval.objects.filter(invalidated_at__isnull=True),
        to_attr="valid_approvals",
    )
    issues = (
        Issue.objects.filter(status__in=OPEN_STATES)
        .select_related("publication")
        .prefetch_related(valid)
        .annotate(
            articles_total=Count("articles"),
            articles_ready=Count("articles", filter=Q(articles__status=ArticleStatus.READY)),
            pdf_status=Subquery(latest_pdf.values("status")[:1]),
            pdf_proof=Subquery(latest_pdf.values("proof")[:1]),
            wechat_status=Subquery(
                WechatPush.objects.filter(issue=OuterRef("pk")).values("status")[:1]
            ),
        )
        .order_by("date", "pk")
    )
    return [
        IssueProgress(
            issue=issue,
            articles_ready=issue.articles_ready,  # type: ignore[attr-defined]
            articles_total=issue.articles_total,  # type: ignore[attr-defined]
            sign_off=sign_off_state(issue, issue.valid_approvals),  # type: ignore[attr-defined]
            pdf_status=issue.pdf_status or "",  # type: ignore[attr-defined]
            pdf_proof=bool(issue.pdf_proof),  # type: ignore[attr-defined]
            wechat_status=issue.wechat_status or "",  # type: ignore[attr-defined]
        )
        for issue in issues
    ]


def recent_activity(limit: int = RECENT_ACTIVITY_SHOWN) -> list[Activity]:
    """The latest audit rows, each with its actor's name (1 query)."""
    entries = (
        AuditEntry.objects.select_related("actor")
        .annotate(actor_name=Coalesce(F("actor__person__name"), F("actor__username")))
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Activity(entry, entry.actor_name or "系统", state_change(entry))  # type: ignore[attr-defined]
        for entry in entries
    ]


def dashboard(user: User) -> Dashboard:
    may_read_log = user.has_perm("editorial.view_auditentry")
    return Dashboard(
        work=my_work(user),
        issues=open_issues_progress() if user.has_perm("editorial.view_issue") else [],
        activity=recent_activity() if may_read_log else None,
    )


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """What the index template adds to Django's: the dashboard of whoever is logged in."""
    assert isinstance(request.user, User)  # noqa: S101 - the index lets only staff in
    return {"dashboard": dashboard(request.user)}
