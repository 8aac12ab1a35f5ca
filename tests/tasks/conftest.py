"""Fixtures for the task tests: a real SMTP server, a real Celery worker on Redis, and staff.

The worker runs in a thread of the test process. Its broker keys (queues, bindings, unacked
messages) live under a prefix of their own, fresh in each test and deleted after it, so it never
takes work from another test or another run sharing the Redis database. It reads the database
through its own connection, so the tests that use it need committed data (``transactional_db``);
the test modules add ``serialized_rollback`` so that the role groups created by migrations are
there in every test, not only in the first.
"""

import datetime
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from pytest_django.fixtures import Settings

from digest.celery import app
from editorial.models import Issue, Notification, NotificationStatus, Person
from editorial.roles import Role
from editorial.services import approvals, articles, issue_transitions
from editorial.services.bundles import issue_import
from tests.builders import BundleMaker
from tests.tasks.support import (
    ScheduleBoard,
    SmtpServer,
    Staff,
    WorkerLog,
    celery_config,
    wait_until,
)
from tests.workflow_helpers import sample_issue, staff


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[SmtpServer]:
    """A running SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def celery_worker(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[WorkerLog]:
    """A real worker (solo pool, in a thread) on the Redis broker; nothing runs eagerly.

    It takes tasks from the default queue, or from the queues a test module names in
    ``WORKER_QUEUES`` (renditions have their own, ``render``)."""
    queues = getattr(request.module, "WORKER_QUEUES", None)
    log = WorkerLog(key_prefix=f"digest-tests-{uuid.uuid4().hex}:")
    signals.task_postrun.connect(log.record, weak=False)
    try:
        with celery_config(
            app,
            task_always_eager=False,
            worker_hijack_root_logger=False,
            worker_enable_remote_control=False,
            broker_transport_options={
                # Every key this test's producers and worker use, in a namespace of its own.
                "global_keyprefix": log.key_prefix,
                # The consumer waits on BRPOP this long at most: stopping the worker waits for it.
                "polling_interval": 0.1,
            },
        ):
            try:
                root = logging.getLogger()
                level, handlers = root.level, list(root.handlers)
                with start_worker(
                    app,
                    pool="solo",
                    perform_ping_check=False,
                    loglevel="WARNING",
                    **({"queues": list(queues)} if queues else {}),
                ):
                    # Starting sets up logging again (the first one re-runs django.setup() and
                    # its LOGGING; every one sets the root level): keep the session's as it was.
                    root.setLevel(level)
                    root.handlers[:] = handlers
                    yield log
            finally:
                broker = redis.Redis.from_url(app.conf.broker_url)
                for key in broker.scan_iter(match=f"{log.key_prefix}*"):
                    broker.delete(key)
    finally:
        signals.task_postrun.disconnect(log.record)


@pytest.fixture
def people(transactional_db: None) -> Staff:
    return Staff(
        executive=staff("executive", "杨婷", Role.EXECUTIVE_EDITOR),
        board1=staff("board1", "程茹", Role.BOARD_MEMBER),
        board2=staff("board2", "钟新敏", Role.BOARD_MEMBER),
        chief=staff("chief", "宋希贤", Role.EDITOR_IN_CHIEF),
        editor=staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR),
    )


@pytest.fixture
def ready_issue(people: Staff) -> Issue:
    """The sample issue in edit with every article ready, one assigned to ``people.editor``.

    None of these steps notifies anybody, so nothing is queued before the test begins.
    """
    issue = sample_issue()
    executive = people.executive
    issue_transitions.issue_start_edit(actor=executive, issue_id=issue.pk)
    software = issue.articles.get(source="")
    software.source = "工业和信息化部运行监测协调局"
    software.responsible_editor = Person.objects.get(user=people.editor)
    articles.article_save(actor=executive, article=software, base_version=software.lock_version)
    for article in issue.articles.all():
        articles.article_transition(actor=executive, article_id=article.pk, name="start_edit")
        articles.article_transition(actor=executive, article_id=article.pk, name="mark_ready")
    assert not Notification.objects.exists()
    return Issue.objects.get(pk=issue.pk)


@pytest.fixture
def schedule_board(
    people: Staff, make_bundle: BundleMaker, smtp_server: SmtpServer, celery_worker: WorkerLog
) -> ScheduleBoard:
    """Three approved issues: one scheduled and due, one scheduled for later, one unscheduled.

    Their workflow e-mails are sent and counted before the test begins.
    """
    staff("executive2", "王芳", Role.EXECUTIVE_EDITOR)  # publication is told to each executive
    issues = [_approved_issue(people, make_bundle, number) for number in (16, 17, 18)]
    due, later, cancelled = issues
    at = timezone.now() + datetime.timedelta(hours=2)
    for issue in issues:
        issue_transitions.issue_schedule(actor=people.executive, issue_id=issue.pk, at=at)
    # issue_schedule refuses a time in the past: a minute ago is only reached by waiting.
    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    Issue.objects.filter(pk__in=[due.pk, cancelled.pk]).update(scheduled_at=a_minute_ago)
    issue_transitions.issue_unschedule(actor=people.executive, issue_id=cancelled.pk)
    wait_until(
        lambda: not Notification.objects.filter(status=NotificationStatus.PENDING).exists(),
        "the set-up's notifications to be sent",
    )
    celery_worker.drain()
    return ScheduleBoard(
        due=Issue.objects.get(pk=due.pk),
        later=Issue.objects.get(pk=later.pk),
        cancelled=Issue.objects.get(pk=cancelled.pk),
        mails_before=len(smtp_server.mails()),
    )


def _approved_issue(people: Staff, make_bundle: BundleMaker, number: int) -> Issue:
    def numbered(manifest: dict[str, Any]) -> None:
        manifest["issue"].update(
            number=number,
            total_number=163 + number,
            date=(datetime.date(2024, 5, 6) + datetime.timedelta(weeks=number - 16)).isoformat(),
        )

    issue = issue_import(actor=None, source=make_bundle(edit=numbered, name=f"issue-{number}"))
    issue_transitions.issue_start_edit(actor=people.executive, issue_id=issue.pk)
    for article in issue.articles.all():
        articles.article_transition(
            actor=people.executive, article_id=article.pk, name="start_edit"
        )
        articles.article_transition(
            actor=people.executive, article_id=article.pk, name="mark_ready"
        )
    issue_transitions.issue_submit(actor=people.executive, issue_id=issue.pk)
    approvals.issue_approve(actor=people.chief, issue_id=issue.pk, comment="同意")
    return issue
