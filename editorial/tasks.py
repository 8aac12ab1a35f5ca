"""Celery tasks: thin — load by id, call one service, own the retry policy."""

import logging

from celery import shared_task
from django.utils import timezone

from editorial.services.notifications import SEND_TASK, notification_deliver, notifications_pending
from editorial.services.workflow import issue_publish_scheduled, issues_due_for_publication

logger = logging.getLogger(__name__)


@shared_task(
    name=SEND_TASK,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
)
def notification_send(notification_id: int) -> bool:
    return notification_deliver(notification_id)


@shared_task(name="editorial.tasks.notifications_sweep")
def notifications_sweep() -> int:
    """Re-send notifications that were recorded but never picked up (broker down at commit)."""
    pending = notifications_pending()
    for notification_id in pending:
        notification_send.delay(notification_id)
    return len(pending)


@shared_task(name="editorial.tasks.publish_due_issues")
def publish_due_issues() -> int:
    """Publish scheduled issues whose time has come; safe to run twice or on two workers."""
    now = timezone.now()
    published = sum(
        issue_publish_scheduled(issue_id=i, now=now) for i in issues_due_for_publication(now)
    )
    if published:
        logger.info("published %d scheduled issue(s)", published)
    return published
