"""Asking for background work by task name, after the transaction that recorded it commits.

Services never import tasks: they record the work as a row and name the task that handles it.
If the broker is down at that moment the row stays pending and the periodic sweeper sends it.
"""

import datetime
import logging

from django.conf import settings
from django.db import models, transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args: object) -> None:
    def send() -> None:
        from digest.celery import app

        try:
            if task_name not in app.tasks:
                # Only a worker imports the task modules on start; a web process has not.
                app.autodiscover_tasks(force=True)
            app.tasks[task_name].apply_async(args, retry=False)
        except Exception:  # the sweeper picks the row up later
            logger.exception("could not enqueue %s%r; left for the sweeper", task_name, args)

    transaction.on_commit(send)


def jobs_stalled(
    jobs: "models.QuerySet[models.Model]",
    *,
    now: datetime.datetime,
    pending: str,
    running: str,
    running_since: str,
    pending_since: str,
) -> list[int]:
    """Job rows no task is working on, for a sweeper to queue again: pending for over a minute
    (the broker was down at commit), or running past the task time limit (the worker died —
    set pending again)."""
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with transaction.atomic():
        jobs.filter(status=running, **{f"{running_since}__lt": now - limit}).update(status=pending)
    waiting = now - datetime.timedelta(seconds=60)
    stalled = jobs.filter(status=pending, **{f"{pending_since}__lt": waiting})
    return list(stalled.values_list("pk", flat=True)[:100])
