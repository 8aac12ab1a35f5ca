"""Benchmark: the e-mail edition to 10,000 subscribers through a local SMTP sink, against a plain
smtplib loop sending the same messages over one connection.

Standalone: a throwaway PostgreSQL database (``BENCH_POSTGRES_URL``, default the local server),
the sample issue published with its final PDF, N confirmed subscribers, and an SMTP sink in a
process of its own. Timed: ``deliver_issue``'s path (freeze the audience, then the embedded
senders — ``DIGEST_DELIVERY_CONNECTIONS`` of them — claim, render, send and record every row).
The ceiling: the same messages, built beforehand (not timed), sent by smtplib over one
connection. ``delivery_vs_baseline`` is delivery's messages/s over the ceiling's.

    .venv/bin/python bench/delivery.py [--subscribers 10000] [--connections N]

``--connections`` defaults to the setting ``DIGEST_DELIVERY_CONNECTIONS`` (4): what
``deliver_issue`` uses when it is not told.

Targets (2-core machine): 10,000 in <= 30 s, delivery_vs_baseline >= 0.8.
"""

import argparse
import os
import smtplib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    Sink,
    confirmed_subscribers,
    django_on_postgres,
    published_sample_without_audience,
)  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=None)
    args = parser.parse_args()
    with django_on_postgres() as workdir:
        sink = Sink(workdir)
        os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        try:
            run(args.subscribers, args.connections or settings.DIGEST_DELIVERY_CONNECTIONS, sink)
        finally:
            sink.stop()


def run(count: int, connections: int, sink: Sink) -> None:
    from django.conf import settings

    from editorial.integrations.mail import RawMessage
    from editorial.models import Delivery
    from editorial.services.deliveries import (
        delivery_message,
        issue_mailing,
        mailing_content,
        mailing_deliver_here,
    )

    issue = published_sample_without_audience()
    confirmed_subscribers(count)
    sink.clear()  # the workflow's own notifications

    started = time.perf_counter()
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    report = mailing_deliver_here(mailing.pk, connections=connections)
    wall = time.perf_counter() - started
    assert report.sent == count and len(sink.received()) == count, (report, len(sink.received()))

    # The ceiling: the same messages, over one connection, by smtplib alone.
    content = mailing_content(mailing.pk)
    assert content is not None
    rows = Delivery.objects.filter(mailing=mailing).select_related("subscriber").order_by("pk")
    sent = 0
    baseline = 0.0
    client = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT)
    batch: list[tuple[str, bytes]] = []

    def flush() -> float:
        begun = time.perf_counter()
        for to, data in batch:
            client.sendmail(settings.DIGEST_DELIVERY_FROM_EMAIL, [to], data)
        batch.clear()
        return time.perf_counter() - begun

    for row in rows.iterator(chunk_size=1000):
        # The bytes delivery hands over: the mailing's serialised message, personalised.
        message = delivery_message(content, row, raw=True)
        assert isinstance(message, RawMessage)
        batch.append((row.subscriber.email, message.data))
        sent += 1
        if len(batch) == 500:
            baseline += flush()
    baseline += flush()
    client.quit()

    print(f"subscribers = {count}")
    print(f"connections = {connections}")
    print(f"delivery_wall = {wall:.2f} s")
    print(f"delivery_rate = {count / wall:.0f} messages/s")
    print(f"baseline_wall = {baseline:.2f} s")
    print(f"baseline_rate = {sent / baseline:.0f} messages/s")
    print(f"delivery_vs_baseline = {(count / wall) / (sent / baseline):.2f}")


if __name__ == "__main__":
    main()
