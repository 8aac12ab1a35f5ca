"""我的待办: what waits for the logged-in user, by the roles they hold.

Each list is one query (joins and subqueries, no query per row), so the page costs the same
whatever the number of issues, articles and comments.
"""

from dataclasses import dataclass, field

from django.contrib.admin import AdminSite
from django.contrib.auth.models import User
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.response import TemplateResponse

from editorial.models import Approval, Article, AuditEntry, Comment, Issue
from editorial.roles import Role
from editorial.services.approvals import SignOffState, sign_off_state
from editorial.services.permissions import actor_roles
from editorial.services.policies import issue_action_check
from editorial.workflow import (
    ISSUE_ARTICLES_OPEN,
    ISSUE_TRANSITIONS,
    ArticleStatus,
    IssueStatus,
)


@dataclass(frozen=True)
class ToApprove:
    issue: Issue
    sign_off: SignOffState


@dataclass
class MyWork:
    to_approve: list[ToApprove] = field(default_factory=list)
    changes_requested: list[Issue] = field(default_factory=list)
    in_edit: list[Issue] = field(default_factory=list)
    to_release: list[Issue] = field(default_factory=list)
    my_articles: list[Article] = field(default_factory=list)
    open_comments: list[Comment] = field(default_factory=list)
    roles: frozenset[Role] = frozenset()
    # Which lists the page shows: those of the work the user's roles take on.
    reviews: bool = False
    makes_issues: bool = False
    writes_articles: bool = False

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.to_approve,
                self.changes_requested,
                self.in_edit,
                self.to_release,
                self.my_articles,
                self.open_comments,
            )
        )


def issues_awaiting_approval(user: User) -> list[ToApprove]:
    """Issues in review that ``user`` may approve now (not yet approved by them), with the
    sign-off so far."""
    valid = Prefetch(
        "approvals",
        queryset=Approval.objects.filter(invalidated_at__isnull=True),
        to_attr="valid_approvals",
    )
    issues = (
        Issue.objects.filter(status=IssueStatus.IN_REVIEW)
        .select_related("publication")
        .prefetch_related(valid)
        .order_by("date", "pk")
    )
    return [
        ToApprove(issue, sign_off_state(issue, issue.valid_approvals))  # type: ignore[attr-defined]
        for issue in issues
        if issue_action_check(
            user,
            issue,
            "approve",
            approvals=issue.valid_approvals,  # type: ignore[attr-defined]
        ).allowed
    ]


def issues_being_made() -> QuerySet[Issue]:
    """Drafts and issues in edit, with the last issue transition and, when the board sent the
    issue back, who did and what they asked for.
    """
    transitions = AuditEntry.objects.filter(
        issue=OuterRef("pk"), article__isnull=True, action__in=list(ISSUE_TRANSITIONS)
    ).order_by("-created_at", "-id")
    requests = transitions.filter(action="request_changes")
    return (
        Issue.objects.filter(status__in=[IssueStatus.DRAFT, IssueStatus.IN_EDIT])
        .select_related("publication")
        .annotate(
            last_transition=Subquery(transitions.values("action")[:1]),
            request_note=Subquery(requests.values("note")[:1]),
            request_at=Subquery(requests.values("created_at")[:1]),
            request_by=Subquery(
                requests.annotate(
                    name=Coalesce(F("actor__person__name"), F("actor__username"))
                ).values("name")[:1]
            ),
        )
        .order_by("date", "pk")
    )


def issues_to_release() -> QuerySet[Issue]:
    return (
        Issue.objects.filter(status__in=[IssueStatus.APPROVED, IssueStatus.SCHEDULED])
        .select_related("publication")
        .order_by("date", "pk")
    )


def articles_assigned(user: User) -> QuerySet[Article]:
    """``user``'s articles not yet ready, in issues still being put together."""
    return (
        Article.objects.filter(responsible_editor__user=user, issue__status__in=ISSUE_ARTICLES_OPEN)
        .exclude(status=ArticleStatus.READY)
        .select_related("issue__publication", "section")
        .order_by("issue__date", "issue_id", "position", "pk")
    )


def comments_open_on_articles_of(user: User) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(article__responsible_editor__user=user, resolved_at__isnull=True)
        .select_related("article", "issue__publication", "author__person")
        .order_by("-created_at", "-pk")
    )


def my_work(user: User) -> MyWork:
    roles = actor_roles(user)
    work = MyWork(
        roles=roles,
        reviews=bool(roles & ISSUE_TRANSITIONS["approve"].roles),
        makes_issues=bool(roles & ISSUE_TRANSITIONS["submit"].roles),
        writes_articles=Role.RESPONSIBLE_EDITOR in roles,
    )
    if work.reviews:
        work.to_approve = issues_awaiting_approval(user)
    if work.makes_issues:
        for issue in issues_being_made():
            if issue.last_transition == "request_changes":  # type: ignore[attr-defined]
                work.changes_requested.append(issue)
            else:
                work.in_edit.append(issue)
        work.to_release = list(issues_to_release())
    if work.writes_articles:
        if not work.makes_issues:
            # The board's 退回意见 on an issue holding the user's articles: theirs to act on.
            ours = issues_being_made().filter(articles__responsible_editor__user=user).distinct()
            work.changes_requested = [
                issue
                for issue in ours
                if issue.last_transition == "request_changes"  # type: ignore[attr-defined]
            ]
        work.my_articles = list(articles_assigned(user))
        work.open_comments = list(comments_open_on_articles_of(user))
    return work


def my_work_response(request: HttpRequest, site: AdminSite) -> TemplateResponse:
    assert isinstance(request.user, User)  # noqa: S101 - admin_view lets only staff in
    return TemplateResponse(
        request,
        "admin/editorial/my_work.html",
        {
            **site.each_context(request),
            "title": "我的待办",
            "work": my_work(request.user),
        },
    )
