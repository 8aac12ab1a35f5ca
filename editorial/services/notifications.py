"""Telling the next person to act: who is told of each event (the one place that decides), their
inbox (我的通知), and the e-mail a task sends after commit to those who have an address."""

import datetime
import logging
from collections.abc import Iterable
from smtplib import SMTPRecipientsRefused, SMTPSenderRefused

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from reversion.models import Version

from editorial.jobs import NOTIFICATION
from editorial.models import (
    Approval,
    Article,
    AuditEntry,
    Comment,
    Issue,
    Notification,
    NotificationStatus,
)
from editorial.roles import Role
from editorial.workflow import NOTIFIED

from .jobs import enqueue_on_commit, job_lease, jobs_stalled
from .permissions import Actor, actor_roles

logger = logging.getLogger(__name__)


# Events that ask the responsible editors of the issue's articles to act as well as the roles
# workflow.NOTIFIED names: the board's answer concerns their articles.
_TO_RESPONSIBLE_EDITORS = frozenset({"approve", "request_changes"})


def recipients_for(event: str, issue: Issue, *, actor: Actor = None) -> list[User]:
    """Who is told of ``event`` on ``issue``: the holders of the roles ``workflow.NOTIFIED``
    names for it, the responsible editors of the issue's articles when the board answered, and
    never the person who acted. Those without an e-mail address are told in 我的通知 only."""
    from django.contrib.auth import get_user_model

    groups = Group.objects.filter(name__in=[r.label for r in NOTIFIED.get(event, ())])
    query = Q(groups__in=groups)
    if event in _TO_RESPONSIBLE_EDITORS:
        query |= Q(person__edited_articles__issue=issue)
    users = get_user_model().objects.filter(query, is_active=True)
    if actor is not None and actor.pk is not None:
        users = users.exclude(pk=actor.pk)
    return list(users.distinct().order_by("pk"))


def issue_url(issue: Issue, anchor: str = "workflow") -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk]) + f"#{anchor}"


def notify_event(*, entry: AuditEntry, issue: Issue) -> list[Notification]:
    """Record one notification per recipient of ``entry``'s event; e-mails go after commit."""
    return notify(
        event=entry.action,
        issue=issue,
        recipients=recipients_for(entry.action, issue, actor=entry.actor),
        key=f"audit:{entry.pk}",
        url=issue_url(issue),
        context={"entry": entry, "issue": issue},
    )


def notify_approvals_voided(*, entry: AuditEntry, issue: Issue, voided: list[Approval]) -> None:
    """Tell each approver whose approval ``entry`` voided, with a link to what changed since
    they approved: the 修订历史 of the article changed (or of the issue) from the version
    current at their approval to the latest."""
    for approval in voided:
        if approval.approver_id == entry.actor_id:
            continue
        target: Article | Issue = entry.article or issue
        at_approval = (
            Version.objects.get_for_object(target)
            .filter(revision__date_created__lte=approval.created_at)
            .values_list("pk", flat=True)
            .first()
        )
        url = reverse(f"admin:editorial_{target._meta.model_name}_revisions", args=[target.pk]) + (
            f"?old={at_approval}" if at_approval else ""
        )
        notify(
            event="approval_invalidated",
            issue=issue,
            recipients=[approval.approver],
            key=f"audit:{entry.pk}",
            url=url,
            context={"entry": entry, "issue": issue, "approval": approval},
        )


def notify_comment_reply(*, entry: AuditEntry, comment: Comment) -> list[Notification]:
    """Tell the author of the comment replied to (not when they answer themselves)."""
    parent = comment.parent
    if parent is None or parent.author_id == comment.author_id:
        return []
    anchor = f"comment-{comment.pk}"
    url = (
        reverse("admin:editorial_article_change", args=[comment.article_id]) + f"#{anchor}"
        if comment.article_id
        else issue_url(comment.issue, anchor)
    )
    return notify(
        event="comment_reply",
        issue=comment.issue,
        recipients=[parent.author],
        key=f"audit:{entry.pk}",
        url=url,
        context={"entry": entry, "issue": comment.issue, "headline": "回复了您的意见"},
    )


def notify(
    *,
    event: str,
    issue: Issue | None,
    recipients: Iterable[User],
    key: str,
    url: str,
    context: dict[str, object],
) -> list[Notification]:
    """One notification per recipient, once per ``key`` (a retried event records nothing new):
    in their inbox, and e-mailed after commit to those who have an address."""
    context = {
        **context,
        "event": event,
        "url": url,
        "site_url": settings.DIGEST_SITE_URL,
        "inbox_url": reverse("admin:editorial_notification_mine"),
    }
    subject = " ".join(render_to_string("editorial/email/subject.txt", context).split())
    created = []
    for user in recipients:
        body = render_to_string("editorial/email/body.txt", {**context, "recipient": user})
        notification, was_created = Notification.objects.get_or_create(
            key=f"{key}:{user.pk}",
            defaults={
                "recipient": user,
                "issue": issue,
                "event": event,
                "subject": Truncator(subject).chars(200),
                "body": body,
                "url": url,
                "status": NotificationStatus.PENDING if user.email else NotificationStatus.IN_APP,
            },
        )
        if was_created:
            if user.email:
                enqueue_on_commit(NOTIFICATION.task, notification.pk)
            created.append(notification)
    return created


def notifications_unmailed(*, since: datetime.datetime, issue: Issue | None = None) -> list[str]:
    """The people told since ``since`` (of an event on ``issue``) in 我的通知 only, having no
    e-mail address, as the interfaces name them: "编委 程茹"."""
    rows = Notification.objects.filter(status=NotificationStatus.IN_APP, created_at__gte=since)
    if issue is not None:
        rows = rows.filter(issue=issue)
    rows = rows.select_related("recipient__person").order_by("pk")
    named = {}
    for row in rows:
        user = row.recipient
        wanted = NOTIFIED.get(row.event, frozenset())
        roles = sorted(actor_roles(user), key=list(Role).index)
        role = next((r for r in roles if r in wanted), roles[0] if roles else None)
        name = getattr(getattr(user, "person", None), "name", "") or user.get_username()
        named[user.pk] = f"{role.label} {name}" if role else name
    return list(named.values())


def notifications_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def notification_open(*, actor: Actor, notification_id: int) -> Notification:
    """The actor's own notification, marked read (a personal marker: no audit row)."""
    if not isinstance(actor, User):
        raise PermissionDenied("请先登录。")
    notification = Notification.objects.select_for_update().get(pk=notification_id, recipient=actor)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    if not isinstance(actor, User):
        raise PermissionDenied("请先登录。")
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


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
