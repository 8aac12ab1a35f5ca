"""The job kinds' table is what Celery runs: each task's name, time limits and queue."""

import datetime

import pytest
from pytest_django.fixtures import Settings

import editorial.tasks  # noqa: F401  (registers the tasks, as a worker's start does)
from digest.celery import app
from editorial.jobs import JOB_KINDS, RENDITION, WECHAT_PUSH, JobKind


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda kind: kind.name)
def test_each_kind_s_task_has_the_table_s_name_limits_and_queue(
    kind: JobKind, settings: Settings
) -> None:
    task = app.tasks[kind.task]

    assert task.name == kind.task
    assert (task.soft_time_limit, task.time_limit) == settings.DIGEST_JOB_TIME_LIMITS[kind.name]
    assert (task.soft_time_limit, task.time_limit) == (kind.soft_time_limit, kind.time_limit)
    assert task.soft_time_limit < task.time_limit
    assert app.amqp.router.route({}, kind.task)["queue"].name == kind.queue
    if kind.retry_backoff_max:
        assert task.retry_backoff_max == kind.retry_backoff_max


def test_the_lease_outlasts_the_hard_time_limit(settings: Settings) -> None:
    for kind in JOB_KINDS:
        limit = datetime.timedelta(seconds=kind.retry_backoff_max + kind.time_limit)
        assert kind.lease == limit + datetime.timedelta(
            seconds=settings.DIGEST_JOB_LEASE_MARGIN_SECONDS
        )
    settings.DIGEST_JOB_TIME_LIMITS = {**settings.DIGEST_JOB_TIME_LIMITS, "wechat_push": (50, 90)}
    settings.DIGEST_JOB_LEASE_MARGIN_SECONDS = 30
    assert WECHAT_PUSH.lease == datetime.timedelta(seconds=120)


def test_renditions_go_to_the_render_queue_and_other_tasks_to_the_default_one() -> None:
    assert app.amqp.router.route({}, RENDITION.task)["queue"].name == "render"
    route = app.amqp.router.route({}, "editorial.tasks.wechat_sweep")
    assert route["queue"].name == app.conf.task_default_queue == "default"
