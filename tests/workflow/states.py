"""Small issues put into any workflow state through the services, and what a refusal leaves.

``bring_to`` walks an issue along the ordinary path as the system (``actor=None``); only the
approval needs a person, the editor-in-chief returned by ``chief()``.
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from reversion.models import Version

from editorial.models import (
    Approval,
    Article,
    AuditEntry,
    Comment,
    EditLock,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Notification,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.roles import Role
from editorial.services import approvals
from editorial.services import issue_transitions as workflow
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.workflow_helpers import staff

S = IssueStatus


def small_issue(*, quorum: int = 1, articles: int = 1, editor: User | None = None) -> Issue:
    """An issue that passes pre-flight: notice, masthead and ``articles`` ready articles, whose
    responsible editor is ``editor``'s person when given.
    """
    publication = factories.PublicationFactory.create(approval_quorum=quorum)
    notice = factories.CopyrightNoticeFactory.create(publication=publication)
    issue = factories.IssueFactory.create(publication=publication, notice=notice)
    MastheadOrganisation.objects.create(
        issue=issue,
        role=OrganisationRole.CHIEF_EDITOR,
        organisation=factories.OrganisationFactory.create(),
    )
    MastheadMember.objects.create(
        issue=issue, role=PersonRole.EDITOR_IN_CHIEF, person=factories.PersonFactory.create()
    )
    section = factories.SectionFactory.create(publication=publication)
    person = editor.person if editor is not None else None  # type: ignore[attr-defined]
    for _ in range(articles):
        factories.ArticleFactory.create(
            issue=issue,
            section=section,
            status=ArticleStatus.READY,
            body="<p>原来的正文。</p>",
            responsible_editor=person,
        )
    return issue


def chief() -> User:
    """The editor-in-chief who signs issues off while tests set them up."""
    return staff("setup_chief", "宋希贤", Role.EDITOR_IN_CHIEF)


def bring_to(issue: Issue, status: str) -> Issue:
    """Move a draft ``issue`` to ``status`` along the ordinary path; return it fresh."""
    pk = issue.pk
    steps = {
        S.DRAFT: [],
        S.IN_EDIT: ["start_edit"],
        S.IN_REVIEW: ["start_edit", "submit"],
        S.APPROVED: ["start_edit", "submit", "approve"],
        S.SCHEDULED: ["start_edit", "submit", "approve", "schedule"],
        S.PUBLISHED: ["start_edit", "submit", "approve", "publish"],
        S.SUPERSEDED: ["start_edit", "submit", "approve", "publish", "supersede"],
    }[IssueStatus(status)]
    for step in steps:
        if step == "start_edit":
            workflow.issue_start_edit(actor=None, issue_id=pk)
        elif step == "submit":
            workflow.issue_submit(actor=None, issue_id=pk)
        elif step == "approve":
            approvals.issue_approve(actor=chief(), issue_id=pk, comment="同意")
        elif step == "schedule":
            workflow.issue_schedule(actor=None, issue_id=pk, at=in_hours(1))
        elif step == "publish":
            workflow.issue_publish(actor=None, issue_id=pk)
        elif step == "supersede":  # a correction is opened, approved and published
            revision = workflow.issue_correct(actor=None, issue_id=pk, reason="勘误")
            workflow.issue_submit(actor=None, issue_id=revision.pk)
            approvals.issue_approve(actor=chief(), issue_id=revision.pk)
            workflow.issue_publish(actor=None, issue_id=revision.pk)
    fresh = Issue.objects.get(pk=pk)
    assert fresh.status == status
    return fresh


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def snapshot(issue_id: int) -> dict[str, Any]:
    """Everything a refused action must leave exactly as it was."""
    issue = Issue.objects.get(pk=issue_id)
    return {
        "issue": (
            issue.status,
            issue.lock_version,
            issue.scheduled_at,
            issue.published_at,
            issue.updated_at,
        ),
        "articles": list(
            Article.objects.filter(issue_id=issue_id)
            .order_by("pk")
            .values_list(
                "pk", "status", "lock_version", "title", "body", "source", "position", "updated_at"
            )
        ),
        "issue_count": Issue.objects.count(),
        "audit_count": AuditEntry.objects.count(),
        "approvals": list(
            Approval.objects.order_by("pk").values_list("pk", "invalidated_at", "content_hash")
        ),
        "version_count": Version.objects.count(),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "resolved_at")),
        "notification_count": Notification.objects.count(),
        "locks": list(EditLock.objects.order_by("pk").values_list("pk", "holder_id")),
    }
