"""What the delivery benchmarks share: a throwaway PostgreSQL database, a published sample issue
with its final PDF, N confirmed subscribers, an SMTP sink process, a Redis of their own."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SAMPLE = BASE_DIR / "samples" / "digest-2024-16"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def django_on_postgres(**environment: str) -> Iterator[Path]:
    """Django on a PostgreSQL database of this run (created, migrated, dropped at the end) and a
    media folder of its own; ``environment`` is set before Django starts (workers inherit it)."""
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    name = f"digest_bench_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"],  # noqa: S607 - fixed arguments, no shell
        check=False,
        capture_output=True,
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "digest.settings.local",
            "DATABASE_URL": f"{server}/{name}",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
            "DIGEST_SITE_URL": "https://digest.example.cn",
            # The site's own host: publishing renders its stored pages as requests to it.
            "DJANGO_ALLOWED_HOSTS": "digest.example.cn,127.0.0.1,localhost",
            "PYTHONPATH": str(BASE_DIR),
            # Nothing of the calling shell's services: no broker (tasks run in-process) unless
            # the benchmark names one, no shared cache, no mail server but the sink.
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "REDIS_CACHE_URL": "",
            "EMAIL_URL": "",
            **environment,
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    try:
        yield workdir
    finally:
        connections.close_all()
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],  # noqa: S607 - fixed arguments, no shell
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def approved_sample() -> Any:
    """The sample issue, every article ready, approved by the editor-in-chief but one step: the
    last approval is the caller's (returns the issue and the chief who gives it)."""
    from editorial.models import Article
    from editorial.roles import Role
    from editorial.services import issue_transitions
    from editorial.services.bundles import issue_import
    from tests.workflow_helpers import staff

    issue = issue_import(actor=None, source=SAMPLE)
    Article.objects.filter(issue=issue).update(status="ready")
    Article.objects.filter(issue=issue, source="").update(source="工业和信息化部运行监测协调局")
    issue_transitions.issue_start_edit(actor=None, issue_id=issue.pk)
    issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    chief = staff("bench_chief", "宋希贤", Role.EDITOR_IN_CHIEF)
    executive = staff("bench_executive", "杨婷", Role.EXECUTIVE_EDITOR)
    return issue, chief, executive


def published_sample_without_audience() -> Any:
    """The sample issue published (its final PDF rendered in-process) before anyone subscribed."""
    from editorial.models import Mailing
    from editorial.services import approvals, issue_transitions

    issue, chief, executive = approved_sample()
    approvals.issue_approve(actor=chief, issue_id=issue.pk, comment="同意")
    issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)
    Mailing.objects.filter(issue=issue).delete()  # empty: nobody had subscribed yet
    return issue


def confirmed_subscribers(count: int) -> None:
    import hashlib

    from django.utils import timezone

    from editorial.models import Subscriber, SubscriberFormat, SubscriberStatus

    now = timezone.now()
    rows = []
    for n in range(count):
        address = f"reader{n:05d}@example.cn"
        rows.append(
            Subscriber(
                email=address,
                email_hash=hashlib.sha256(address.encode()).hexdigest(),
                name=f"读者{n}",
                status=SubscriberStatus.CONFIRMED,
                format=SubscriberFormat.LINK,
                confirmed_at=now,
            )
        )
    Subscriber.objects.bulk_create(rows, batch_size=2000)


class Sink:
    """The SMTP sink process; ``received()`` reads its log: one recipient per accepted message."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / f"sink-{self.port}.log"
        self.log.touch()
        script = Path(__file__).with_name("smtp_sink.py")
        self.process = subprocess.Popen([PYTHON, str(script), str(self.port), str(self.log)])  # noqa: S603 - fixed arguments, no shell
        wait_for_port(self.port)

    def received(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()

    def clear(self) -> None:
        self.log.write_text("", encoding="utf-8")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Redis:
    """A redis-server of our own on a spare loopback port, with nothing kept on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [  # noqa: S607 - fixed arguments, no shell
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


def start_worker(
    env: dict[str, str], log: Path, *, queues: str, concurrency: int = 0
) -> "subprocess.Popen[bytes]":
    """A Celery worker in a session of its own, so that the whole of it can be killed at once:
    the solo pool (one task at a time, in the process that is killed) unless ``concurrency``
    asks for that many pool processes."""
    pool = ["-c", str(concurrency)] if concurrency else ["-P", "solo"]
    command = [PYTHON, "-m", "celery", "-A", "digest", "worker", *pool, "-Q", queues]
    command += ["-l", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
