"""Subscribers: double opt-in, preferences, unsubscribe, suppression, import, export, erasure.

Every change of a subscriber's status goes through here and appends a ``Consent`` row in the
same transaction (and an audit row for what the office sees). Readers act through signed links
(``editorial.subscriber_links``); the office through the admin and ``import_subscribers``, asking
``policies.subscriber_manage_check``. What the public form answers never tells whether an
address is subscribed: a known address gets an e-mail, not a different page.
"""

import csv
import hashlib
import io
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import BaseUserManager
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from editorial.models import (
    Consent,
    ConsentAction,
    ConsentSource,
    Publication,
    Subscriber,
    SubscriberFormat,
    SubscriberStatus,
)
from editorial.subscriber_links import (
    BadLink,
    confirm_subscriber,
    confirm_url,
    preferences_url,
    unsubscribe_url,
)

from .audit import audit_record
from .permissions import Actor
from .policies import subscriber_manage_check

logger = logging.getLogger(__name__)
S = SubscriberStatus
T = TypeVar("T")

# Statuses an address reaches by the reader's or the mail system's refusal: never changed back
# by an import or by the office, only by the reader's own new double opt-in.
REFUSED = frozenset({S.UNSUBSCRIBED, S.BOUNCED, S.COMPLAINED})
SUPPRESSED = frozenset({S.BOUNCED, S.COMPLAINED})


def normalise_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def email_hash(email: str) -> str:
    """The address's fingerprint, kept after erasure (docs/decisions/0016)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _list_name() -> str:
    name = Publication.objects.order_by("pk").values_list("name", flat=True).first()
    return f"《{name}》" if name else "Digest"


def _consent(
    subscriber: Subscriber,
    action: str,
    source: str,
    *,
    ip: str | None = None,
    user_agent: str = "",
    detail: str = "",
    text_version: str = "",
) -> Consent:
    return Consent.objects.create(
        subscriber=subscriber,
        action=action,
        source=source,
        ip=ip or None,
        user_agent=user_agent[:500],
        consent_text_version=text_version,
        detail=detail[:500],
    )


def _set_status(subscriber: Subscriber, status: str, now: Any) -> list[str]:
    subscriber.status, subscriber.status_changed_at = status, now
    fields = ["status", "status_changed_at"]
    if status == S.CONFIRMED:
        subscriber.confirmed_at = now
        fields.append("confirmed_at")
    elif status == S.UNSUBSCRIBED:
        subscriber.unsubscribed_at = now
        fields.append("unsubscribed_at")
    return fields


def _mail_after_commit(subscriber: Subscriber, template: str, subject: str) -> None:
    """Send one mail to the subscriber once the transaction commits. A failure is logged: the
    reader can submit the form again, and the state is already correct without the mail."""
    context = {
        "subscriber": subscriber,
        "list_name": _list_name(),
        "confirm_url": confirm_url(subscriber) if subscriber.optin_nonce else "",
        "preferences_url": preferences_url(subscriber),
        "unsubscribe_url": unsubscribe_url(subscriber),
        "hours": settings.DIGEST_SUBSCRIBE_CONFIRM_SECONDS // 3600,
    }
    body = render_to_string(f"editorial/email/{template}.txt", context)
    subject = f"{context['list_name']}{subject}"
    address = subscriber.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError:
            logger.exception("subscriber %s: %s not sent", subscriber.pk, template)

    transaction.on_commit(send)


def _within_rate(key: str, limit: int) -> bool:
    """Count one more request under ``key`` in the current window; False past ``limit``."""
    cache.add(key, 0, timeout=settings.DIGEST_SUBSCRIBE_RATE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.DIGEST_SUBSCRIBE_RATE_SECONDS)
        count = 1
    return count <= limit


def _validate_details(name: str, organisation: str, format: str) -> None:
    errors: dict[str, str] = {}
    if len(name) > 100:
        errors["name"] = "姓名不能超过 100 个字。"
    if len(organisation) > 200:
        errors["organisation"] = "单位不能超过 200 个字。"
    if format not in SubscriberFormat.values:
        errors["format"] = "接收方式无效。"
    if errors:
        raise ValidationError(errors)


# The reader's actions ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def subscriber_subscribe(
    *,
    email: str,
    name: str = "",
    organisation: str = "",
    format: str = SubscriberFormat.LINK,
    ip: str | None,
    user_agent: str = "",
) -> None:
    """A subscribe request from the public form: the first step of double opt-in.

    A new address (or one that refused before) gets a confirmation link, and nothing is mailed
    to it until that link's button is pressed; a confirmed one gets a reminder with its
    preferences link; one that complained gets nothing. The answer is the same in every case.
    Refused (ValidationError, code ``rate_limited``) past DIGEST_SUBSCRIBE_RATE requests per IP.
    """
    email, name, organisation = normalise_email(email), name.strip(), organisation.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "请输入有效的电子邮箱地址。"}) from error
    _validate_details(name, organisation, format)
    if ip and not _within_rate(f"subscribe:ip:{ip}", settings.DIGEST_SUBSCRIBE_RATE):
        raise ValidationError("提交过于频繁，请稍后再试。", code="rate_limited")
    # However often the form is sent for one address, it gets only a few mails per window.
    if not _within_rate(f"subscribe:address:{email_hash(email)}", 3):
        return
    version = settings.DIGEST_CONSENT_TEXT_VERSION
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(email__iexact=email, erased_at__isnull=True)
        .first()
    )
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            email=email,
            email_hash=email_hash(email),
            name=name,
            organisation=organisation,
            format=format,
            source=ConsentSource.FORM,
            optin_nonce=secrets.token_hex(16),
        )
    elif subscriber.status == S.COMPLAINED:
        return  # marked our mail as spam: not even a confirmation request
    elif subscriber.status == S.CONFIRMED:
        _mail_after_commit(subscriber, "subscribe_already", "：您已订阅")
        return
    else:
        # Pending, unsubscribed or bounced: a new opt-in. Only a pending subscriber's details
        # follow the form — anyone may type an address, not change a subscriber's name.
        subscriber.optin_nonce = secrets.token_hex(16)
        update = ["optin_nonce"]
        if subscriber.status == S.PENDING:
            subscriber.name, subscriber.organisation, subscriber.format = (
                name,
                organisation,
                format,
            )
            update += ["name", "organisation", "format"]
        subscriber.save(update_fields=update)
    _consent(
        subscriber,
        ConsentAction.SUBSCRIBE,
        ConsentSource.FORM,
        ip=ip,
        user_agent=user_agent,
        text_version=version,
    )
    _mail_after_commit(subscriber, "subscribe_confirm", "：请确认订阅")


@transaction.atomic(durable=True)
def subscriber_confirm(*, token: str, ip: str | None, user_agent: str = "") -> Subscriber:
    """The button of a confirmation link: the second step. BadLink when the link is forged,
    expired, or used (replayed, or superseded by a newer request)."""
    found = confirm_subscriber(token)
    subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
    if subscriber.optin_nonce != found.optin_nonce or subscriber.status == S.COMPLAINED:
        raise BadLink("该确认链接已使用或已被新的申请取代。")
    from_state = subscriber.status
    subscriber.optin_nonce = ""
    fields = _set_status(subscriber, S.CONFIRMED, timezone.now())
    subscriber.save(update_fields=[*fields, "optin_nonce"])
    _consent(
        subscriber,
        ConsentAction.CONFIRM,
        ConsentSource.LINK,
        ip=ip,
        user_agent=user_agent,
        text_version=settings.DIGEST_CONSENT_TEXT_VERSION,
    )
    audit_record(
        actor=None,
        action="subscriber_confirm",
        obj=subscriber,
        from_state=from_state,
        to_state=S.CONFIRMED,
    )
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(
    *, subscriber: Subscriber, source: str, ip: str | None = None, user_agent: str = ""
) -> Subscriber:
    """Stop mailing ``subscriber`` at once (the unsubscribe link, one-click or its page, or the
    office). Idempotent: unsubscribing again changes and records nothing. A pending
    confirmation link stops working."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == S.UNSUBSCRIBED:
        return subscriber
    from_state = subscriber.status
    subscriber.optin_nonce = ""
    fields = _set_status(subscriber, S.UNSUBSCRIBED, timezone.now())
    subscriber.save(update_fields=[*fields, "optin_nonce"])
    _consent(subscriber, ConsentAction.UNSUBSCRIBE, source, ip=ip, user_agent=user_agent)
    audit_record(
        actor=None,
        action="subscriber_unsubscribe",
        obj=subscriber,
        from_state=from_state,
        to_state=S.UNSUBSCRIBED,
        note=ConsentSource(source).label,
    )
    return subscriber


@transaction.atomic
def subscriber_suppress(
    *, subscriber: Subscriber, status: str, source: str, detail: str = ""
) -> Subscriber:
    """Stop mailing an address the mail system refused: a hard bounce or a complaint.

    A complaint outranks everything; a bounce changes only a pending or confirmed subscriber
    (an unsubscribed address stays unsubscribed). Nothing changes, and nothing is recorded, when
    the status would stay the same — a webhook delivered twice leaves one row.
    """
    if status not in SUPPRESSED:
        raise ValueError(f"not a suppression status: {status}")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == status or (status == S.BOUNCED and subscriber.status in REFUSED):
        return subscriber
    from_state = subscriber.status
    subscriber.optin_nonce = ""
    fields = _set_status(subscriber, status, timezone.now())
    subscriber.save(update_fields=[*fields, "optin_nonce"])
    _consent(subscriber, ConsentAction.SUPPRESS, source, detail=detail)
    audit_record(
        actor=None,
        action="subscriber_suppress",
        obj=subscriber,
        from_state=from_state,
        to_state=status,
        note=detail[:200],
    )
    return subscriber


@transaction.atomic(durable=True)
def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    name: str,
    organisation: str,
    format: str,
    ip: str | None,
    user_agent: str = "",
) -> Subscriber:
    """The preferences page (a signed link): the reader's name, organisation and format."""
    name, organisation = name.strip(), organisation.strip()
    _validate_details(name, organisation, format)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    changed = [
        label
        for label, old, new in (
            ("姓名", subscriber.name, name),
            ("单位", subscriber.organisation, organisation),
            ("接收方式", subscriber.format, format),
        )
        if old != new
    ]
    if not changed:
        return subscriber
    subscriber.name, subscriber.organisation, subscriber.format = name, organisation, format
    subscriber.save(update_fields=["name", "organisation", "format"])
    detail = f"修改{'、'.join(changed)}"
    _consent(
        subscriber,
        ConsentAction.PREFERENCES,
        ConsentSource.LINK,
        ip=ip,
        user_agent=user_agent,
        detail=detail,
    )
    audit_record(actor=None, action="subscriber_preferences", obj=subscriber, note=detail)
    return subscriber


# The office's actions -----------------------------------------------------------------------


def subscriber_export(*, actor: Actor, subscriber: Subscriber) -> dict[str, Any]:
    """Everything held about one subscriber, as JSON-ready data (a reader's access request)."""
    subscriber_manage_check(actor).require()
    with transaction.atomic():
        subscriber = Subscriber.objects.get(pk=subscriber.pk)
        audit_record(actor=actor, action="subscriber_export", obj=subscriber)
        consents = list(subscriber.consents.order_by("at", "id"))

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "subscriber": {
            "id": subscriber.pk,
            "email": subscriber.email,
            "name": subscriber.name,
            "organisation": subscriber.organisation,
            "format": subscriber.format,
            "status": subscriber.status,
            "source": subscriber.source,
            "created_at": when(subscriber.created_at),
            "confirmed_at": when(subscriber.confirmed_at),
            "unsubscribed_at": when(subscriber.unsubscribed_at),
            "status_changed_at": when(subscriber.status_changed_at),
            "erased_at": when(subscriber.erased_at),
        },
        "consents": [
            {
                "action": c.action,
                "at": when(c.at),
                "ip": c.ip,
                "user_agent": c.user_agent,
                "consent_text_version": c.consent_text_version,
                "source": c.source,
                "detail": c.detail,
            }
            for c in consents
        ],
    }


@transaction.atomic(durable=True)
def subscriber_erase(*, actor: Actor, subscriber: Subscriber) -> Subscriber:
    """Delete one subscriber's personal data, keeping a tombstone (docs/decisions/0016): the row
    (so the delivery ledger's rows keep their subscriber), the address's hash (so an import does
    not bring it back), the status and the consent history without IP and user agent."""
    subscriber_manage_check(actor).require()
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.erased_at is not None:
        return subscriber
    now = timezone.now()
    from_state = subscriber.status
    fields = ["email", "name", "organisation", "optin_nonce", "erased_at"]
    if subscriber.status not in REFUSED:
        fields += _set_status(subscriber, S.UNSUBSCRIBED, now)
    subscriber.email = subscriber.name = subscriber.organisation = subscriber.optin_nonce = ""
    subscriber.erased_at = now
    subscriber.save(update_fields=fields)
    subscriber.consents.update(ip=None, user_agent="")
    _consent(subscriber, ConsentAction.ERASE, ConsentSource.ADMIN)
    audit_record(
        actor=actor,
        action="subscriber_erase",
        obj=subscriber,
        from_state=from_state,
        to_state=subscriber.status,
    )
    return subscriber


# Import -------------------------------------------------------------------------------------

_COLUMNS = {
    "email": {"email", "e-mail", "邮箱", "电子邮箱"},
    "name": {"name", "姓名"},
    "organisation": {"organisation", "organization", "单位"},
    "format": {"format", "接收方式"},
}
_FORMATS = {
    **{value: value for value in SubscriberFormat.values},
    **{str(label): value for value, label in SubscriberFormat.choices},
    "链接": SubscriberFormat.LINK,
    "附件": SubscriberFormat.ATTACH,
    "": SubscriberFormat.LINK,
}
_FIELD_LABELS = {"email": "电子邮箱", "name": "姓名", "organisation": "单位", "format": "接收方式"}


class SubscriberImportInvalid(ValidationError):
    """The file has bad rows: every one is listed, and nothing was imported."""


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    organisation: str
    format: str


@dataclass
class ImportReport:
    created: int = 0
    confirmed: int = 0  # pending subscribers confirmed by a --confirmed import
    unchanged: int = 0  # already subscribed (or pending, without --confirmed)
    skipped: list[str] = field(default_factory=list)  # refused addresses, not brought back


def decode_csv(data: bytes) -> str:
    """The text of an uploaded or given CSV file: UTF-8 (with or without Excel's BOM) or, as
    Excel saves it on a Chinese Windows, GB 18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as error:
            raise SubscriberImportInvalid(
                ["文件编码无法识别，请保存为 UTF-8 编码的 CSV。"]
            ) from error


def _parse(text: str) -> list[ImportRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise SubscriberImportInvalid(["文件为空。"])
    columns: dict[str, int] = {}
    errors: list[str] = []
    for index, title in enumerate(header):
        key = next((k for k, names in _COLUMNS.items() if title.strip().lower() in names), None)
        if key is None:
            errors.append(
                f"第1行：未知的列“{title}”（可用的列：email、name、organisation、format）。"
            )
        elif key in columns:
            errors.append(f"第1行：列“{title}”重复。")
        else:
            columns[key] = index
    if "email" not in columns:
        errors.append("第1行：缺少 email（电子邮箱）列。")
    if errors:
        raise SubscriberImportInvalid(errors)
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            errors.append(f"第{line}行：比表头多出 {len(values) - len(header)} 列。")
            continue
        cell = {k: (values[i].strip() if i < len(values) else "") for k, i in columns.items()}
        problems = []
        email = normalise_email(cell["email"])
        try:
            validate_email(email)
        except ValidationError:
            problems.append(("email", f"邮箱格式不正确（“{cell['email']}”）"))
        else:
            first = seen.setdefault(email.lower(), line)
            if first != line:
                problems.append(("email", f"与第{first}行的邮箱重复（“{email}”）"))
        if len(cell.get("name", "")) > 100:
            problems.append(("name", "超过 100 个字"))
        if len(cell.get("organisation", "")) > 200:
            problems.append(("organisation", "超过 200 个字"))
        format = _FORMATS.get(cell.get("format", "").lower())
        if format is None:
            problems.append(("format", f"未知的接收方式“{cell['format']}”（可用：link、attach）"))
        errors += [f"第{line}行 {_FIELD_LABELS[k]}：{message}。" for k, message in problems]
        if not problems:
            rows.append(
                ImportRow(
                    line,
                    email,
                    cell.get("name", ""),
                    cell.get("organisation", ""),
                    format or SubscriberFormat.LINK,
                )
            )
    if errors:
        raise SubscriberImportInvalid(errors)
    if not rows:
        raise SubscriberImportInvalid(["文件中没有订阅者。"])
    return rows


def _identity(items: Iterable[T]) -> Iterable[T]:
    return items


@transaction.atomic(durable=True)
def subscribers_import(
    *,
    actor: Actor,
    text: str,
    file_name: str,
    confirmed: bool = False,
    source: str = "",
    progress: Callable[[list[ImportRow]], Iterable[ImportRow]] = _identity,
) -> ImportReport:
    """Import a CSV list (columns email, name, organisation, format): all of it, or — when any
    row is bad — nothing, with every bad row listed (SubscriberImportInvalid).

    ``confirmed``: the office holds these people's consent, and the Consent rows say so, with
    the file name and ``source``; otherwise each new address is sent a confirmation link, as
    from the form. A confirmed subscriber is never downgraded; an unsubscribed, bounced,
    complained or erased address is not brought back — it is listed in ``skipped``.
    """
    subscriber_manage_check(actor).require()
    rows = _parse(text)
    detail = f"{'已持有同意' if confirmed else '待确认'}；文件 {file_name}"
    if source:
        detail += f"；来源：{source}"
    keys = [row.email.lower() for row in rows]
    existing: dict[str, Subscriber] = {
        s.email.lower(): s
        for s in Subscriber.objects.select_for_update()
        .annotate(key=Lower("email"))
        .filter(key__in=keys)
    }
    erased = set(
        Subscriber.objects.filter(
            erased_at__isnull=False, email_hash__in=[email_hash(k) for k in keys]
        ).values_list("email_hash", flat=True)
    )
    report = ImportReport()
    upgraded: list[Subscriber] = []
    now = timezone.now()
    for row in progress(rows):
        found = existing.get(row.email.lower())
        if found is None and email_hash(row.email) in erased:
            report.skipped.append(f"第{row.line}行 {row.email}：个人数据已应本人要求删除，未导入。")
        elif found is None:
            subscriber = Subscriber(
                email=row.email,
                email_hash=email_hash(row.email),
                name=row.name,
                organisation=row.organisation,
                format=row.format,
                source=ConsentSource.IMPORT,
                status=S.CONFIRMED if confirmed else S.PENDING,
                confirmed_at=now if confirmed else None,
                optin_nonce="" if confirmed else secrets.token_hex(16),
            )
            existing[row.email.lower()] = subscriber
            report.created += 1
        elif found.status in REFUSED:
            report.skipped.append(
                f"第{row.line}行 {row.email}：{found.get_status_display()}，未恢复订阅。"
            )
        elif found.status == S.PENDING and confirmed:
            found.optin_nonce = ""
            _set_status(found, S.CONFIRMED, now)
            found.save(update_fields=["status", "status_changed_at", "confirmed_at", "optin_nonce"])
            _consent(found, ConsentAction.IMPORT, ConsentSource.IMPORT, detail=detail)
            upgraded.append(found)
            report.confirmed += 1
        else:
            report.unchanged += 1
    new = [s for s in existing.values() if s.pk is None]
    try:
        with transaction.atomic():
            Subscriber.objects.bulk_create(new, batch_size=1000)
    except IntegrityError as error:
        raise SubscriberImportInvalid(["导入期间有地址被其他操作添加，请重新导入。"]) from error
    Consent.objects.bulk_create(
        [
            Consent(
                subscriber=s,
                action=ConsentAction.IMPORT,
                source=ConsentSource.IMPORT,
                detail=detail[:500],
            )
            for s in new
        ],
        batch_size=1000,
    )
    if not confirmed:
        for subscriber in new:
            _mail_after_commit(subscriber, "subscribe_confirm", "：请确认订阅")
    changed = [*new, *upgraded]
    if not changed:
        return report
    # One row for the whole file, naming its first subscriber: the Consent rows name each one.
    audit_record(
        actor=actor,
        action="subscriber_import",
        obj=changed[0],
        note=(
            f"{detail}：新增 {report.created}，确认 {report.confirmed}，"
            f"未变更 {report.unchanged}，跳过 {len(report.skipped)}"
        ),
    )
    return report


def import_lines(report: ImportReport) -> Iterator[str]:
    """The report as the command and the admin page show it."""
    yield (
        f"新增 {report.created} 位订阅者，确认 {report.confirmed} 位，"
        f"{report.unchanged} 位已在名单中未变更，跳过 {len(report.skipped)} 位。"
    )
    yield from report.skipped
