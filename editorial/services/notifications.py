"""Telling the next person to act: notification rows, sent by a task after commit."""

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

from editorial.jobs import NOTIFICATION
from editorial.models import AuditEntry, Issue, Notification, NotificationStatus
from editorial.workflow import NOTIFIED

from .jobs import enqueue_on_commit, job_lease, jobs_stalled

logger = logging.getLogger(__name__)


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
            enqueue_on_commit(NOTIFICATION.task, notification.pk)
            created.append(notification)
    return created


def notification_deliver(notification_id: int) -> bool:
    """Send one notification once; a second run (a retried or duplicated task) sends nothing.

    A failed attempt is committed (attempts, error, failed after the last one) before the error
    is raised for the task to retry: raised inside the transaction, it would roll that back. The
    row is then leased to that retry, so the sweeper does not send it a second time meanwhile.
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
            notification.status, notification.lease_expires_at = NotificationStatus.FAILED, None
            notification.save(update_fields=["attempts", "error", "status", "lease_expires_at"])
            logger.error("notification %s refused for good: %s", notification.pk, exc)
            return False
        except OSError as exc:
            failure = exc
            notification.error = str(exc)
            if notification.attempts >= settings.DIGEST_NOTIFICATION_MAX_ATTEMPTS:
                notification.status, notification.lease_expires_at = NotificationStatus.FAILED, None
            else:
                notification.lease_expires_at = job_lease(notification)
            notification.save(update_fields=["attempts", "error", "status", "lease_expires_at"])
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at, notification.lease_expires_at = timezone.now(), None
            notification.error = ""
            notification.save(
                update_fields=["attempts", "error", "status", "sent_at", "lease_expires_at"]
            )
            logger.info("notification %s sent to %s", notification.pk, notification.recipient.email)
            return True
    logger.warning("notification %s not sent: %s", notification.pk, failure)
    raise failure


def notifications_pending() -> list[int]:
    """Pending notifications no task is working on, for the sweeper: never tried (the broker was
    down at commit), or tried and their retry's lease ran out (see jobs_stalled)."""
    return jobs_stalled(
        Notification.objects.all(), now=timezone.now(), pending_since="created_at", limit=500
    )
