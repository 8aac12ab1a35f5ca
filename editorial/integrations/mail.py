"""Our side of the mail transport: a message with its delivery headers (DKIM-signed when a key is
configured), sent over one reused connection, with each failure classified.

The connection is whatever ``EMAIL_BACKEND`` names: Django's SMTP backend, or an ESP through
django-anymail (docs/decisions/0017). A send call hands over one message; a failure comes back
as ``SendFailure``: transient (try again later, with backoff), permanent (record it), and among
the permanent ones a hard bounce (the address does not exist: stop mailing it).
"""

import re
import smtplib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from email.utils import formatdate, parseaddr
from typing import Any

import dkim
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

# Headers the DKIM signature covers: what a receiver shows, and both one-click unsubscribe
# headers (RFC 8058 §4 requires them signed).
DKIM_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"MIME-Version",
    b"Content-Type",
)
_HARD_BOUNCE_CODES = {550, 551, 553}


class SendFailure(Exception):
    """A message not handed over; ``permanent`` ones are not tried again, a ``bounce`` is a
    permanent refusal of the address itself."""

    def __init__(self, reason: str, *, permanent: bool, bounce: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.bounce = bounce


class _Signed:
    """A MIME message that serialises as its DKIM signature followed by the bytes it signed."""

    def __init__(self, message: Message, signature: bytes, signed: bytes) -> None:
        self._message = message
        self._bytes = signature + signed

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._bytes.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("ascii")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._message, name)


def dkim_key() -> bytes | None:
    """The DKIM private key (PEM) from settings, or ``None`` when signing is off."""
    key = settings.DIGEST_DKIM_PRIVATE_KEY
    if not key and settings.DIGEST_DKIM_PRIVATE_KEY_FILE:
        with open(settings.DIGEST_DKIM_PRIVATE_KEY_FILE, "rb") as handle:
            return handle.read()
    return key.encode() if key else None


class DeliveryEmail(EmailMultiAlternatives):
    """An e-mail edition message; signed with DKIM when a key is configured. ESPs reached through
    anymail build their own MIME and sign with the domain's key they hold."""

    dkim_private_key: bytes | None = None

    def message(self) -> Any:
        message = super().message()
        # A boundary of our own: the generator would otherwise scan the whole body for a random
        # one that does not occur in it — a millisecond a message.
        for part in message.walk():
            if part.is_multipart():
                part.set_boundary(f"=_digest_{uuid.uuid4().hex}")
        if not self.dkim_private_key:
            return message
        signed = message.as_bytes(linesep="\r\n")
        return _Signed(message, dkim_signature(signed, self.dkim_private_key), signed)


def dkim_signature(data: bytes, key: bytes) -> bytes:
    """The ``DKIM-Signature`` header line(s) for the message ``data`` (CRLF line ends)."""
    signature: bytes = dkim.sign(
        data,
        settings.DIGEST_DKIM_SELECTOR.encode(),
        settings.DIGEST_DKIM_DOMAIN.encode(),
        key,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(DKIM_HEADERS),
        linesep=b"\r\n",
    )
    return signature


@dataclass(frozen=True)
class RawMessage:
    """A message as the bytes handed to the SMTP server (CRLF line ends), with its envelope."""

    to: str
    message_id: str
    data: bytes

    def as_bytes(self, linesep: str = "\n") -> bytes:
        return self.data.replace(b"\r\n", linesep.encode())


# A marker where one message's own value goes: ASCII letters and digits only, which neither
# the MIME generator (8-bit parts, unfolded headers) nor HTML escaping changes.
_MARKER = "DIGESTxSLOTx{}x"
_MARKERS = re.compile(rb"DIGESTxSLOTx(\d+)x")
_MAX_LINE = 998  # RFC 5322's limit on a line, CRLF excluded


class MessageTemplate:
    """One message serialised once by the email package, with a marker in place of each value
    that differs from one recipient to the next; ``render`` puts the values in by joining bytes
    — what building the whole message again would give, for a hundredth of the time.

    ``build`` makes the message from a value for each field (the markers, here). ``render``
    answers ``None`` when the values do not fit what was serialised (a non-ASCII address, a line
    that would grow past SMTP's limit): the caller builds that one message in full."""

    def __init__(
        self, build: Callable[[Mapping[str, str]], DeliveryEmail], fields: Sequence[str]
    ) -> None:
        self.fields = tuple(fields)
        markers = {field: _MARKER.format(n) for n, field in enumerate(self.fields)}
        message = build(markers)
        message.extra_headers["Date"] = markers["date"]
        key, message.dkim_private_key = message.dkim_private_key, None
        self.dkim_key = key
        self.from_email = message.from_email
        data = message.message().as_bytes(linesep="\r\n")
        pieces = _MARKERS.split(data)  # literal, field number, literal, …
        self._literals = pieces[0::2]
        self._slots = [int(n) for n in pieces[1::2]]
        found = set(self._slots)
        if found != set(range(len(self.fields))):
            missing = [self.fields[n] for n in range(len(self.fields)) if n not in found]
            raise ValueError(f"fields lost in the serialised message: {missing}")
        # The longest line holding a marker and how many it holds, to check a render's lines.
        self._room: list[tuple[int, list[int]]] = []
        for line in data.split(b"\r\n"):
            numbers = [int(n) for n in _MARKERS.findall(line)]
            if numbers:
                self._room.append((len(_MARKERS.sub(b"", line)), numbers))

    def render(self, values: Mapping[str, str]) -> bytes | None:
        encoded = [values[field].encode() for field in self.fields]
        for field in ("to", "message_id", "date"):
            if not values[field].isascii():
                return None
        for fixed, numbers in self._room:
            if fixed + sum(len(encoded[n]) for n in numbers) > _MAX_LINE:
                return None
        parts = [self._literals[0]]
        for number, literal in zip(self._slots, self._literals[1:], strict=True):
            parts += (encoded[number], literal)
        data = b"".join(parts)
        if self.dkim_key:
            data = dkim_signature(data, self.dkim_key) + data
        return data

    def message(self, values: Mapping[str, str]) -> RawMessage | None:
        data = self.render({**values, "date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME)})
        if data is None:
            return None
        return RawMessage(to=values["to"], message_id=values["message_id"], data=data)


def delivery_email(
    *,
    subject: str,
    text: str,
    html: str,
    to: str,
    message_id: str,
    unsubscribe_url: str,
    attachment: tuple[str, bytes] | None,
    metadata: dict[str, str],
) -> DeliveryEmail:
    message = DeliveryEmail(
        subject=subject,
        body=text,
        from_email=settings.DIGEST_DELIVERY_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    if attachment is not None:
        message.attach(attachment[0], attachment[1], "application/pdf")
    message.dkim_private_key = dkim_key()
    # anymail passes metadata to the ESP, which returns it with each tracking event.
    message.metadata = metadata  # type: ignore[attr-defined]
    return message


def _smtp_failure(exc: smtplib.SMTPException) -> SendFailure:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (0, b""))
        reason = f"收件人被拒绝：{code} {reply.decode(errors='replace')}"
        permanent = code >= 500
        return SendFailure(reason, permanent=permanent, bounce=code in _HARD_BOUNCE_CODES)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return SendFailure(
            f"邮件服务器拒绝：{exc.smtp_code} {text}", permanent=exc.smtp_code >= 500
        )
    return SendFailure(f"邮件服务器连接中断：{exc}", permanent=False)


def send_failure(exc: Exception) -> SendFailure | None:
    """What a transport error means for the message, or ``None`` if it is not one."""
    if isinstance(exc, smtplib.SMTPException):
        return _smtp_failure(exc)
    if isinstance(exc, AnymailRecipientsRefused):
        return SendFailure(f"收件人被拒绝：{exc}", permanent=True, bounce=True)
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        transient = status is None or status == 429 or status >= 500
        return SendFailure(f"邮件服务商返回错误：{exc}", permanent=not transient)
    if isinstance(exc, AnymailError):
        return SendFailure(f"邮件服务商拒绝：{exc}", permanent=True)
    if isinstance(exc, OSError):
        return SendFailure(f"无法连接邮件服务器：{exc}", permanent=False)
    return None


class MailSender:
    """One connection, reused for every message it sends, paced to ``per_second`` (0: as fast as
    the server takes them). Use as a context manager."""

    def __init__(self, *, per_second: float = 0.0) -> None:
        self.connection = get_connection(fail_silently=False)
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._envelope_from = parseaddr(settings.DIGEST_DELIVERY_FROM_EMAIL)[1]
        self._next = 0.0
        self._open = False

    def __enter__(self) -> "MailSender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self.connection.close()
            except Exception:  # noqa: S110 - a broken connection is closed already
                pass

    @property
    def takes_bytes(self) -> bool:
        """Whether the connection is SMTP, which takes a ``RawMessage`` as it is (an ESP builds
        its own MIME from a ``DeliveryEmail``)."""
        return isinstance(self.connection, SMTPBackend)

    def send(self, message: DeliveryEmail | RawMessage) -> str:
        """Hand ``message`` over; return the provider's message id (our Message-ID over SMTP)."""
        if self.interval:
            wait = self._next - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next = max(self._next, time.monotonic()) + self.interval
        try:
            if not self._open:
                self.connection.open()
                self._open = True
            if isinstance(message, RawMessage):
                self.connection.connection.sendmail(self._envelope_from, [message.to], message.data)
                return message.message_id
            self.connection.send_messages([message])
        except Exception as exc:
            failure = send_failure(exc)
            if failure is None:
                raise
            if not failure.permanent:
                self.close()  # the next message starts on a fresh connection
            raise failure from exc
        status = getattr(message, "anymail_status", None)
        if status is not None and status.message_id:
            return str(status.message_id)
        return str(message.extra_headers["Message-ID"])
