"""Edit locks on intent: taken by someone who may change the article, renewed by its holder and
released by them; expired ones are free; a take-over is audited and tells the previous holder;
and the save rule of ADR 0023 — the saver holds the lock, or nobody else holds a live lock taken
after the saver opened the article."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from editorial.models import Article, AuditEntry, EditLock, Notification
from editorial.roles import Role
from editorial.services.articles import article_save
from editorial.services.locks import LockTakenOver, lock_acquire, lock_release, lock_take_over
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def xiong() -> User:
    return staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)


@pytest.fixture
def yang() -> User:
    return staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)


@pytest.fixture
def article(xiong: User) -> Article:
    """In an issue being edited, assigned to 熊灵犀."""
    return bring_to(small_issue(editor=xiong), IssueStatus.IN_EDIT).articles.get()


def save_title(actor: User, article: Article, title: str, opened_at: datetime.datetime) -> None:
    fresh = Article.objects.get(pk=article.pk)
    fresh.title = title
    article_save(actor=actor, article=fresh, base_version=fresh.lock_version, opened_at=opened_at)


def test_a_lock_is_its_takers_renewed_by_them_until_released(
    article: Article, xiong: User, yang: User
) -> None:
    lock = lock_acquire(actor=xiong, article=article)
    EditLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() + MINUTE)

    assert lock_acquire(actor=yang, article=article).holder == xiong  # not taken from xiong
    renewed = lock_acquire(actor=xiong, article=article)
    assert renewed.acquired_at == lock.acquired_at  # since when: the first edit
    assert renewed.expires_at > timezone.now() + 10 * MINUTE
    lock_release(actor=yang, article=article)  # not the holder: nothing happens
    assert EditLock.objects.get(pk=lock.pk).holder == xiong
    lock_release(actor=xiong, article=article)
    assert not EditLock.objects.filter(article=article).exists()


def test_an_expired_lock_goes_to_the_next_editor_as_a_new_one(
    article: Article, xiong: User, yang: User
) -> None:
    lock = lock_acquire(actor=xiong, article=article)
    EditLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() - MINUTE)

    taken = lock_acquire(actor=yang, article=article)

    assert (taken.holder, taken.taken_from) == (yang, None)
    assert taken.acquired_at > lock.acquired_at
    assert not AuditEntry.objects.filter(action="lock_takeover").exists()


def test_only_someone_who_may_change_the_article_takes_its_lock(article: Article) -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    other_editor = staff("chen", "陈贝", Role.RESPONSIBLE_EDITOR)  # not assigned to it
    for person in (board, other_editor):
        with pytest.raises(PermissionDenied):
            lock_acquire(actor=person, article=article)
    assert not EditLock.objects.exists()


def test_no_lock_is_taken_on_an_issue_past_editing(xiong: User, yang: User) -> None:
    article = bring_to(small_issue(editor=xiong), IssueStatus.PUBLISHED).articles.get()
    with pytest.raises(ValidationError):
        lock_acquire(actor=yang, article=article)
    assert not EditLock.objects.exists()


def test_a_take_over_is_audited_and_the_holder_is_told(
    article: Article, xiong: User, yang: User
) -> None:
    lock_acquire(actor=xiong, article=article)

    lock = lock_take_over(actor=yang, article=article)

    assert (lock.holder, lock.taken_from) == (yang, xiong)
    entry = AuditEntry.objects.get(action="lock_takeover", article=article)
    assert entry.actor == yang and "熊灵犀" in entry.note
    assert Notification.objects.get(event="lock_takeover").recipient == xiong


def test_a_responsible_editor_may_not_take_over(article: Article, xiong: User) -> None:
    other = staff("chen", "陈贝", Role.RESPONSIBLE_EDITOR)
    lock_acquire(actor=xiong, article=article)
    with pytest.raises(PermissionDenied):
        lock_take_over(actor=other, article=article)
    assert EditLock.objects.get(article=article).holder == xiong


def test_after_a_take_over_the_previous_holders_save_is_refused_and_nothing_written(
    article: Article, xiong: User, yang: User
) -> None:
    opened = timezone.now()
    lock_acquire(actor=xiong, article=article)
    lock = lock_take_over(actor=yang, article=article)

    with pytest.raises(LockTakenOver) as refused:
        save_title(xiong, article, "熊灵犀改的标题", opened)

    when = timezone.localtime(lock.acquired_at)
    assert refused.value.messages == [
        f"您的编辑已被 杨婷 于 {when:%H:%M} 接管，本次保存未写入；"
        "您的文字保留在下面，可复制后与对方协调。"
    ]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.lock_version) == (article.title, article.lock_version)
    save_title(yang, article, "杨婷改的标题", opened)  # the holder saves
    assert Article.objects.get(pk=article.pk).title == "杨婷改的标题"


def test_a_save_from_a_page_opened_before_someone_else_started_editing_is_refused(
    article: Article, xiong: User, yang: User
) -> None:
    opened = timezone.now() - MINUTE  # xiong opened, looked, did not type
    lock_acquire(actor=yang, article=article)

    refused = "杨婷 于 .* 开始编辑这篇文章（在您打开之后），本次保存未写入"
    with pytest.raises(LockTakenOver, match=refused):
        save_title(xiong, article, "熊灵犀改的标题", opened)
    assert Article.objects.get(pk=article.pk).title == article.title


@pytest.mark.parametrize(
    "situation", ["nobody_holds_it", "lock_older_than_the_page", "lock_expired", "no_page"]
)
def test_a_save_goes_through_when_no_one_took_the_lock_after_the_page_was_opened(
    article: Article, xiong: User, yang: User, situation: str
) -> None:
    """A quick fix needs no lock; a lock already shown on opening, an expired one, and a save
    without a page (the API, the issue page's rows: opened_at None) do not stop it."""
    now = timezone.now()
    opened: datetime.datetime | None = now
    if situation != "nobody_holds_it":
        lock = lock_acquire(actor=yang, article=article)
        if situation == "lock_older_than_the_page":
            EditLock.objects.filter(pk=lock.pk).update(acquired_at=now - MINUTE)
        elif situation == "lock_expired":
            EditLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() - MINUTE)
        else:
            opened = None

    fresh = Article.objects.get(pk=article.pk)
    fresh.title = "熊灵犀的快速修正"
    article_save(actor=xiong, article=fresh, base_version=fresh.lock_version, opened_at=opened)

    assert Article.objects.get(pk=article.pk).title == "熊灵犀的快速修正"
