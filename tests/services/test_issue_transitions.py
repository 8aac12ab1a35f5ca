"""The sample issue through the whole workflow, with the audit trail it leaves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from editorial.diffs import article_version_diff
from editorial.models import Issue, Notification
from editorial.richtext import plain_text
from editorial.roles import Role
from editorial.services import approvals, articles, issue_transitions
from editorial.services.revisions import version_masthead
from editorial.workflow import ArticleStatus, IssueStatus
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import sample_issue, staff

pytestmark = pytest.mark.django_db


def test_sample_issue_from_draft_to_published_and_corrected() -> None:
    issue = sample_issue()
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    board2 = staff("board2", "钟新敏", Role.BOARD_MEMBER)

    issue_transitions.issue_start_edit(actor=executive, issue_id=issue.pk)
    # The printed original has no 来源 for the software article: pre-flight refuses until fixed.
    with pytest.raises(issue_transitions.TransitionRefused, match="软件业经济运行情况》：缺少来源"):
        issue_transitions.issue_submit(actor=executive, issue_id=issue.pk)
    software = issue.articles.get(source="")
    software.source = "工业和信息化部运行监测协调局"
    articles.article_save(actor=executive, article=software, base_version=software.lock_version)
    for article in issue.articles.all():
        articles.article_transition(actor=executive, article_id=article.pk, name="start_edit")
        articles.article_transition(actor=executive, article_id=article.pk, name="mark_ready")
    issue = issue_transitions.issue_submit(actor=executive, issue_id=issue.pk)
    assert issue.status == IssueStatus.IN_REVIEW
    submitted = issue.audit_entries.get(action="submit")
    assert "提醒：" in submitted.note  # two titles are longer than WeChat's 32 characters

    approvals.issue_approve(actor=board1, issue_id=issue.pk, comment="同意")
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    approvals.issue_approve(actor=board2, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED

    at = timezone.now() + datetime.timedelta(hours=2)
    issue_transitions.issue_schedule(actor=executive, issue_id=issue.pk, at=at)
    assert issue_transitions.issue_publish_scheduled(issue_id=issue.pk, now=at) is True
    assert issue_transitions.issue_publish_scheduled(issue_id=issue.pk, now=at) is False
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED and issue.published_at is not None

    revision = issue_transitions.issue_correct(
        actor=executive, issue_id=issue.pk, reason="第5篇来源有误"
    )
    assert (revision.revision, revision.total_number, revision.status) == (
        2,
        179,
        IssueStatus.IN_EDIT,
    )
    assert revision.articles.count() == 16
    assert all(a.status == ArticleStatus.READY for a in revision.articles.all())
    assert revision.masthead_members.count() == issue.masthead_members.count()
    issue_transitions.issue_submit(actor=executive, issue_id=revision.pk)
    approvals.issue_approve(actor=board1, issue_id=revision.pk)
    approvals.issue_approve(actor=board2, issue_id=revision.pk)
    issue_transitions.issue_publish(actor=executive, issue_id=revision.pk)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SUPERSEDED
    issue_level = issue.audit_entries.filter(article__isnull=True).order_by("id")
    assert list(issue_level.values_list("action", flat=True)) == [
        "import",
        "start_edit",
        "submit",
        "approval",
        "approval",
        "approve",
        "schedule",
        "publish",
        "correct",
        "supersede",
    ]
    # Both submissions told both board members; approvals and publication told the executive
    # (not the schedule: the executive set it, and no one is told of their own action).
    assert sorted(
        Notification.objects.filter(event="submit").values_list("recipient__username", flat=True)
    ) == ["board1", "board1", "board2", "board2"]
    assert set(
        Notification.objects.exclude(event="submit").values_list("recipient__username", "event")
    ) == {("executive", "approve"), ("executive", "publish")}


def test_publishing_costs_the_same_queries_for_3_and_30_articles() -> None:
    """The Edition kept at approval is read once and fingerprinted once, whatever its size."""
    counts = []
    for size in (3, 30):
        issue = bring_to(small_issue(articles=size), IssueStatus.APPROVED)
        with CaptureQueriesContext(connection) as queries:
            issue_transitions.issue_publish(actor=None, issue_id=issue.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_corrections_first_revision_is_the_published_text() -> None:
    """Its 修订历史 starts from what was published, so the first edit has something to compare."""
    published = bring_to(small_issue(articles=2), IssueStatus.PUBLISHED)
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)

    correction = issue_transitions.issue_correct(
        actor=executive, issue_id=published.pk, reason="数据有误"
    )

    [first] = Version.objects.get_for_object(correction)
    assert first.revision.user == executive
    assert first.revision.comment == f"勘误修订的起点：{published.label} 发布时的内容"
    assert first.field_dict["cover_headline"] == published.cover_headline
    assert len(version_masthead(first).members) == published.masthead_members.count()
    originals = {a.position: a for a in published.articles.all()}
    for article in correction.articles.all():
        [version] = Version.objects.get_for_object(article)
        assert version.revision == first.revision
        fields = version.field_dict
        original = originals[article.position]
        assert (fields["title"], fields["body"], fields["source"]) == (
            original.title,
            original.body,
            original.source,
        )

    article = correction.articles.order_by("position")[0]
    article.body = "<p>更正后的正文。</p>"
    articles.article_save(actor=executive, article=article, base_version=article.lock_version)
    newest, oldest = Version.objects.get_for_object(article)
    diff = {d.name: d for d in article_version_diff(oldest, newest)}
    assert diff["body"].old == plain_text(originals[article.position].body)
