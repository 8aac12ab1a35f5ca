"""From the board's last approval to everyone: with 10,000 confirmed subscribers, the time from
the last approval plus 发布 (and the 公众号 push an editor asks for) until the final PDF is
rendered, the WeChat drafts exist, every e-mail is accepted by the SMTP sink and the archive page
answers.

Standalone: a throwaway PostgreSQL database, a Redis of its own on a spare port, the tests' local
WeChat server (tests/integrations/fake_wechat.py, speaking the Official Account API), the SMTP
sink in a process of its own, and two workers as in docker-compose.yml: one on the ``render``
queue, one on ``default,delivery`` with a pool process per core (Celery's default there).

    .venv/bin/python bench/publish_to_all.py [--subscribers 10000]

Prints each milestone and ``approval_to_all_s``. Target: <= 60 s.
"""

import argparse
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (  # noqa: E402
    Redis,
    Sink,
    approved_sample,
    confirmed_subscribers,
    django_on_postgres,
    start_worker,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    from tests.integrations.fake_wechat import FakeWechat

    redis = Redis()
    wechat = FakeWechat(app_id="wx-bench-publish")
    wechat.start()
    environment = {
        "CELERY_BROKER_URL": redis.url,
        "REDIS_CACHE_URL": redis.url.replace("/0", "/1"),
        "WECHAT_API_BASE": wechat.base_url,
        "WECHAT_APP_ID": wechat.app_id,
        "WECHAT_APP_SECRET": wechat.app_secret,
    }
    try:
        with django_on_postgres(**environment) as workdir:
            sink = Sink(workdir)
            try:
                run(args, sink, workdir)
            finally:
                sink.stop()
    finally:
        wechat.stop()
        redis.stop()


def run(args: argparse.Namespace, sink: Sink, workdir: Path) -> None:
    from django.test import Client

    from digest.celery import app
    from editorial.models import Mailing, Publication, WechatPush, WechatPushStatus
    from editorial.selectors import issue_final_pdf
    from editorial.services import approvals, issue_transitions
    from editorial.services.wechat import wechat_push_request

    app.conf.task_always_eager = True  # the set-up's own work runs in-process
    issue, chief, executive = approved_sample()
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    confirmed_subscribers(args.subscribers)
    app.conf.task_always_eager = False

    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    log = Path(os.environ.get("BENCH_WORKER_LOG", workdir / "workers.log"))
    workers = [
        start_worker(env, log, queues="render"),
        start_worker(env, log, queues="default,delivery", concurrency=os.cpu_count() or 1),
    ]
    try:
        ready = time.monotonic() + 60
        while len(app.control.ping(timeout=1)) < len(workers) and time.monotonic() < ready:
            pass
        sink.clear()
        page = f"/archive/{issue.publication.slug}/{issue.total_number}/"
        client = Client(HTTP_HOST="127.0.0.1")
        reached: dict[str, float] = {}

        started = time.monotonic()
        approvals.issue_approve(actor=chief, issue_id=issue.pk, comment="同意")
        issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)
        wechat_push_request(actor=executive, issue_id=issue.pk)  # the editor's next click
        probes = {
            "archive_page": lambda: client.get(page).status_code == 200,
            "final_pdf": lambda: issue_final_pdf(issue.pk) is not None,
            "wechat_draft": lambda: WechatPush.objects.filter(
                issue=issue, status=WechatPushStatus.DRAFTED
            ).exists(),
            "all_emails": lambda: len(sink.received()) >= args.subscribers,
        }
        while len(reached) < len(probes) and time.monotonic() - started < args.timeout:
            for name, probe in probes.items():
                if name not in reached and probe():
                    reached[name] = time.monotonic() - started
            time.sleep(0.2)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
    mailing = Mailing.objects.get(issue=issue)
    print(f"subscribers = {args.subscribers}")
    print(f"frozen_recipients = {mailing.recipients}")
    print(f"emails_accepted = {len(sink.received())}")
    for name in probes:
        value = f"{reached[name]:.1f} s" if name in reached else "not reached"
        print(f"approval_to_{name}_s = {value}")
    total = max(reached.values()) if len(reached) == len(probes) else float("nan")
    print(f"approval_to_all_s = {total:.1f} s")


if __name__ == "__main__":
    main()
