"""Telling the next person to act: notification rows, sent by a task after commit."""

import datetime
import logging
from collections.abc import Iterable
from smtplib import SMTPRecipientsRefused, SMTPSenderRefused

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from editorial.models import AuditEntry, Issue, Notification, NotificationStatus
from editorial.workflow import NOTIFIED

from .jobs import enqueue_on_commit

logger = logging.getLogger(__name__)
SEND_TASK = "editorial.tasks.notification_send"


def recipients_for(event: str, issue: Issue) -> list[User]:
    from django.contrib.auth import get_user_model

    groups = Group.objects.filter(name__in=[r.label for r in NOTIFIED.get(event, ())])
    query = Q(groups__in=groups)
    if event == "request_changes":
        query |= Q(person__edited_articles__issue=issue)
    users = get_user_model().objects.filter(query, is_active=True).exclude(email="")
    return list(users.distinct().order_by("pk"))


def notify_event(*, entry: AuditEntry, issue: Issue) -> list[Notification]:
    """Record one notification per recipient of ``entry``'s event; each is sent after commit."""
    return notify(
        event=entry.action,
        issue=issue,
        recipients=recipients_for(entry.action, issue),
        key=f"audit:{entry.pk}",
        context={"entry": entry, "issue": issue, "site_url": settings.DIGEST_SITE_URL},
    )


def notify(
    *,
    event: str,
    issue: Issue | None,
    recipients: Iterable[User],
    key: str,
    context: dict[str, object],
) -> list[Notification]:
    subject = render_to_string("editorial/email/subject.txt", {**context, "event": event})
    created = []
    for user in recipients:
        body = render_to_string(
            "editorial/email/body.txt", {**context, "event": event, "recipient": user}
        )
        notification, was_created = Notification.objects.get_or_create(
            key=f"{key}:{user.pk}",
            defaults={
                "recipient": user,
                "issue": issue,
                "event": event,
                "subject": " ".join(subject.split())[:200],
                "body": body,
            },
        )
        if was_created:
            enqueue_on_commit(SEND_TASK, notification.pk)
            created.append(notification)
    return created


def notification_deliver(notification_id: int) -> bool:
    """Send one notification once; a second run (a retried or duplicated task) sends nothing.

    A failed attempt is committed (attempts, error, failed after the last one) before the error
    is raised for the task to retry: raised inside the transaction, it would roll that back.
    Only the notification's row is locked: skipping it because the recipient's row is locked
    elsewhere (a row pointing at the user being committed) would leave it unsent.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
        except (SMTPRecipientsRefused, SMTPSenderRefused) as exc:
            # Permanent: the server refused the address; retrying cannot help.
            notification.error = str(exc)
            notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "error", "status"])
            logger.error("notification %s refused for good: %s", notification.pk, exc)
            return False
        except OSError as exc:
            failure = exc
            notification.error = str(exc)
            if notification.attempts >= settings.DIGEST_NOTIFICATION_MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "error", "status"])
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.error = ""
            notification.save(update_fields=["attempts", "error", "status", "sent_at"])
            logger.info("notification %s sent to %s", notification.pk, notification.recipient.email)
            return True
    logger.warning("notification %s not sent: %s", notification.pk, failure)
    raise failure


# A task's retries (backoff up to 30 min, 5 tries) are over well within this.
RETRY_CHAIN_SECONDS = 6 * 60 * 60


def notifications_pending(older_than_seconds: int = 60) -> list[int]:
    """Pending notifications no task is working on, for the sweeper: never tried (the broker was
    down at commit), or tried and left pending longer than any retry chain lasts."""
    now = timezone.now()
    untried = Q(attempts=0, created_at__lt=now - datetime.timedelta(seconds=older_than_seconds))
    abandoned = Q(created_at__lt=now - datetime.timedelta(seconds=RETRY_CHAIN_SECONDS))
    return list(
        Notification.objects.filter(untried | abandoned, status=NotificationStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
