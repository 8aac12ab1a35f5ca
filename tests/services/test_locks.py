"""Soft edit locks: taken, refreshed and released by their holder; expired ones are free; a
take-over is audited and tells the previous holder."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from editorial.models import AuditEntry, EditLock, Notification
from editorial.roles import Role
from editorial.services.locks import lock_acquire, lock_release, lock_take_over
from tests import factories
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_a_lock_is_the_first_openers_until_released() -> None:
    article = factories.ArticleFactory.create()
    first = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    second = staff("chen", "陈贝", Role.RESPONSIBLE_EDITOR)

    lock = lock_acquire(actor=first, article=article)
    assert lock_acquire(actor=second, article=article).holder == first
    lock_release(actor=second, article=article)  # not the holder: nothing happens
    assert EditLock.objects.get(pk=lock.pk).holder == first
    lock_release(actor=first, article=article)
    assert not EditLock.objects.filter(article=article).exists()


def test_an_expired_lock_goes_to_the_next_opener() -> None:
    article = factories.ArticleFactory.create()
    first = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    second = staff("chen", "陈贝", Role.RESPONSIBLE_EDITOR)
    lock = lock_acquire(actor=first, article=article)
    EditLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() - datetime.timedelta(1))

    assert lock_acquire(actor=second, article=article).holder == second
    assert not AuditEntry.objects.filter(action="lock_takeover").exists()


def test_a_take_over_is_audited_and_the_holder_is_told() -> None:
    article = factories.ArticleFactory.create()
    holder = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    lock_acquire(actor=holder, article=article)

    lock = lock_take_over(actor=executive, article=article)

    assert lock.holder == executive
    entry = AuditEntry.objects.get(action="lock_takeover", article=article)
    assert entry.actor == executive and "熊灵犀" in entry.note
    assert Notification.objects.get(event="lock_takeover").recipient == holder


def test_a_responsible_editor_may_not_take_over() -> None:
    article = factories.ArticleFactory.create()
    holder = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    other = staff("chen", "陈贝", Role.RESPONSIBLE_EDITOR)
    lock_acquire(actor=holder, article=article)
    with pytest.raises(PermissionDenied):
        lock_take_over(actor=other, article=article)
    assert EditLock.objects.get(article=article).holder == holder
