"""The real parts the task tests run against: an SMTP server, and what a Celery worker did."""

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any, TypeVar, cast

from aiosmtpd.controller import Controller
from celery import Celery
from celery.contrib.testing.tasks import ping
from django.contrib.auth.models import User
from kombu import pools as kombu_pools

from editorial.models import Issue

T = TypeVar("T")
WAIT_SECONDS = 15.0


def wait_until(probe: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """One message as the SMTP server received it."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def subject(self) -> str:
        """The decoded subject, RFC 2047 words joined as a mail client shows them."""
        return str(make_header(decode_header(email.message_from_bytes(self.data)["Subject"])))

    @property
    def body(self) -> str:
        """The decoded text, with the CRLF line ends of the SMTP wire turned back into LF."""
        message = cast(
            EmailMessage, email.message_from_bytes(self.data, policy=email.policy.default)
        )
        return str(message.get_content()).replace("\r\n", "\n")


class _Recorder:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_RCPT(
        self, server: object, session: object, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.server.lock:
            replies = self.server.refusals.get(address)
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        mail = Mail(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            data=envelope.original_content or envelope.content,
        )
        with self.server.lock:
            self.server.inbox.append(mail)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """A real SMTP server on 127.0.0.1; stopped, its port refuses connections until restarted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox: list[Mail] = []
        # Replies to RCPT TO per address, used up in order ("451 …", "550 …"); then 250.
        self.refusals: dict[str, list[str]] = {}
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        controller = Controller(_Recorder(self), hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mails(self) -> list[Mail]:
        with self.lock:
            return list(self.inbox)

    def wait_for(self, count: int) -> list[Mail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        return wait_until(
            lambda: mails if len(mails := self.mails()) >= count else None,
            f"{count} e-mail(s), have {len(self.mails())}",
        )


# --- Celery -------------------------------------------------------------------------------------


def _forget_connections(app: Celery) -> None:
    """Close the app's broker connections: the next message connects with the new settings.

    kombu keeps producer pools in a registry of its own, by connection: it is emptied too, or a
    later task sent eagerly (tests outside a worker's) would be handed the closed pool."""
    for pool in (app.amqp._producer_pool, app._pool):
        if pool is not None:
            pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()


@contextmanager
def celery_config(app: Celery, **changes: Any) -> Iterator[None]:
    """Change the app's configuration for a block, then put back exactly what was there."""
    saved = {name: app.conf[name] for name in changes}
    app.conf.update(changes)
    _forget_connections(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections(app)


@dataclass(frozen=True)
class TaskRun:
    """A task the worker finished: its name, arguments, final state and return value."""

    name: str
    args: tuple[Any, ...]
    state: str
    retval: Any


class WorkerLog:
    """What the embedded worker ran, in order, as reported by the ``task_postrun`` signal."""

    def __init__(self, key_prefix: str) -> None:
        self.key_prefix = key_prefix
        self.lock = threading.Lock()
        self._runs: list[TaskRun] = []

    def record(
        self, task: Any = None, args: Any = (), retval: Any = None, state: str = "", **_: Any
    ) -> None:
        if task is None or task.request.is_eager:
            return
        with self.lock:
            self._runs.append(TaskRun(task.name, tuple(args or ()), state, retval))

    def runs(self, name: str) -> list[TaskRun]:
        with self.lock:
            return [r for r in self._runs if r.name == name]

    def drain(self) -> None:
        """Queue a marker and wait for it: by then the worker has run everything queued before."""
        done = len(self.runs(ping.name))
        ping.delay()
        self.wait_for_runs(ping.name, done + 1)

    def wait_for_runs(self, name: str, count: int) -> list[TaskRun]:
        """Wait until the worker finished at least ``count`` runs of ``name``; return them all."""
        return wait_until(
            lambda: runs if len(runs := self.runs(name)) >= count else None,
            f"{count} run(s) of {name}, have {len(self.runs(name))}",
        )


@dataclass(frozen=True)
class Staff:
    executive: User
    board1: User
    board2: User
    chief: User
    editor: User  # a responsible editor: 熊灵犀 of the sample's masthead


@dataclass(frozen=True)
class ScheduleBoard:
    due: Issue
    later: Issue
    cancelled: Issue
    mails_before: int  # e-mails the set-up sent
