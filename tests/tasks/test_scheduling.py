"""Scheduled publishing, once however often it fires, and the beat schedule that fires it."""

import datetime
import threading

import pytest
from celery.schedules import schedule
from django.db import connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler
from pytest_django.fixtures import Settings

from digest.celery import app
from editorial.models import AuditEntry, Issue, Notification, NotificationStatus
from editorial.services import issue_transitions
from editorial.tasks import publish_due_issues
from editorial.workflow import IssueStatus
from tests.tasks.support import ScheduleBoard, SmtpServer, WorkerLog

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLISH_TASK = "editorial.tasks.publish_due_issues"


def assert_published_once(board: ScheduleBoard, smtp_server: SmtpServer) -> None:
    """Only the due issue is published, with one audit row and one e-mail per executive."""
    due = Issue.objects.get(pk=board.due.pk)
    assert due.status == IssueStatus.PUBLISHED
    assert board.due.scheduled_at is not None and due.published_at is not None
    assert due.published_at >= board.due.scheduled_at
    assert Issue.objects.get(pk=board.later.pk).status == IssueStatus.SCHEDULED
    assert Issue.objects.get(pk=board.cancelled.pk).status == IssueStatus.APPROVED
    assert list(
        AuditEntry.objects.filter(action="publish").values_list("issue", "actor", "to_state")
    ) == [(due.pk, None, IssueStatus.PUBLISHED)]
    notifications = Notification.objects.filter(event="publish").order_by("recipient__username")
    assert [(n.recipient.username, n.issue_id, n.status) for n in notifications] == [
        ("executive", due.pk, NotificationStatus.SENT),
        ("executive2", due.pk, NotificationStatus.SENT),
    ]
    mails = smtp_server.mails()[board.mails_before :]
    assert sorted(m.recipients for m in mails) == [
        ("executive2@example.org",),
        ("executive@example.org",),
    ]
    assert [m.subject for m in mails] == ["[大数据发展动态] 第16期 总第179期：发布"] * 2
    for mail in mails:
        assert "（已发布）\n操作：发布\n操作人：系统\n" in mail.body


def test_the_set_up_is_what_the_scheduler_sees(schedule_board: ScheduleBoard) -> None:
    now = timezone.now()
    assert issue_transitions.issues_due_for_publication(now) == [schedule_board.due.pk]
    assert (schedule_board.cancelled.status, schedule_board.cancelled.scheduled_at) == (
        IssueStatus.APPROVED,
        None,
    )
    later = schedule_board.later
    assert later.status == IssueStatus.SCHEDULED
    assert later.scheduled_at is not None and later.scheduled_at > now


def test_publishing_due_issues_twice_on_the_worker_publishes_once(
    schedule_board: ScheduleBoard, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    publish_due_issues.delay()
    publish_due_issues.delay()

    runs = celery_worker.wait_for_runs(PUBLISH_TASK, 2)
    smtp_server.wait_for(schedule_board.mails_before + 2)
    celery_worker.drain()
    assert [(r.state, r.retval) for r in runs] == [("SUCCESS", 1), ("SUCCESS", 0)]
    assert_published_once(schedule_board, smtp_server)


def test_publishing_due_issues_from_two_threads_at_once_publishes_once(
    schedule_board: ScheduleBoard, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    start = threading.Barrier(2)
    published: list[int] = []

    def run() -> None:
        try:
            start.wait(timeout=5)
            published.append(publish_due_issues())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(published) == [0, 1]
    smtp_server.wait_for(schedule_board.mails_before + 2)
    celery_worker.drain()
    assert_published_once(schedule_board, smtp_server)


def test_a_cancelled_schedule_is_not_published_even_if_the_scheduler_listed_it(
    schedule_board: ScheduleBoard, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    """The scheduler re-checks under the row lock: the list it read may be out of date."""
    now = timezone.now() + datetime.timedelta(hours=3)

    assert (
        issue_transitions.issue_publish_scheduled(issue_id=schedule_board.cancelled.pk, now=now)
        is False
    )
    assert (
        issue_transitions.issue_publish_scheduled(issue_id=schedule_board.due.pk, now=now) is True
    )
    assert (
        issue_transitions.issue_publish_scheduled(issue_id=schedule_board.due.pk, now=now) is False
    )

    smtp_server.wait_for(schedule_board.mails_before + 2)
    celery_worker.drain()
    assert_published_once(schedule_board, smtp_server)


def test_beat_loads_the_schedule_from_settings(settings: Settings) -> None:
    scheduler = DatabaseScheduler(app=app)

    entries = scheduler.schedule

    loaded = {
        name: (entry.task, type(entry.schedule), entry.schedule.run_every)
        for name, entry in entries.items()
    }
    assert loaded["publish-due-issues"] == (
        PUBLISH_TASK,
        schedule,
        datetime.timedelta(seconds=60),
    )
    assert loaded["notifications-sweep"] == (
        "editorial.tasks.notifications_sweep",
        schedule,
        datetime.timedelta(seconds=300),
    )
    assert loaded == {
        name: (entry["task"], schedule, datetime.timedelta(seconds=entry["schedule"]))
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    rows = PeriodicTask.objects.values_list(
        "task", "interval__every", "interval__period", "crontab__hour", "enabled"
    )
    assert rows.get(name="publish-due-issues") == (PUBLISH_TASK, 60, "seconds", None, True)
    assert rows.get(name="notifications-sweep") == (
        "editorial.tasks.notifications_sweep",
        300,
        "seconds",
        None,
        True,
    )
    # There is no result backend, so no nightly result clean-up either (CELERY_RESULT_EXPIRES).
    assert not rows.filter(name="celery.backend_cleanup").exists()
    assert sorted(PeriodicTask.objects.values_list("name", flat=True)) == sorted(
        settings.CELERY_BEAT_SCHEDULE
    )
