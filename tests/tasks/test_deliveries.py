"""The e-mail edition's fan-out on a real Celery worker over Redis and a real SMTP server:
publishing sends every frozen row exactly once through several senders claiming batches, and the
sweeper wakes a mailing nobody was sending (the broker was down when it was frozen)."""

import logging
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from pytest_django.fixtures import Settings

from digest.celery import app
from editorial.models import Delivery, DeliveryStatus, Mailing
from editorial.services.deliveries import deliveries_sweep, issue_mailing
from editorial.tasks import deliveries_sweep_task
from editorial.workflow import IssueStatus
from tests import factories
from tests.tasks.support import SmtpServer, celery_config, wait_until
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def worker(transactional_db: None, smtp_server: SmtpServer, settings: Settings) -> Iterator[None]:
    """A real worker (solo pool, in a thread) consuming every queue publishing uses."""
    settings.DIGEST_DELIVERY_CONNECTIONS = 3
    settings.DIGEST_DELIVERY_BATCH_SIZE = 7
    settings.DIGEST_SITE_URL = "https://digest.example.cn"
    prefix = f"digest-tests-{uuid.uuid4().hex}:"
    with celery_config(
        app,
        task_always_eager=False,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        broker_transport_options={"global_keyprefix": prefix, "polling_interval": 0.1},
    ):
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        try:
            with start_worker(
                app,
                pool="solo",
                perform_ping_check=False,
                loglevel="WARNING",
                queues=["default", "render", "delivery"],
            ):
                root.setLevel(level)
                root.handlers[:] = handlers
                yield
        finally:
            broker = redis.Redis.from_url(app.conf.broker_url)
            for key in broker.scan_iter(match=f"{prefix}*"):
                broker.delete(key)


def test_publishing_fans_out_and_every_subscriber_gets_one_message(
    worker: None, smtp_server: SmtpServer
) -> None:
    subscribers = factories.SubscriberFactory.create_batch(40)
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    mails = smtp_server.wait_for(40)
    mailing = Mailing.objects.get(issue=issue)
    wait_until(
        lambda: not mailing.deliveries.exclude(status=DeliveryStatus.SENT).exists(),
        "every row marked sent",
    )
    received = sorted(r for mail in mails for r in mail.recipients)
    assert received == sorted(s.email for s in subscribers)
    assert (
        len(set(Delivery.objects.filter(mailing=mailing).values_list("message_id", flat=True)))
        == 40
    )
    # The sweeper finds nothing left to wake.
    assert deliveries_sweep(timezone.now()) == []


def test_the_sweeper_sends_a_mailing_nobody_was_sending(
    worker: None, smtp_server: SmtpServer
) -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)  # nobody subscribed yet
    wait_until(lambda: issue.renditions.filter(status="done").exists(), "the final PDF")
    Mailing.objects.filter(issue=issue).delete()
    factories.SubscriberFactory.create_batch(5)
    mailing = issue_mailing(actor=None, issue_id=issue.pk)  # frozen, no sender asked for
    assert deliveries_sweep(timezone.now()) == [mailing.pk]
    deliveries_sweep_task.delay()
    assert len(smtp_server.wait_for(5)) == 5
    wait_until(
        lambda: mailing.deliveries.filter(status=DeliveryStatus.SENT).count() == 5, "5 rows sent"
    )
