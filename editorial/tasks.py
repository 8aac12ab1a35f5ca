"""Celery tasks: thin — load by id, call one service, own the retry policy.

A job's task takes its name and time limits from its kind (editorial/jobs.py), the table the
leases and the routing are read from too. Celery imports this module after Django's set-up, so
the limits come from the settings in force.
"""

import logging

from celery import shared_task
from django.utils import timezone

from editorial.jobs import DOCUMENT_BUILD, NOTIFICATION, RENDITION, WECHAT_PUSH
from editorial.services.documents import document_build_run, document_builds_stalled
from editorial.services.issue_transitions import issues_publish_due
from editorial.services.notifications import notification_deliver, notifications_pending
from editorial.services.renditions import rendition_generate, renditions_stalled
from editorial.services.wechat import (
    wechat_publish_poll,
    wechat_push_run,
    wechat_pushes_stalled,
    wechat_pushes_to_poll,
)

logger = logging.getLogger(__name__)


@shared_task(
    name=NOTIFICATION.task,
    soft_time_limit=NOTIFICATION.soft_time_limit,
    time_limit=NOTIFICATION.time_limit,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=NOTIFICATION.retry_backoff_max,
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
    published = issues_publish_due(timezone.now())
    if published:
        logger.info("published %d scheduled issue(s)", published)
    return published


@shared_task(
    name=RENDITION.task,
    acks_late=True,
    soft_time_limit=RENDITION.soft_time_limit,
    time_limit=RENDITION.time_limit,
)
def rendition_generate_task(rendition_id: int) -> str:
    """Render one job row (its own queue: see CELERY_TASK_ROUTES); a retry renders nothing twice."""
    rendition = rendition_generate(rendition_id)
    return rendition.status if rendition else "skipped"


@shared_task(name="editorial.tasks.renditions_sweep")
def renditions_sweep() -> int:
    """Queue again the renditions nobody picked up or whose lease ran out (the worker died)."""
    stalled = renditions_stalled(timezone.now())
    for rendition_id in stalled:
        rendition_generate_task.delay(rendition_id)
    return len(stalled)


@shared_task(
    name=WECHAT_PUSH.task,
    acks_late=True,
    soft_time_limit=WECHAT_PUSH.soft_time_limit,
    time_limit=WECHAT_PUSH.time_limit,
)
def wechat_push(push_id: int) -> str:
    """Push an issue's drafts, or submit them for publishing (the sweeper polls the outcome)."""
    push = wechat_push_run(push_id)
    return push.status if push else "skipped"


@shared_task(name="editorial.tasks.wechat_poll")
def wechat_poll(push_id: int) -> str:
    """Ask WeChat how publishing stands; the row says whether to ask again."""
    push = wechat_publish_poll(push_id)
    return push.status if push else "skipped"


@shared_task(name="editorial.tasks.wechat_sweep")
def wechat_sweep() -> int:
    """Every minute: queue again the pushes nobody picked up or whose lease ran out, poll those
    still publishing."""
    stalled = wechat_pushes_stalled(timezone.now())
    for push_id in stalled:
        wechat_push.delay(push_id)
    for push_id in wechat_pushes_to_poll():
        wechat_poll.delay(push_id)
    return len(stalled)


@shared_task(
    name=DOCUMENT_BUILD.task,
    acks_late=True,
    soft_time_limit=DOCUMENT_BUILD.soft_time_limit,
    time_limit=DOCUMENT_BUILD.time_limit,
)
def document_build(build_id: int) -> str:
    """Render and store the reading site's documents of one publication; twice stores once."""
    build = document_build_run(build_id)
    return build.status if build else "skipped"


@shared_task(name="editorial.tasks.document_builds_sweep")
def document_builds_sweep() -> int:
    """Queue again the document builds nobody picked up or whose lease ran out."""
    stalled = document_builds_stalled(timezone.now())
    for build_id in stalled:
        document_build.delay(build_id)
    return len(stalled)
