"""Our side of the mail transport: a message with its delivery headers (DKIM-signed when a key is
configured), sent over one reused connection, with each failure classified.

The connection is whatever ``EMAIL_BACKEND`` names: Django's SMTP backend, or an ESP through
django-anymail (docs/decisions/0017). A send call hands over one message; a failure comes back
as ``SendFailure``: transient (try again later, with backoff), permanent (record it), and among
the permanent ones a hard bounce (the address does not exist: stop mailing it).
"""

import smtplib
import time
import uuid
from email.message import Message
from typing import Any

import dkim
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

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
        signature = dkim.sign(
            signed,
            settings.DIGEST_DKIM_SELECTOR.encode(),
            settings.DIGEST_DKIM_DOMAIN.encode(),
            self.dkim_private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(DKIM_HEADERS),
            linesep=b"\r\n",
        )
        return _Signed(message, signature, signed)


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

    def send(self, message: DeliveryEmail) -> str:
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
