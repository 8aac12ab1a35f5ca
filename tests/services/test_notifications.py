"""Who is told of each event (the service's one rule), the inbox rows and their read markers, and
what the e-mail says; delivery itself (the worker, retries) is tested in
tests/tasks/test_notifications.py."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from editorial.models import AuditEntry, Notification, NotificationStatus
from editorial.roles import Role
from editorial.services import approvals, comments, issue_transitions, locks
from editorial.services.articles import article_save
from editorial.services.notifications import (
    notification_open,
    notifications_mark_all_read,
    notifications_unmailed,
    notifications_unread_count,
    notify_event,
    recipients_for,
)
from editorial.workflow import IssueStatus
from tests.tasks.support import SmtpServer
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def without_address(user: User) -> User:
    user.email = ""
    user.save(update_fields=["email"])
    return user


def told(event: str) -> dict[str, str]:
    """Who was told of ``event``: login → the notification's status."""
    rows = Notification.objects.filter(event=event).values_list("recipient__username", "status")
    return dict(rows)


def test_submission_tells_every_reviewer_and_mails_those_with_an_address() -> None:
    board1 = without_address(staff("board1", "程茹", Role.BOARD_MEMBER))
    staff("board2", "李丽", Role.BOARD_MEMBER)
    staff("chief", "宋希贤", Role.EDITOR_IN_CHIEF)
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    since = timezone.now()

    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        issue_transitions.issue_submit(actor=executive, issue_id=issue.pk)

    assert told("submit") == {
        "board1": NotificationStatus.IN_APP,
        "board2": NotificationStatus.PENDING,
        "chief": NotificationStatus.PENDING,
    }
    assert len(queued) == 2  # an e-mail for each address; none for 程茹
    assert board1 in recipients_for("submit", issue)
    assert notifications_unmailed(since=since, issue=issue) == ["编委 程茹"]
    assert notifications_unmailed(since=timezone.now(), issue=issue) == []


def test_the_boards_answer_tells_the_executive_and_the_responsible_editors() -> None:
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    other_editor = staff("zhao", "赵六", Role.RESPONSIBLE_EDITOR)
    staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    returned = bring_to(small_issue(editor=editor), IssueStatus.IN_REVIEW)
    approved = bring_to(small_issue(editor=editor), IssueStatus.IN_REVIEW)

    issue_transitions.issue_request_changes(actor=board, issue_id=returned.pk, comment="核对数据")
    approvals.issue_approve(actor=board, issue_id=approved.pk)

    assert set(told("request_changes")) == {"xiong", "executive"}
    assert set(told("approve")) == {"xiong", "executive"}
    assert other_editor.pk not in Notification.objects.values_list("recipient", flat=True)


def test_no_one_is_told_of_their_own_action() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.APPROVED)

    issue_transitions.issue_schedule(
        actor=executive, issue_id=issue.pk, at=timezone.now() + datetime.timedelta(hours=1)
    )

    assert executive not in recipients_for("schedule", issue, actor=executive)
    assert told("schedule") == {}


def test_a_scheduled_publication_done_or_failed_tells_the_executive() -> None:
    staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    staff("board1", "程茹", Role.BOARD_MEMBER)
    done = bring_to(small_issue(), IssueStatus.SCHEDULED)
    failed = bring_to(small_issue(), IssueStatus.SCHEDULED)

    issue_transitions.issue_publish_scheduled(
        issue_id=done.pk, now=timezone.now() + datetime.timedelta(hours=2)
    )
    issue_transitions.issue_schedule_failed(issue_id=failed.pk, reason="内容与批准时不一致")

    assert set(told("publish")) == {"executive"}
    assert set(told("reopen_review")) >= {"executive", "board1"}
    [notice] = Notification.objects.filter(event="reopen_review", recipient__username="executive")
    assert "定时发布未完成：内容与批准时不一致" in notice.body


def test_an_edit_tells_each_voided_approver_with_a_link_to_what_changed_since() -> None:
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    board2 = staff("board2", "钟新敏", Role.BOARD_MEMBER)
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    article = issue.articles.get()
    article = article_save(actor=executive, article=article, base_version=article.lock_version)
    at_approval = Version.objects.get_for_object(article).first()
    approvals.issue_approve(actor=board1, issue_id=issue.pk)
    approvals.issue_approve(actor=board2, issue_id=issue.pk)

    article.body = "<p>增长 13.9%。</p>"
    article_save(actor=executive, article=article, base_version=article.lock_version)

    notices = Notification.objects.filter(event="approval_invalidated").order_by("recipient")
    assert [n.recipient for n in notices] == [board1, board2]
    link = reverse("admin:editorial_article_revisions", args=[article.pk])
    assert at_approval is not None
    assert {n.url for n in notices} == {f"{link}?old={at_approval.pk}"}
    assert "的批准已失效，需要重新审阅。" in notices[0].body
    assert f"查看批准后的修改：http://127.0.0.1:8000{link}?old={at_approval.pk}" in notices[0].body
    assert "修改文章" in notices[0].body


def test_a_reply_tells_the_author_of_the_comment_replied_to() -> None:
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    issue = bring_to(small_issue(editor=editor), IssueStatus.IN_EDIT)
    article = issue.articles.get()
    question = comments.comment_add(actor=board, issue=issue, article=article, body="数据来源？")

    reply = comments.comment_add(actor=editor, issue=issue, parent=question, body="已补充")
    comments.comment_add(actor=board, issue=issue, parent=question, body="好的")  # own thread

    [notice] = Notification.objects.filter(event="comment_reply")
    assert notice.recipient == board
    assert notice.url.endswith(f"/article/{article.pk}/change/#comment-{reply.pk}")
    assert notice.subject.endswith("回复了您的意见")
    assert "说明：已补充" in notice.body


def test_a_take_over_tells_the_holder_even_without_an_address() -> None:
    editor = without_address(staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR))
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    article = bring_to(small_issue(editor=editor), IssueStatus.IN_EDIT).articles.get()
    locks.lock_acquire(actor=editor, article=article)

    locks.lock_take_over(actor=executive, article=article)

    assert told("lock_takeover") == {"xiong": NotificationStatus.IN_APP}
    assert notifications_unmailed(since=timezone.now() - datetime.timedelta(minutes=1)) == [
        "责任编辑 熊灵犀"
    ]


def test_the_same_event_is_never_recorded_twice() -> None:
    staff("board1", "程茹", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    entry = AuditEntry.objects.get(issue=issue, action="submit")
    count = Notification.objects.count()

    assert notify_event(entry=entry, issue=issue) == []
    assert Notification.objects.count() == count


def test_opening_marks_read_only_ones_own_and_mark_all_read_counts() -> None:
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    board2 = staff("board2", "钟新敏", Role.BOARD_MEMBER)
    for _ in range(2):
        bring_to(small_issue(), IssueStatus.IN_REVIEW)
    first, second = Notification.objects.filter(recipient=board1).order_by("pk")
    assert notifications_unread_count(board1) == 2

    opened = notification_open(actor=board1, notification_id=first.pk)
    again = notification_open(actor=board1, notification_id=first.pk)

    assert opened.read_at is not None and again.read_at == opened.read_at
    assert notifications_unread_count(board1) == 1
    with pytest.raises(Notification.DoesNotExist):
        notification_open(actor=board2, notification_id=second.pk)
    assert notifications_mark_all_read(actor=board1) == 1
    assert notifications_unread_count(board1) == 0
    assert notifications_unread_count(board2) == 2


def test_changes_requested_are_mailed_with_the_comment(smtp_inbox: SmtpServer) -> None:
    staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)

    with TestCase.captureOnCommitCallbacks(execute=True):
        issue_transitions.issue_request_changes(
            actor=board, issue_id=issue.pk, comment="第三段的 13.8% 请核对"
        )

    [sent] = smtp_inbox.wait_for(1)
    assert sent.recipients == ("executive@example.org",)
    assert sent.subject.endswith("：退回修改")
    assert "退回意见：第三段的 13.8% 请核对\n" in sent.body
    assert f"/admin/editorial/issue/{issue.pk}/change/#workflow" in sent.body
    assert "/admin/editorial/notification/mine/" in sent.body
    assert mail.outbox == []  # the real SMTP server got it, not the test backend
