"""Sending one notification: once only, retried while SMTP is down, swept up when nobody sent it."""

import datetime
import logging
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from celery import signals
from django.db import connection, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from pytest_django.fixtures import Settings

from digest.celery import app
from editorial.jobs import NOTIFICATION
from editorial.models import Issue, Notification, NotificationStatus
from editorial.services import issue_transitions
from editorial.services.notifications import notification_deliver, notifications_pending
from editorial.tasks import notification_send, notifications_sweep
from editorial.workflow import IssueStatus
from tests.tasks.support import SmtpServer, Staff, WorkerLog, celery_config

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEND_TASK = NOTIFICATION.task
SWEEP_TASK = "editorial.tasks.notifications_sweep"
REFUSED = "[Errno 111] Connection refused"


def pending_for(user: Any, key: str = "test:1") -> Notification:
    """A recorded notification nobody has queued (created outside any service: no enqueue)."""
    return Notification.objects.create(
        key=key, recipient=user, event="submit", subject="[大数据发展动态] 测试", body="正文"
    )


def state(notification: Notification) -> tuple[str, int, str]:
    notification.refresh_from_db()
    return notification.status, notification.attempts, notification.error


def age(notification: Notification, seconds: int) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


# --- once only ----------------------------------------------------------------------------------


def test_two_worker_deliveries_of_one_notification_send_one_email(
    people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    notification = pending_for(people.board1)

    notification_send.delay(notification.pk)
    notification_send.delay(notification.pk)

    runs = celery_worker.wait_for_runs(SEND_TASK, 2)
    assert [(r.args, r.state, r.retval) for r in runs] == [
        ((notification.pk,), "SUCCESS", True),
        ((notification.pk,), "SUCCESS", False),
    ]
    # Run again in this process, the task and the service both find nothing left to send.
    assert notification_send(notification.pk) is False
    assert notification_deliver(notification.pk) is False
    [mail] = smtp_server.mails()
    assert (mail.recipients, mail.subject) == (("board1@example.org",), "[大数据发展动态] 测试")
    assert state(notification) == (NotificationStatus.SENT, 1, "")


def test_concurrent_deliveries_of_one_notification_send_one_email(
    people: Staff, smtp_server: SmtpServer
) -> None:
    notification = pending_for(people.board1)
    start = threading.Barrier(2)
    results: list[bool] = []

    def deliver() -> None:
        try:
            start.wait(timeout=5)
            results.append(notification_deliver(notification.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert sorted(results) == [False, True]
    assert [m.recipients for m in smtp_server.mails()] == [("board1@example.org",)]
    assert state(notification) == (NotificationStatus.SENT, 1, "")


def test_a_notification_is_sent_while_another_transaction_refers_to_its_recipient(
    people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    """A row pointing at the recipient, being committed elsewhere, must not hide this one.

    The foreign-key check of such a row (an audit entry, the next notification) takes a
    key-share lock on the user's row while that transaction commits; the check is run early
    here so that the lock is held while the worker delivers.
    """
    notification = pending_for(people.board1)

    with transaction.atomic():
        pending_for(people.board1, key="test:2")
        connection.check_constraints()
        notification_send.delay(notification.pk)
        [run] = celery_worker.wait_for_runs(SEND_TASK, 1)

    assert (run.state, run.retval) == ("SUCCESS", True)
    assert [m.recipients for m in smtp_server.wait_for(1)] == [("board1@example.org",)]
    assert state(notification) == (NotificationStatus.SENT, 1, "")


# --- SMTP down ----------------------------------------------------------------------------------


def test_smtp_down_records_the_failure_and_the_worker_retries(
    people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    notification = pending_for(people.board1)
    smtp_server.stop()
    retries: list[tuple[type[BaseException], tuple[str, int, str]]] = []

    def on_retry(request: Any = None, reason: Any = None, **_: Any) -> None:
        # In the worker, before the retry can run: what the failed attempt left behind.
        if request is not None and request.args == [notification.pk] and request.retries == 0:
            row = Notification.objects.get(pk=notification.pk)
            retries.append((type(reason.exc), (row.status, row.attempts, row.error)))

    signals.task_retry.connect(on_retry, weak=False)
    try:
        notification_send.delay(notification.pk)
        run = celery_worker.wait_for_runs(SEND_TASK, 1)[0]  # a retry may follow at once
    finally:
        signals.task_retry.disconnect(on_retry)

    assert run.state == "RETRY"
    assert retries == [(ConnectionRefusedError, (NotificationStatus.PENDING, 1, REFUSED))]
    assert smtp_server.mails() == []


def test_delivery_fails_for_good_after_the_attempt_limit(
    settings: Settings, people: Staff, smtp_server: SmtpServer
) -> None:
    settings.DIGEST_NOTIFICATION_MAX_ATTEMPTS = 3
    notification = pending_for(people.board1)
    smtp_server.stop()

    for attempt, status in [
        (1, NotificationStatus.PENDING),
        (2, NotificationStatus.PENDING),
        (3, NotificationStatus.FAILED),
    ]:
        with pytest.raises(ConnectionRefusedError):
            notification_deliver(notification.pk)
        assert state(notification) == (status, attempt, REFUSED)

    smtp_server.start()
    assert notification_deliver(notification.pk) is False
    age(notification, 3600)
    assert notifications_pending() == []
    assert state(notification) == (NotificationStatus.FAILED, 3, REFUSED)
    assert smtp_server.mails() == []


def test_the_task_retries_until_the_notification_has_failed(
    settings: Settings, people: Staff, smtp_server: SmtpServer
) -> None:
    """Celery's retry budget for the task covers the service's attempt limit (both defaults)."""
    assert settings.DIGEST_NOTIFICATION_MAX_ATTEMPTS == 5
    notification = pending_for(people.board1)
    smtp_server.stop()

    # Run in this process, Celery runs each retry at once instead of after its countdown (a
    # propagated error would stop it at the first retry).
    with celery_config(app, task_eager_propagates=False):
        result = notification_send.apply(args=[notification.pk])

    assert (result.state, result.get()) == ("SUCCESS", False)
    assert state(notification) == (NotificationStatus.FAILED, 5, REFUSED)


def test_the_sweeper_sends_what_failed_once_smtp_is_back(
    people: Staff, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> None:
    stale = pending_for(people.board1)
    smtp_server.stop()
    with pytest.raises(ConnectionRefusedError):
        notification_deliver(stale.pk)
    retrying = pending_for(people.chief, key="test:3")
    with pytest.raises(ConnectionRefusedError):
        notification_deliver(retrying.pk)
    age(retrying, 120)  # tried two minutes ago: leased to its task's retry, still to come
    age(stale, 120)
    Notification.objects.filter(pk=stale.pk).update(  # tried, and its retry never came
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    fresh = pending_for(people.board2, key="test:2")  # younger than a minute: maybe still queued
    smtp_server.start()

    notifications_sweep.delay()

    [sweep] = celery_worker.wait_for_runs(SWEEP_TASK, 1)
    [mail] = smtp_server.wait_for(1)
    celery_worker.drain()
    assert sweep.retval == 1
    assert [(r.args, r.retval) for r in celery_worker.runs(SEND_TASK)] == [((stale.pk,), True)]
    assert mail.recipients == ("board1@example.org",)
    assert state(stale) == (NotificationStatus.SENT, 2, "")
    assert state(fresh) == (NotificationStatus.PENDING, 0, "")
    assert state(retrying)[:2] == (NotificationStatus.PENDING, 1)
    assert len(smtp_server.mails()) == 1


# --- broker down --------------------------------------------------------------------------------


def test_broker_down_at_commit_leaves_the_notifications_to_the_sweeper(
    ready_issue: Issue,
    people: Staff,
    smtp_server: SmtpServer,
    celery_worker: WorkerLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="editorial.services.jobs")
    with celery_config(
        app,
        broker_url="redis://127.0.0.1:1/0",
        broker_connection_retry=False,
        broker_connection_max_retries=0,
        broker_transport_options={"max_retries": 0},
        task_publish_retry=False,
    ):
        issue = issue_transitions.issue_submit(actor=people.executive, issue_id=ready_issue.pk)

    assert issue.status == IssueStatus.IN_REVIEW
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    notifications = list(Notification.objects.order_by("pk"))
    assert [(n.recipient.username, n.status, n.attempts) for n in notifications] == [
        ("board1", NotificationStatus.PENDING, 0),
        ("board2", NotificationStatus.PENDING, 0),
        ("chief", NotificationStatus.PENDING, 0),
    ]
    failures = [r for r in caplog.records if r.name == "editorial.services.jobs"]
    assert [r.getMessage() for r in failures] == [
        f"could not enqueue {SEND_TASK}({n.pk},); left for the sweeper" for n in notifications
    ]
    assert all(r.exc_info and r.exc_info[0] is OperationalError for r in failures)
    celery_worker.drain()
    assert celery_worker.runs(SEND_TASK) == []

    # A minute later the sweeper finds them, and the worker sends them.
    for notification in notifications:
        age(notification, 90)
    notifications_sweep.delay()

    [sweep] = celery_worker.wait_for_runs(SWEEP_TASK, 1)
    mails = smtp_server.wait_for(3)
    celery_worker.drain()
    assert sweep.retval == 3
    assert sorted(r.args for r in celery_worker.runs(SEND_TASK)) == [(n.pk,) for n in notifications]
    assert sorted(m.recipients for m in mails) == [
        ("board1@example.org",),
        ("board2@example.org",),
        ("chief@example.org",),
    ]
    assert set(Notification.objects.values_list("status", "attempts")) == {
        (NotificationStatus.SENT, 1)
    }


# --- a web process ------------------------------------------------------------------------------

ENQUEUE_FROM_A_FRESH_PROCESS = """
import sys
import django
django.setup()
from digest.celery import app
from editorial.services.jobs import enqueue_on_commit
app.conf.task_always_eager = False
app.conf.broker_transport_options = {"global_keyprefix": sys.argv[1]}
enqueue_on_commit("editorial.tasks.notifications_sweep")
"""


def test_a_process_that_never_imported_the_tasks_can_enqueue_them(
    settings: Settings, celery_worker: WorkerLog
) -> None:
    """Web processes import no task module: the enqueue must still find the task by its name."""
    db = connection.settings_dict  # the test database: the enqueue asks it about autocommit
    login = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest.settings.test",
        "DATABASE_URL": f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", ENQUEUE_FROM_A_FRESH_PROCESS, celery_worker.key_prefix],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert "could not enqueue" not in result.stderr
    assert result.returncode == 0
    [sweep] = celery_worker.wait_for_runs(SWEEP_TASK, 1)
    assert (sweep.state, sweep.retval) == ("SUCCESS", 0)
