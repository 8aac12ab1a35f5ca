"""The kinds of background job as data: each one's Celery task, queue, time limits and lease.

One table, read by everyone who needs these facts: the task decorators in ``tasks.py`` (name,
time limits), Celery's routing (``CELERY_TASK_ROUTES`` names ``job_route``), the services that
ask for a task after commit (by ``kind.task``) and claim a row (``kind.lease``). The numbers come
from settings (``DIGEST_JOB_TIME_LIMITS``, ``DIGEST_JOB_LEASE_MARGIN_SECONDS``), read when asked
for, so the sweep rule and the limits it must outlast cannot drift apart
(docs/decisions/0006-background-work-as-job-rows.md, "Leases").
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class JobKind:
    name: str  # the key in settings.DIGEST_JOB_TIME_LIMITS
    task: str  # the Celery task that runs one row of this kind
    queue: str
    # The longest a Celery retry waits for its turn (its retry_backoff_max); a row waiting for a
    # retry keeps its lease that much longer, so the sweeper leaves it to the retry.
    retry_backoff_max: int = 0

    @property
    def soft_time_limit(self) -> int:
        return int(settings.DIGEST_JOB_TIME_LIMITS[self.name][0])

    @property
    def time_limit(self) -> int:
        return int(settings.DIGEST_JOB_TIME_LIMITS[self.name][1])

    @property
    def lease(self) -> datetime.timedelta:
        """How long a claim holds the row: past the moment Celery kills the task (its hard time
        limit, plus any retry wait) by a margin, so a live worker's row is never claimed twice."""
        margin = settings.DIGEST_JOB_LEASE_MARGIN_SECONDS
        return datetime.timedelta(seconds=self.retry_backoff_max + self.time_limit + margin)


RENDITION = JobKind("rendition", task="editorial.tasks.rendition_generate", queue="render")
WECHAT_PUSH = JobKind("wechat_push", task="editorial.tasks.wechat_push", queue="default")
NOTIFICATION = JobKind(
    "notification",
    task="editorial.tasks.notification_send",
    queue="default",
    retry_backoff_max=1800,
)
# The reading site's pages, feeds and API documents of a publication (editorial/documents.py).
DOCUMENT_BUILD = JobKind("document_build", task="editorial.tasks.document_build", queue="default")
JOB_KINDS = (RENDITION, WECHAT_PUSH, NOTIFICATION, DOCUMENT_BUILD)


def job_route(name: str, *args: Any, **kwargs: Any) -> dict[str, str] | None:
    """Celery router (``CELERY_TASK_ROUTES``): a job's task goes to its kind's queue; other
    tasks to the default queue."""
    for kind in JOB_KINDS:
        if kind.task == name:
            return {"queue": kind.queue}
    return None
