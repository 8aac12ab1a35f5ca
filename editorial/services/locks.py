"""Edit locks on intent: taken when someone starts changing an article (not when they open it),
renewed while they type, shown to others; a privileged user may take over, and a save from a page
opened before someone else's live lock was taken is refused (ADR 0023).
"""

import datetime
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, EditLock

from .audit import audit_record
from .notifications import notify
from .permissions import Actor
from .policies import article_edit_check, lock_take_over_check


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.DIGEST_EDIT_LOCK_SECONDS)


def _name(user: object) -> str:
    return str(getattr(user, "person", None) or user)


class LockTakenOver(ValidationError):
    """A save refused because someone else took the article's lock after the saver opened it."""

    def __init__(self, lock: EditLock, saver: Actor) -> None:
        holder, when = _name(lock.holder), f"{timezone.localtime(lock.acquired_at):%H:%M}"
        self.lock = lock
        if saver is not None and lock.taken_from_id == saver.pk:
            what = f"您的编辑已被 {holder} 于 {when} 接管"
        else:
            what = f"{holder} 于 {when} 开始编辑这篇文章（在您打开之后）"
        super().__init__(
            f"{what}，本次保存未写入；您的文字保留在下面，可复制后与对方协调。",
            code="lock_taken_over",
        )


def live_lock(article_id: int) -> EditLock | None:
    """The article's lock while it lasts (an expired one is nobody's)."""
    return (
        EditLock.objects.select_related("holder__person", "taken_from__person")
        .filter(article_id=article_id, expires_at__gt=timezone.now())
        .first()
    )


def lock_require_save(
    *, actor: Actor, article_id: int, opened_at: datetime.datetime | None
) -> None:
    """Refuse a save from a page opened at ``opened_at`` when someone else has taken a lock
    since: the saver holds the lock, or nobody else holds a live one taken after they opened.
    ``None`` (no page: the API, the issue page's rows) is a save begun now.
    """
    if opened_at is None:
        return
    lock = live_lock(article_id)
    if lock is None or (actor is not None and lock.holder_id == actor.pk):
        return
    if lock.acquired_at > opened_at:
        raise LockTakenOver(lock, actor)


@transaction.atomic
def lock_acquire(*, actor: Actor, article: Article) -> EditLock:
    """Someone who may change the article started to: take the lock when it is free or expired,
    renew it when it is theirs; otherwise return the holder's (unchanged)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("只有登录用户可以编辑文章。")
    article_edit_check(actor, article, article.issue, layout=True).require()
    now = timezone.now()
    lock = EditLock.objects.select_for_update().filter(article=article).first()
    if lock is None:
        return EditLock.objects.create(
            article=article, holder=actor, acquired_at=now, expires_at=_expiry(now)
        )
    if lock.holder_id == actor.pk or lock.expires_at <= now:
        if lock.holder_id != actor.pk or lock.expires_at <= now:
            lock.holder, lock.acquired_at, lock.taken_from = actor, now, None
        lock.expires_at = _expiry(now)
        lock.save()
    return lock


@transaction.atomic
def lock_release(*, actor: Actor, article: Article) -> None:
    if actor is not None and actor.is_authenticated:
        EditLock.objects.filter(article=article, holder=actor).delete()


@transaction.atomic
def lock_take_over(*, actor: Actor, article: Article) -> EditLock:
    """Take another editor's lock; the holder is told (我的通知, and e-mail when they have an
    address), and the audit log keeps it."""
    lock_take_over_check(actor).require()
    person = cast(User, actor)  # the check lets only a logged-in person through
    now = timezone.now()
    lock = EditLock.objects.select_for_update().filter(article=article).first()
    previous = lock.holder if lock and lock.expires_at > now else None
    if lock is None:
        lock = EditLock(article=article)
    lock.holder, lock.acquired_at, lock.expires_at = person, now, _expiry(now)
    lock.taken_from = previous if previous is not None and previous.pk != person.pk else None
    lock.save()
    if previous is not None and previous.pk != person.pk:
        entry = audit_record(
            actor=actor,
            action="lock_takeover",
            obj=article,
            note=f"接管了 {getattr(previous, 'person', None) or previous} 的编辑",
        )
        notify(
            event="lock_takeover",
            issue=article.issue,
            recipients=[previous],
            key=f"audit:{entry.pk}",
            url=reverse("admin:editorial_article_change", args=[article.pk]),
            context={"entry": entry, "issue": article.issue},
        )
    return lock
