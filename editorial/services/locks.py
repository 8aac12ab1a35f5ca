"""Soft edit locks: who has an article open, shown to others; a privileged user may take over."""

import datetime
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, EditLock

from .audit import audit_record
from .notifications import notify
from .permissions import Actor
from .policies import lock_take_over_check


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.DIGEST_EDIT_LOCK_SECONDS)


@transaction.atomic
def lock_acquire(*, actor: Actor, article: Article) -> EditLock:
    """Take or refresh the lock when it is free, expired or ours; otherwise return the holder's."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("只有登录用户可以打开文章编辑。")
    now = timezone.now()
    lock = EditLock.objects.select_for_update().filter(article=article).first()
    if lock is None:
        return EditLock.objects.create(
            article=article, holder=actor, acquired_at=now, expires_at=_expiry(now)
        )
    if lock.holder_id == actor.pk or lock.expires_at <= now:
        if lock.holder_id != actor.pk:
            lock.holder, lock.acquired_at = actor, now
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
