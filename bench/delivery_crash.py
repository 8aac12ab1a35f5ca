"""Crash test: 10,000 confirmed subscribers, a Celery worker SIGKILLed three times mid-send and
restarted, its Redis (our own, on a spare loopback port, nothing on disk) restarted once.

Standalone: a throwaway PostgreSQL database, the sample issue published with its final PDF, the
audience frozen with no sender asked for, an SMTP sink process logging every accepted message.
A worker process (solo pool: one sender) consumes the delivery queue; this script plays beat,
running the delivery sweeper every second (production: every minute), which turns rows left
sending by a killed worker into ``uncertain`` and wakes the mailing when nobody holds it. Leases
are short (the task's limits are set low) so that the run takes a minute, not an hour.

    .venv/bin/python bench/delivery_crash.py [--subscribers 10000]

Prints ``missing`` (subscribers with no message and no uncertain row), ``duplicate`` (more than
one message), ``uncertain``. Target: missing 0, duplicate 0, uncertain <= 1 per kill.
"""

import argparse
import collections
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (  # noqa: E402
    Redis,
    Sink,
    confirmed_subscribers,
    django_on_postgres,
    published_sample_without_audience,
    start_worker,
)

KILLS_AT = (0.15, 0.4, 0.7)  # fractions of the audience sent when the worker is killed
REDIS_RESTART_AT = 0.55


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    redis = Redis()
    limits = {
        "DIGEST_DELIVERY_SOFT_TIME_LIMIT": "8",
        "DIGEST_DELIVERY_TIME_LIMIT": "10",
        "DIGEST_JOB_LEASE_MARGIN_SECONDS": "2",
        "DIGEST_DELIVERY_BATCH_SIZE": "50",
        "DIGEST_DELIVERY_CONNECTIONS": "1",
    }
    try:
        # Set-up first, without a broker (the PDF renders in-process), then the broker's URL.
        with django_on_postgres(CELERY_BROKER_URL=redis.url, **limits) as workdir:
            sink = Sink(workdir)
            try:
                run(args, redis, sink, workdir)
            finally:
                sink.stop()
    finally:
        redis.stop()


def run(args: argparse.Namespace, redis: Redis, sink: Sink, workdir: Path) -> None:
    from digest.celery import app
    from editorial.models import Delivery, DeliveryStatus
    from editorial.services.deliveries import issue_mailing
    from editorial.tasks import deliveries_sweep_task

    app.conf.task_always_eager = True  # the set-up renders the PDF in-process
    issue = published_sample_without_audience()
    confirmed_subscribers(args.subscribers)
    sink.clear()
    mailing = issue_mailing(actor=None, issue_id=issue.pk)  # frozen; the sweeper wakes it
    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
    }
    log = Path(os.environ.get("BENCH_WORKER_LOG", workdir / "worker.log"))
    worker = start_worker(env, log, queues="delivery,default")
    started = time.monotonic()
    kills: list[float] = list(KILLS_AT)
    redis_restarted = False
    while time.monotonic() - started < args.timeout:
        time.sleep(1)
        try:
            deliveries_sweep_task()  # what beat does; enqueueing fails while Redis is down
        except Exception as exc:  # noqa: BLE001 - the next sweep tries again
            print(f"sweep: {type(exc).__name__}", file=sys.stderr)
        done = len(sink.received()) / args.subscribers
        if kills and done >= kills[0]:
            kills.pop(0)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            print(f"killed the worker at {done:.0%}", file=sys.stderr)
            worker = start_worker(env, log, queues="delivery,default")
        if not redis_restarted and done >= REDIS_RESTART_AT:
            redis.stop()
            time.sleep(1)
            redis.start()
            redis_restarted = True
            print(f"restarted Redis at {done:.0%}", file=sys.stderr)
        open_rows = Delivery.objects.filter(
            mailing=mailing, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        )
        if not kills and redis_restarted and not open_rows.exists():
            break
    elapsed = time.monotonic() - started
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(30)

    received = collections.Counter(sink.received())
    rows = Delivery.objects.filter(mailing=mailing).select_related("subscriber")
    uncertain = {r.subscriber.email for r in rows if r.status == DeliveryStatus.UNCERTAIN}
    emails = [r.subscriber.email for r in rows]
    missing = sum(1 for e in emails if received[e] == 0 and e not in uncertain)
    duplicate = sum(1 for e in emails if received[e] > 1)
    statuses = collections.Counter(r.status for r in rows)
    print(f"subscribers = {args.subscribers}")
    print(f"kills = {len(KILLS_AT)}")
    print(f"redis_restarts = {int(redis_restarted)}")
    print(f"wall = {elapsed:.1f} s")
    print(f"sent_rows = {statuses[DeliveryStatus.SENT]}")
    print(f"missing = {missing}")
    print(f"duplicate = {duplicate}")
    print(f"uncertain = {len(uncertain)}")
    print(f"uncertain_received = {sum(1 for e in uncertain if received[e])}")


if __name__ == "__main__":
    main()
