"""Delivering the e-mail edition: the ledger frozen at publication, then claimed, sent and recorded.

The database is the queue (docs/decisions/0017-the-delivery-ledger.md). ``mailing_start`` freezes
the audience — one ``Delivery`` row per confirmed subscriber, once — and asks for
``DIGEST_DELIVERY_CONNECTIONS`` delivery tasks after commit. A sender (a Celery task, or a thread
of ``deliver_issue`` in the embedded set-up: the same code) claims a batch of queued rows with
``SKIP LOCKED`` under a lease and sends them one by one over one connection. Each row is marked
sending and committed before its message is handed over, and marked sent with the message id
after, so at any moment a sender has at most one row in doubt. The sweeper turns a row still
sending when its lease ran out into ``uncertain`` — it is never sent again without an operator —
and wakes mailings whose queued rows nobody holds.
"""

import dataclasses
import datetime
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from editorial.documents import issue_image_path, issue_path, issue_pdf_path
from editorial.editions import Edition, EditionImage
from editorial.integrations.mail import (
    DeliveryEmail,
    MailSender,
    MessageTemplate,
    RawMessage,
    SendFailure,
    delivery_email,
)
from editorial.jobs import DELIVERY
from editorial.models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Issue,
    Mailing,
    Subscriber,
    SubscriberFormat,
    SubscriberStatus,
)
from editorial.models.subscribers import ConsentSource
from editorial.rendering.email import (
    EMAIL_SLOTS,
    Addressee,
    EmailEditionTemplate,
    EmailLinks,
    email_edition_template,
)
from editorial.selectors import issue_edition, issue_final_pdf
from editorial.subscriber_links import preferences_url, unsubscribe_url
from editorial.workflow import IssueStatus

from .audit import audit_record
from .jobs import enqueue_on_commit, job_lease
from .permissions import Actor
from .policies import delivery_manage_check
from .subscriptions import subscriber_suppress, subscriber_unsubscribe

logger = logging.getLogger(__name__)

MAILABLE_ISSUES = (IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED)
S = DeliveryStatus


class DeliveryRefused(Exception):
    """A delivery action refused; the message says why (in Chinese)."""


# Freezing the audience --------------------------------------------------------------------------


def mailing_freeze(*, actor: Actor, issue: Issue, edition: Edition) -> tuple[Mailing, bool]:
    """The issue's mailing, its audience frozen now if it has none yet: one row per confirmed
    subscriber. Never recomputed: a second call (a retried publish, ``deliver_issue`` again)
    returns the mailing as it is. Call it inside the transaction that publishes."""
    mailing, created = Mailing.objects.get_or_create(
        issue=issue, defaults={"edition_fingerprint": edition.fingerprint}
    )
    if not created:
        return mailing, False
    audience = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED, erased_at__isnull=True)
    rows = [
        Delivery(mailing=mailing, subscriber_id=pk)
        for pk in audience.order_by("pk").values_list("pk", flat=True)
    ]
    Delivery.objects.bulk_create(rows, batch_size=5000)
    # The mailing row is the record of the freeze (when, how many); publishing has its audit row.
    mailing.recipients = len(rows)
    mailing.save(update_fields=["recipients"])
    return mailing, True


def mailing_wake(mailing: Mailing) -> None:
    """Ask for the mailing's senders after commit: one task per connection the settings allow."""
    for _ in range(max(1, settings.DIGEST_DELIVERY_CONNECTIONS)):
        enqueue_on_commit(DELIVERY.task, mailing.pk)


def mailing_start(*, actor: Actor, issue: Issue, edition: Edition) -> Mailing:
    """Freeze the audience of a just-published issue and have it sent (publishing calls this)."""
    mailing, _ = mailing_freeze(actor=actor, issue=issue, edition=edition)
    if not mailing.paused:
        mailing_wake(mailing)
    return mailing


@transaction.atomic
def issue_mailing(*, actor: Actor, issue_id: int) -> Mailing:
    """``deliver_issue``: the published issue's mailing, frozen now if publishing did not."""
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    if issue.status not in MAILABLE_ISSUES:
        raise DeliveryRefused(f"{issue} 尚未发布，不能投递。")
    edition = issue_edition(issue.pk, status=issue.status)
    return mailing_freeze(actor=actor, issue=issue, edition=edition)[0]


# What one mailing sends -------------------------------------------------------------------------


@dataclass(frozen=True)
class MailingContent:
    """What every message of a mailing shares, read and rendered once per sender."""

    mailing_id: int
    fingerprint: str
    message_domain: str
    templates: dict[bool, EmailEditionTemplate]  # by whether the PDF is attached
    attachment: tuple[str, bytes] | None  # None: too large to attach (linked instead)
    # The same messages serialised once, for SMTP (by whether the PDF is attached).
    messages: dict[bool, MessageTemplate]


def _absolute(path: str) -> str:
    return settings.DIGEST_SITE_URL.rstrip("/") + path


def _issue_links(issue: Issue) -> EmailLinks:
    slug, total, revision = issue.publication.slug, issue.total_number, issue.revision

    def image_url(image: EditionImage) -> str:
        name = f"{image.checksum}{image.suffix}"
        return _absolute(issue_image_path(slug, total, revision, name))

    return EmailLinks(
        web=_absolute(issue_path(slug, total, revision)),
        pdf=_absolute(issue_pdf_path(slug, total, revision)),
        image_url=image_url,
    )


def mailing_content(mailing_id: int) -> MailingContent | None:
    """The mailing's shared content, or ``None`` while its final PDF is not rendered yet."""
    mailing = Mailing.objects.select_related("issue__publication").get(pk=mailing_id)
    issue = mailing.issue
    pdf = issue_final_pdf(issue.pk)
    if pdf is None:
        return None
    edition = issue_edition(issue.pk, status=issue.status)
    links = _issue_links(issue)
    attachment = None
    if pdf.file.size <= settings.DIGEST_EMAIL_ATTACHMENT_MAX_BYTES:
        with pdf.file.open("rb") as handle:
            name = f"{edition.publication.name}-{edition.date.year}-{edition.number:02d}.pdf"
            attachment = (name, handle.read())
    templates = {
        attached: email_edition_template(edition, links=links, pdf_attached=attached)
        for attached in (False, True)
    }
    domain = (
        settings.DIGEST_DKIM_DOMAIN
        or parseaddr(settings.DIGEST_DELIVERY_FROM_EMAIL)[1].rpartition("@")[2]
    )
    return MailingContent(
        mailing_id=mailing.pk,
        fingerprint=mailing.edition_fingerprint,
        message_domain=domain or "localhost",
        templates=templates,
        attachment=attachment,
        messages={
            attached: MessageTemplate(
                lambda values, attached=attached: _email(  # type: ignore[misc]
                    templates[attached], attachment if attached else None, values
                ),
                MESSAGE_FIELDS,
            )
            for attached in ((False, True) if attachment is not None else (False,))
        },
    )


# What differs from one message of a mailing to the next.
MESSAGE_FIELDS = (
    "to",
    "message_id",
    "unsubscribe",
    "date",
    *(f"{part}_{slot}" for part in ("html", "text") for slot in EMAIL_SLOTS),
)


def _email(
    template: EmailEditionTemplate,
    attachment: tuple[str, bytes] | None,
    values: dict[str, str],
) -> DeliveryEmail:
    """One subscriber's message from its ``MESSAGE_FIELDS`` (as the email package builds it)."""
    html = template.personalise(_addressee(values, "html")).html
    text = template.personalise(_addressee(values, "text")).text
    return delivery_email(
        subject=template.subject,
        text=text,
        html=html,
        to=values["to"],
        message_id=values["message_id"],
        unsubscribe_url=values["unsubscribe"],
        attachment=attachment,
        metadata={},
    )


def _addressee(values: dict[str, str], part: str) -> Addressee:
    return Addressee(
        email=values["to"],
        name=values[f"{part}_name"],
        unsubscribe_url=values[f"{part}_unsubscribe_url"],
        preferences_url=values[f"{part}_preferences_url"],
    )


def delivery_message_id(content: MailingContent, subscriber_id: int) -> str:
    """The same Message-ID for the same edition and subscriber, however often it is built."""
    return f"<{content.fingerprint[:16]}.{subscriber_id}@{content.message_domain}>"


def delivery_message(
    content: MailingContent, row: Delivery, *, raw: bool = False
) -> DeliveryEmail | RawMessage:
    """The row's message: as bytes for SMTP when ``raw`` (from the mailing's serialised
    message), else built by the email package (an ESP, DKIM through anymail, a value that does
    not fit the serialised message)."""
    subscriber = row.subscriber
    attach = subscriber.format == SubscriberFormat.ATTACH and content.attachment is not None
    unsubscribe = unsubscribe_url(subscriber)
    addressee = Addressee(
        email=subscriber.email,
        name=subscriber.name,
        unsubscribe_url=unsubscribe,
        preferences_url=preferences_url(subscriber),
    )
    message_id = delivery_message_id(content, subscriber.pk)
    if raw:
        html_values, text_values = EmailEditionTemplate.slot_values(addressee)
        message = content.messages[attach].message(
            {
                "to": subscriber.email,
                "message_id": message_id,
                "unsubscribe": unsubscribe,
                **{f"html_{slot}": value for slot, value in html_values.items()},
                **{f"text_{slot}": value for slot, value in text_values.items()},
            }
        )
        if message is not None:
            return message
    rendered = content.templates[attach].personalise(addressee)
    return delivery_email(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        to=subscriber.email,
        message_id=message_id,
        unsubscribe_url=unsubscribe,
        attachment=content.attachment if attach else None,
        metadata={"delivery": str(row.pk)},
    )


# Claiming and sending ---------------------------------------------------------------------------


def _claimable(now: datetime.datetime) -> Q:
    return (
        Q(status=S.QUEUED)
        & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    )


def deliveries_claim(mailing_id: int, *, limit: int) -> list[int]:
    """Up to ``limit`` queued rows of an unpaused mailing that nobody holds, leased to the
    caller. ``SKIP LOCKED``: two senders never wait for each other nor take the same row."""
    now = timezone.now()
    with transaction.atomic():
        if Mailing.objects.filter(pk=mailing_id, paused=True).exists():
            return []
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), mailing_id=mailing_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            lease = now + DELIVERY.lease
            Delivery.objects.filter(pk__in=ids).update(lease_expires_at=lease)
    return ids


def _backoff(attempts: int) -> datetime.timedelta:
    """Exponential, capped, with full jitter: senders retrying together spread out."""
    base = settings.DIGEST_DELIVERY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    cap = min(base, settings.DIGEST_DELIVERY_BACKOFF_MAX_SECONDS)
    return datetime.timedelta(seconds=random.uniform(cap / 2, cap))  # noqa: S311 - jitter


@dataclass
class _Sent:
    """A row handed over whose ``sent`` mark waits to be committed with the next row's
    ``sending`` mark (one commit per message instead of two)."""

    pk: int
    provider_message_id: str
    at: datetime.datetime


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    waiting_for_pdf: bool = False
    on_sent: Callable[[int], object] | None = dataclasses.field(default=None, repr=False)


def _mark_sent(done: _Sent | None) -> None:
    if done is not None:
        Delivery.objects.filter(pk=done.pk, status=S.SENDING).update(
            status=S.SENT,
            sent_at=done.at,
            provider_message_id=done.provider_message_id[:200],
            lease_expires_at=None,
            error="",
        )


def _mark_sending(
    row: Delivery, done: _Sent | None, message_id: str, lease: datetime.datetime
) -> bool:
    """Mark ``row`` sending (and the row handed over before it, ``done``, sent) in one UPDATE;
    whether ``row`` was still queued (an operator may have closed or paused it meanwhile)."""
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET "  # noqa: S608 - the model's own table name
            "status = CASE WHEN id = %(row)s THEN %(sending)s ELSE %(sent)s END, "
            "attempts = attempts + CASE WHEN id = %(row)s THEN 1 ELSE 0 END, "
            "message_id = CASE WHEN id = %(row)s THEN %(message_id)s ELSE message_id END, "
            "lease_expires_at = CASE WHEN id = %(row)s THEN %(lease)s END, "
            "sent_at = CASE WHEN id = %(row)s THEN sent_at ELSE %(sent_at)s END, "
            "provider_message_id = CASE WHEN id = %(row)s THEN provider_message_id "
            "ELSE %(provider_id)s END, "
            "error = CASE WHEN id = %(row)s THEN error ELSE '' END "
            "WHERE (id = %(row)s AND status = %(queued)s) "
            "OR (id = %(done)s AND status = %(sending)s) "
            "RETURNING id",
            {
                "row": row.pk,
                "done": done.pk if done else None,
                "queued": S.QUEUED.value,
                "sending": S.SENDING.value,
                "sent": S.SENT.value,
                "message_id": message_id,
                "lease": lease,
                "sent_at": done.at if done else None,
                "provider_id": done.provider_message_id[:200] if done else "",
            },
        )
        return any(pk == row.pk for (pk,) in cursor.fetchall())


def _skip_reason(subscriber: Subscriber) -> str:
    if subscriber.erased_at is not None:
        return "订阅者的个人数据已删除"
    return f"订阅者状态为“{subscriber.get_status_display()}”，不再发送"


def _record_failure(row: Delivery, failure: SendFailure, attempts: int, report: SendReport) -> None:
    retry = not failure.permanent and attempts < settings.DIGEST_DELIVERY_MAX_ATTEMPTS
    Delivery.objects.filter(pk=row.pk, status=S.SENDING).update(
        status=S.QUEUED if retry else S.FAILED,
        error=failure.reason[:1000],
        not_before=timezone.now() + _backoff(attempts) if retry else None,
        lease_expires_at=None,
    )
    if retry:
        report.retrying += 1
        logger.warning("delivery %s: %s; will try again", row.pk, failure.reason)
        return
    report.failed += 1
    logger.error("delivery %s failed for good: %s", row.pk, failure.reason)
    if failure.bounce:
        subscriber_suppress(
            subscriber=row.subscriber,
            status=SubscriberStatus.BOUNCED,
            source=ConsentSource.SMTP_REFUSAL,
            detail=f"发送时邮件服务器拒收：{failure.reason}"[:500],
        )


def _send_batch(
    content: MailingContent, ids: list[int], sender: MailSender, report: SendReport
) -> None:
    rows = Delivery.objects.filter(pk__in=ids, status=S.QUEUED).select_related("subscriber")
    done: _Sent | None = None
    try:
        for row in rows.order_by("pk"):
            subscriber = row.subscriber
            if not subscriber.mailable:
                with transaction.atomic():
                    _mark_sent(done)
                    done = None
                    Delivery.objects.filter(pk=row.pk, status=S.QUEUED).update(
                        status=S.SKIPPED, error=_skip_reason(subscriber), lease_expires_at=None
                    )
                report.skipped += 1
                continue
            message = delivery_message(content, row, raw=sender.takes_bytes)
            attempts = row.attempts + 1
            # Committed before the hand-off (one statement in autocommit: one round trip).
            marked = _mark_sending(
                row, done, delivery_message_id(content, subscriber.pk), job_lease(row)
            )
            done = None
            if not marked:  # an operator closed or paused it meanwhile
                continue
            try:
                provider_id = sender.send(message)
            except SendFailure as failure:
                _record_failure(row, failure, attempts, report)
                continue
            done = _Sent(row.pk, provider_id, timezone.now())
            report.sent += 1
            if report.on_sent is not None:
                report.on_sent(1)
    finally:
        _mark_sent(done)
        # Claimed rows this batch did not reach (a pause, an error) go back to the queue.
        Delivery.objects.filter(pk__in=ids, status=S.QUEUED).update(lease_expires_at=None)


def mailing_deliver(
    mailing_id: int, *, seconds: float, report: SendReport | None = None
) -> SendReport:
    """Send the mailing's queued rows, batch after batch, for up to ``seconds``; one sender, one
    connection. Returns what it did; the caller asks again while ``mailing_pending`` is true."""
    report = report or SendReport()
    content = _content(mailing_id)
    if content is None:
        report.waiting_for_pdf = True
        return report
    deadline = time.monotonic() + seconds
    per_second = settings.DIGEST_DELIVERY_MESSAGES_PER_SECOND / max(
        1, settings.DIGEST_DELIVERY_CONNECTIONS
    )
    with MailSender(per_second=per_second) as sender:
        while time.monotonic() < deadline:
            ids = deliveries_claim(mailing_id, limit=settings.DIGEST_DELIVERY_BATCH_SIZE)
            if not ids:
                break
            _send_batch(content, ids, sender, report)
    return report


_CONTENTS: dict[tuple[int, str], MailingContent] = {}


def _content(mailing_id: int) -> MailingContent | None:
    """``mailing_content``, kept per process for the edition it was rendered from (not while
    the PDF is missing: the next batch asks again)."""
    fingerprint = Mailing.objects.values_list("edition_fingerprint", flat=True).get(pk=mailing_id)
    key = (mailing_id, fingerprint)
    if key not in _CONTENTS:
        content = mailing_content(mailing_id)
        if content is None:
            return None
        if len(_CONTENTS) >= 4:
            _CONTENTS.clear()
        _CONTENTS[key] = content
    return _CONTENTS[key]


def mailing_pending(mailing_id: int) -> bool:
    """Whether the mailing has queued rows a sender could claim now."""
    now = timezone.now()
    return Delivery.objects.filter(_claimable(now), mailing_id=mailing_id).exists() and not (
        Mailing.objects.filter(pk=mailing_id, paused=True).exists()
    )


def mailing_next_attempt(mailing_id: int) -> datetime.datetime | None:
    """When the earliest queued row waiting for a retry may be tried, if any."""
    return (
        Delivery.objects.filter(mailing_id=mailing_id, status=S.QUEUED, not_before__isnull=False)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )


def mailing_deliver_here(
    mailing_id: int, *, connections: int, on_sent: Callable[[int], object] | None = None
) -> SendReport:
    """The embedded sender (``deliver_issue``): ``connections`` senders run ``mailing_deliver``
    (one in this thread, the others in threads with their own database connections) until
    nothing is left to try, waiting for retries as they fall due. No broker needed."""
    report = SendReport(on_sent=on_sent)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(own_connection: bool) -> None:
        mine = SendReport(on_sent=on_sent)
        try:
            mailing_deliver(mailing_id, seconds=float("inf"), report=mine)
        except BaseException as exc:  # re-raised in the calling thread below
            errors.append(exc)
        finally:
            if own_connection:
                close_old_connections()
        with lock:
            for name in ("sent", "failed", "skipped", "retrying"):
                setattr(report, name, getattr(report, name) + getattr(mine, name))
            report.waiting_for_pdf |= mine.waiting_for_pdf

    while True:
        threads = [
            threading.Thread(target=run, args=(True,)) for _ in range(max(1, connections) - 1)
        ]
        for thread in threads:
            thread.start()
        run(False)
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        if report.waiting_for_pdf or Mailing.objects.filter(pk=mailing_id, paused=True).exists():
            break
        if mailing_pending(mailing_id):
            continue
        retry_at = mailing_next_attempt(mailing_id)
        if retry_at is None:
            break
        time.sleep(max(0.0, (retry_at - timezone.now()).total_seconds()) + 0.05)
    return report


# The sweeper ------------------------------------------------------------------------------------


def deliveries_sweep(now: datetime.datetime) -> list[int]:
    """Rows whose sender is gone: those still sending when their lease ran out become
    ``uncertain`` (the message may have left; never resent automatically). Returns the unpaused
    mailings with rows to send that no live lease holds — work nobody is doing."""
    stale = Delivery.objects.filter(status=S.SENDING, lease_expires_at__lt=now)
    count = stale.update(
        status=S.UNCERTAIN,
        lease_expires_at=None,
        error="发送中断（发送进程中止）：邮件可能已发出，不会自动重发，请核实后重新发送或关闭。",
    )
    if count:
        logger.warning("%d deliveries left sending by a lost sender are now uncertain", count)
    busy = Delivery.objects.filter(
        status__in=[S.QUEUED, S.SENDING], lease_expires_at__gte=now
    ).values("mailing_id")
    idle = (
        Delivery.objects.filter(_claimable(now), mailing__paused=False)
        .exclude(mailing_id__in=busy)
        .order_by("mailing_id")
        .values_list("mailing_id", flat=True)
        .distinct()
    )
    return list(idle)


# What the admin does ----------------------------------------------------------------------------


def _mailing_for(actor: Actor, mailing_id: int) -> Mailing:
    mailing = Mailing.objects.select_for_update().select_related("issue").get(pk=mailing_id)
    decision = delivery_manage_check(actor, mailing.issue)
    if not decision.allowed:
        raise DeliveryRefused(decision.reason)
    return mailing


@transaction.atomic(durable=True)
def mailing_pause(*, actor: Actor, mailing_id: int) -> Mailing:
    """Stop claiming the mailing's rows; a batch under way stops before its next message."""
    mailing = _mailing_for(actor, mailing_id)
    if not mailing.paused:
        mailing.paused = True
        mailing.save(update_fields=["paused"])
        audit_record(actor=actor, action="mailing_pause", obj=mailing.issue)
    return mailing


@transaction.atomic(durable=True)
def mailing_resume(*, actor: Actor, mailing_id: int) -> Mailing:
    mailing = _mailing_for(actor, mailing_id)
    if mailing.paused:
        mailing.paused = False
        mailing.save(update_fields=["paused"])
        audit_record(actor=actor, action="mailing_resume", obj=mailing.issue)
        mailing_wake(mailing)
    return mailing


RESENDABLE = (S.FAILED, S.UNCERTAIN)


@transaction.atomic(durable=True)
def deliveries_resend(*, actor: Actor, mailing_id: int, delivery_ids: list[int]) -> int:
    """Queue failed or uncertain rows again, as an operator decided (an uncertain row may then
    reach its subscriber twice: that is the operator's call, recorded)."""
    mailing = _mailing_for(actor, mailing_id)
    rows = Delivery.objects.filter(mailing=mailing, pk__in=delivery_ids, status__in=RESENDABLE)
    count = rows.update(
        status=S.QUEUED, attempts=0, error="", not_before=None, lease_expires_at=None
    )
    if count:
        audit_record(
            actor=actor, action="delivery_resend", obj=mailing.issue, note=f"重新发送 {count} 封"
        )
        if not mailing.paused:
            mailing_wake(mailing)
    return count


@transaction.atomic(durable=True)
def deliveries_close(*, actor: Actor, mailing_id: int, delivery_ids: list[int]) -> int:
    """Close failed or uncertain rows without sending (the operator checked, or gave up)."""
    mailing = _mailing_for(actor, mailing_id)
    rows = Delivery.objects.filter(mailing=mailing, pk__in=delivery_ids, status__in=RESENDABLE)
    count = rows.update(status=S.CLOSED, lease_expires_at=None)
    if count:
        audit_record(
            actor=actor, action="delivery_close", obj=mailing.issue, note=f"关闭 {count} 封"
        )
    return count


# Tracking events from the ESP ---------------------------------------------------------------------

TRACKED = {"delivered", "bounced", "complained", "unsubscribed"}


def delivery_track(
    *,
    esp: str,
    event_id: str,
    event_type: str,
    message_id: str,
    delivery_hint: str,
    recipient: str,
    description: str,
) -> DeliveryEvent | None:
    """Apply one tracking event to the ledger, once per (ESP, event id): delivered sets the
    delivery time; a hard bounce or a complaint fails the row and suppresses the address at
    once; an unsubscribe through the ESP unsubscribes. Returns ``None`` for a repeat."""
    if event_type not in TRACKED:
        return None
    delivery = None
    if delivery_hint.isdigit():
        delivery = Delivery.objects.filter(pk=int(delivery_hint)).first()
    if delivery is None and message_id:
        delivery = Delivery.objects.filter(
            Q(provider_message_id=message_id) | Q(message_id=message_id)
        ).first()
    with transaction.atomic():
        event, created = DeliveryEvent.objects.get_or_create(
            esp=esp,
            event_id=event_id[:200],
            defaults={
                "event_type": event_type,
                "delivery": delivery,
                "recipient": recipient[:254],
                "description": description[:500],
            },
        )
        if not created:
            return None
        if delivery is not None and event_type == "delivered":
            Delivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now())
        elif delivery is not None and event_type in ("bounced", "complained"):
            reason = "退信" if event_type == "bounced" else "收件人投诉为垃圾邮件"
            Delivery.objects.filter(pk=delivery.pk, status=S.SENT).update(
                status=S.FAILED, error=f"{reason}：{description}"[:1000]
            )
    subscriber = delivery.subscriber if delivery is not None else _by_address(recipient)
    if subscriber is None:
        return event
    if event_type == "bounced":
        status = SubscriberStatus.BOUNCED
    elif event_type == "complained":
        status = SubscriberStatus.COMPLAINED
    elif event_type == "unsubscribed":
        subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.WEBHOOK)
        return event
    else:
        return event
    subscriber_suppress(
        subscriber=subscriber,
        status=status,
        source=ConsentSource.WEBHOOK,
        detail=f"{esp}：{description}"[:500],
    )
    return event


def _by_address(address: str) -> Subscriber | None:
    return Subscriber.objects.filter(email__iexact=address).first() if address else None
