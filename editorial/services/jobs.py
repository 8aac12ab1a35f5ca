"""Asking for background work by task name, after the transaction that recorded it commits.

Services never import tasks: they record the work as a row and name the task that handles it.
If the broker is down at that moment the row stays pending and the periodic sweeper sends it.
"""

import logging

from django.db import transaction

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
