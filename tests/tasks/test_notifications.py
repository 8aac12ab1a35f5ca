"""Workflow e-mails: recorded with the change, sent after commit by a real worker over SMTP."""

import pytest
from celery.contrib.testing.tasks import ping
from django.db import transaction

from editorial.jobs import NOTIFICATION
from editorial.models import AuditEntry, EditLock, Issue, Notification, NotificationStatus
from editorial.services import issue_transitions, locks
from editorial.workflow import IssueStatus
from tests.tasks.support import SmtpServer, Staff, WorkerLog

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEND_TASK = NOTIFICATION.task

SUBJECT = "[大数据发展动态] 第16期 总第179期：{}"


def change_link(issue: Issue) -> str:
    return f"http://127.0.0.1:8000/admin/editorial/issue/{issue.pk}/change/#workflow"


def test_submit_mails_every_reviewer_after_commit(
    ready_issue: Issue, people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    with transaction.atomic():
        issue_transitions.issue_submit(actor=people.executive, issue_id=ready_issue.pk)
        assert Notification.objects.count() == 3
        # Queued now, the marker runs after anything queued so far: nothing is, before commit.
        ping.delay()
        celery_worker.wait_for_runs(ping.name, 1)
        assert celery_worker.runs(SEND_TASK) == []

    runs = celery_worker.wait_for_runs(SEND_TASK, 3)
    mails = smtp_server.wait_for(3)
    celery_worker.drain()

    issue = Issue.objects.get(pk=ready_issue.pk)
    assert sorted(m.recipients for m in mails) == [
        ("board1@example.org",),
        ("board2@example.org",),
        ("chief@example.org",),
    ]
    assert [m.sender for m in mails] == ["digest@localhost"] * 3
    assert [m.subject for m in mails] == [SUBJECT.format("提交审核")] * 3
    bodies = {m.recipients[0]: m.body for m in mails}
    assert bodies["chief@example.org"].startswith("宋希贤，您好：\n\n")
    for body in bodies.values():
        assert "大数据发展动态 2024年第16期（总第179期）（审核中）\n操作：提交审核\n" in body
        assert "操作人：杨婷\n" in body
        assert f"请登录编辑工作台处理：{change_link(issue)}\n" in body

    notifications = list(Notification.objects.order_by("recipient__username"))
    assert [
        (n.recipient.username, n.event, n.issue_id, n.status, n.attempts, n.error)
        for n in notifications
    ] == [
        ("board1", "submit", issue.pk, NotificationStatus.SENT, 1, ""),
        ("board2", "submit", issue.pk, NotificationStatus.SENT, 1, ""),
        ("chief", "submit", issue.pk, NotificationStatus.SENT, 1, ""),
    ]
    for notification in notifications:
        assert notification.sent_at is not None and notification.sent_at > notification.created_at
    assert sorted(r.args for r in runs) == [(n.pk,) for n in notifications]
    assert [(r.state, r.retval) for r in celery_worker.runs(SEND_TASK)] == [("SUCCESS", True)] * 3
    assert len(smtp_server.mails()) == 3


def test_nothing_is_recorded_or_sent_when_the_transition_rolls_back(
    ready_issue: Issue, people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    with pytest.raises(RuntimeError, match="after notify"), transaction.atomic():
        issue_transitions.issue_submit(actor=people.executive, issue_id=ready_issue.pk)
        assert Notification.objects.count() == 3
        raise RuntimeError("a later step fails after notify")

    celery_worker.drain()
    assert Notification.objects.count() == 0
    assert Issue.objects.get(pk=ready_issue.pk).status == IssueStatus.IN_EDIT
    assert not AuditEntry.objects.filter(action="submit").exists()
    assert celery_worker.runs(SEND_TASK) == []
    assert smtp_server.mails() == []


def test_request_changes_mails_the_executive_and_the_articles_editors(
    ready_issue: Issue, people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    issue_transitions.issue_submit(actor=people.executive, issue_id=ready_issue.pk)
    smtp_server.wait_for(3)
    celery_worker.drain()
    comment = "《软件业经济运行情况》来源需核实，请补充原文链接。"

    issue_transitions.issue_request_changes(
        actor=people.board1, issue_id=ready_issue.pk, comment=comment
    )

    mails = smtp_server.wait_for(5)[3:]
    celery_worker.drain()
    assert sorted(m.recipients for m in mails) == [
        ("executive@example.org",),
        ("xiong@example.org",),
    ]
    assert [m.subject for m in mails] == [SUBJECT.format("退回修改")] * 2
    for mail in mails:
        assert "（编辑中）\n操作：退回修改\n操作人：程茹\n" in mail.body
        assert f"退回意见：{comment}\n" in mail.body
        assert change_link(ready_issue) in mail.body
    rows = Notification.objects.filter(event="request_changes").order_by("recipient__username")
    assert [(n.recipient.username, n.status) for n in rows] == [
        ("executive", NotificationStatus.SENT),
        ("xiong", NotificationStatus.SENT),
    ]
    assert len(smtp_server.mails()) == 5


def test_taking_over_a_lock_mails_the_previous_holder(
    ready_issue: Issue, people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    article = ready_issue.articles.get(responsible_editor__user=people.editor)
    locks.lock_acquire(actor=people.editor, article=article)

    lock = locks.lock_take_over(actor=people.executive, article=article)

    [mail] = smtp_server.wait_for(1)
    celery_worker.drain()
    assert lock.holder == people.executive
    assert mail.recipients == ("xiong@example.org",)
    assert mail.subject == SUBJECT.format("接管编辑")
    assert mail.body.startswith("熊灵犀，您好：\n\n")
    assert "操作：接管编辑\n操作人：杨婷\n说明：接管了 熊灵犀 的编辑\n" in mail.body
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.event, notification.status) == (
        people.editor,
        "lock_takeover",
        NotificationStatus.SENT,
    )

    # Taking over one's own lock tells nobody.
    locks.lock_take_over(actor=people.executive, article=article)
    celery_worker.drain()
    assert EditLock.objects.get(article=article).holder == people.executive
    assert Notification.objects.count() == 1
    assert len(smtp_server.mails()) == 1
