"""Asking for background work by task name, after the transaction that recorded it commits.

Services never import tasks: they record the work as a row and name the task that handles it.
If the broker is down at that moment the row stays pending and the periodic sweeper sends it.
A worker claims a row with a lease (``job_lease``) and renews it (``job_extend_lease``); the
sweeper takes back only rows whose lease ran out (``jobs_stalled``).
"""

import datetime
import logging

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from editorial.models.jobs import Job, JobStatus

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


def job_lease(row: Job) -> datetime.datetime:
    """When a claim (or a renewal) of ``row`` made now runs out: its kind's lease from now."""
    return timezone.now() + row.job_kind.lease


def job_extend_lease(row: Job) -> None:
    """Renew a running row's lease as its work makes progress: an UPDATE of that column alone,
    so that it never writes back fields the worker has not saved yet."""
    row.lease_expires_at = job_lease(row)
    type(row)._default_manager.filter(pk=row.pk, status=JobStatus.RUNNING).update(
        lease_expires_at=row.lease_expires_at
    )


def jobs_stalled(
    jobs: "models.QuerySet[Job]", *, now: datetime.datetime, pending_since: str, limit: int = 100
) -> list[int]:
    """Job rows no worker holds, for a sweeper to queue again: running past their lease (the
    worker died or was killed — set pending again), and pending for over a minute with no lease
    left (the broker was down at commit, or a retry never came). A running row whose lease is
    live is left alone however long it has run: its worker is still renewing it."""
    jobs.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now).update(
        status=JobStatus.PENDING, lease_expires_at=None
    )
    unleased = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    waiting = now - datetime.timedelta(seconds=60)
    stalled = jobs.filter(unleased, status=JobStatus.PENDING, **{f"{pending_since}__lt": waiting})
    return list(stalled.order_by("pk").values_list("pk", flat=True)[:limit])
