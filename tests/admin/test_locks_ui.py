"""The edit lock on intent on the article page (taken on the first edit or 开始编辑, not on
opening), its take-over and the refused save after it, and the stale-save refusal."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, AuditEntry, EditLock, Notification
from editorial.roles import Role
from editorial.services.articles import article_save
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def change_url(article: Article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def take_over_url(article: Article) -> str:
    return reverse("admin:editorial_article_take_over", args=[article.pk])


@pytest.fixture
def xiong() -> User:
    return staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)


@pytest.fixture
def article(xiong: User) -> Article:
    """An article in an issue being edited, assigned to the responsible editor 熊灵犀."""
    return bring_to(small_issue(editor=xiong), "in_edit").articles.get()


def lock_url(article: Article) -> str:
    return reverse("admin:editorial_article_lock", args=[article.pk])


def banner(html: str) -> str | None:
    match = re.search(
        r'<div class="lock-banner" id="lock-banner" role="status">(.*?)</div>', html, re.S
    )
    return " ".join(match.group(1).split()) if match else None


def first_edit(client: Client, article: Article) -> dict[str, object]:
    """What the page's script does on the first edit (and on each renewal)."""
    response = client.post(lock_url(article), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    answer: dict[str, object] = response.json()
    return answer


def test_opening_an_article_takes_no_lock_and_says_how_one_is_taken(
    article: Article, xiong: User
) -> None:
    html = logged_in(xiong).get(change_url(article)).content.decode()

    assert not EditLock.objects.exists()
    assert banner(html) is None
    assert "打开文章不会锁定它；您开始修改（或点“开始编辑”）时取得编辑锁" in html
    assert form_data(html, "start-editing")  # the button for people without the script
    assert f'data-lock-url="{lock_url(article)}"' in html
    assert "editorial/article_lock.js" in html


def test_the_first_edit_locks_and_later_edits_renew_the_lock(article: Article, xiong: User) -> None:
    client = logged_in(xiong)

    answer = first_edit(client, article)

    lock = EditLock.objects.get(article=article)
    since = lock.acquired_at.astimezone(BEIJING)
    assert lock.holder == xiong
    assert answer == {
        "mine": True,
        "text": f"您正在编辑（自 {since:%H:%M} 起），其他人会看到提示；"
        f"保存、离开本页或 {lock.expires_at.astimezone(BEIJING):%H:%M} 前无操作即释放。",
    }
    EditLock.objects.update(expires_at=timezone.now() + datetime.timedelta(minutes=1))
    first_edit(client, article)
    renewed = EditLock.objects.get(article=article)
    assert renewed.acquired_at == lock.acquired_at
    assert renewed.expires_at > timezone.now() + datetime.timedelta(minutes=10)
    html = client.get(change_url(article)).content.decode()
    assert f"您正在编辑（自 {since:%H:%M} 起）" in html and 'data-mine="1"' in html


def test_the_start_editing_button_locks_without_the_script(article: Article, xiong: User) -> None:
    client = logged_in(xiong)
    html = client.get(change_url(article)).content.decode()

    response = client.post(lock_url(article), form_data(html, "start-editing"))

    assert response.status_code == 302 and response["Location"] == change_url(article)
    assert messages_of(response)[0].startswith("您正在编辑（自 ")
    assert EditLock.objects.get(article=article).holder == xiong


def test_leaving_the_page_releases_only_ones_own_lock(article: Article, xiong: User) -> None:
    executive = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    first_edit(logged_in(xiong), article)

    executive.post(lock_url(article), {"release": "1"})
    assert EditLock.objects.get(article=article).holder == xiong
    logged_in(xiong).post(lock_url(article), {"release": "1"})
    assert not EditLock.objects.exists()


def test_another_editor_sees_who_edits_since_when_and_that_they_started_changing_it(
    article: Article, xiong: User
) -> None:
    first_edit(logged_in(xiong), article)
    lock = EditLock.objects.get(article=article)
    executive = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    html = executive.get(change_url(article)).content.decode()
    answer = first_edit(executive, article)  # the executive starts typing too

    since = lock.acquired_at.astimezone(BEIJING)
    until = lock.expires_at.astimezone(BEIJING)
    text = banner(html)
    expected = (
        f"熊灵犀 正在编辑（自 {since:%H:%M} 起）：对方开始修改这篇文章时取得了编辑锁，"
        f"保存、离开页面或 {until:%H:%M} 前无操作即释放。"
    )
    assert text is not None and text.startswith(expected) and "接管编辑" in text
    assert answer == {"mine": False, "text": expected}
    # The holder keeps the lock: neither opening the page nor typing takes it.
    assert EditLock.objects.get(article=article).holder.username == "xiong"


def test_the_take_over_button_moves_the_lock_tells_the_holder_and_logs_it(
    article: Article, xiong: User
) -> None:
    first_edit(logged_in(xiong), article)
    executive = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    html = executive.get(change_url(article)).content.decode()

    response = post_confirmed(executive, take_over_url(article), form_data(html, "take-over"))

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    assert messages_of(response) == [f"您已接管《{article.title}》的编辑；原编辑人会收到通知。"]
    assert EditLock.objects.get(article=article).holder.username == "yang"
    entry = AuditEntry.objects.get(action="lock_takeover")
    assert entry.actor is not None
    assert (entry.article_id, entry.actor.username) == (article.pk, "yang")
    assert entry.note == "接管了 熊灵犀 的编辑"
    notification = Notification.objects.get(event="lock_takeover")
    assert notification.recipient.username == "xiong"
    # Now the former holder sees the banner, without a take-over button of their own.
    xiong_page = logged_in(xiong).get(change_url(article))
    text = banner(xiong_page.content.decode())
    assert text is not None and text.startswith("杨婷 正在编辑（自 ")
    assert "从 熊灵犀 手中接管了编辑锁" in text and "接管编辑" not in text


def test_after_a_take_over_the_previous_holders_save_is_refused_with_their_text_kept(
    article: Article, xiong: User
) -> None:
    mine = logged_in(xiong)
    xiong_data = form_data(mine.get(change_url(article)).content.decode(), "article_form")
    first_edit(mine, article)
    executive = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    post_confirmed(executive, take_over_url(article), {})
    xiong_data["title"] = ["熊灵犀改的标题"]
    xiong_data["body"] = ["<p>熊灵犀写了一整段新的正文。</p>"]

    refused = mine.post(change_url(article), xiong_data)

    assert refused.status_code == 200
    html = refused.content.decode()
    since = EditLock.objects.get(article=article).acquired_at.astimezone(BEIJING)
    assert (
        f"您的编辑已被 杨婷 于 {since:%H:%M} 接管，本次保存未写入；"
        "您的文字保留在下面，可复制后与对方协调。"
    ) in html
    kept = form_data(html, "article_form")
    assert kept["title"] == ["熊灵犀改的标题"]
    assert "熊灵犀写了一整段新的正文。" in kept["body"][0]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body, stored.lock_version) == (
        article.title,
        article.body,
        article.lock_version,
    )
    assert banner(html) is not None
    # Pressing 保存 again changes nothing while the executive holds the lock.
    assert mine.post(change_url(article), kept).status_code == 200
    assert Article.objects.get(pk=article.pk).title == article.title


def test_a_quick_fix_without_the_lock_is_saved_and_a_form_without_its_opening_time_is_not(
    article: Article, xiong: User
) -> None:
    client = logged_in(xiong)
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data["title"] = ["熊灵犀的快速修正"]
    crafted = {name: values for name, values in data.items() if name != "opened_at"}

    refused = client.post(change_url(article), crafted)
    saved = client.post(change_url(article), data)

    assert refused.status_code == 200
    assert "保存被拒绝：表单没有带上它的打开时间" in refused.content.decode()
    assert form_data(refused.content.decode(), "article_form")["title"] == ["熊灵犀的快速修正"]
    assert saved.status_code == 302
    assert Article.objects.get(pk=article.pk).title == "熊灵犀的快速修正"
    assert not EditLock.objects.exists()


def test_someone_not_allowed_to_take_over_gets_no_button_and_a_crafted_post_changes_nothing(
    article: Article, xiong: User
) -> None:
    holder = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    first_edit(logged_in(holder), article)
    client = logged_in(xiong)
    html = client.get(change_url(article)).content.decode()
    before = snapshot(article.issue_id)

    response = client.post(take_over_url(article))

    text = banner(html)
    assert text is not None and text.startswith("杨婷 正在编辑") and "接管编辑" not in text
    assert response.status_code == 403
    assert snapshot(article.issue_id) == before
    assert EditLock.objects.get(article=article).holder == holder


def test_an_expired_lock_shows_no_banner_and_passes_to_the_next_editor(
    article: Article, xiong: User
) -> None:
    first_edit(logged_in(xiong), article)
    EditLock.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    executive = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    html = executive.get(change_url(article)).content.decode()
    answer = first_edit(executive, article)

    assert banner(html) is None
    assert answer["mine"] is True
    assert EditLock.objects.get(article=article).holder.username == "yang"


def test_a_reader_who_may_not_edit_sees_the_banner_and_cannot_take_the_lock(
    article: Article, xiong: User
) -> None:
    first_edit(logged_in(xiong), article)
    board = logged_in(staff("cheng", "程茹", Role.BOARD_MEMBER))

    html = board.get(change_url(article)).content.decode()
    response = board.post(lock_url(article), HTTP_ACCEPT="application/json")

    text = banner(html)
    assert text is not None and text.startswith("熊灵犀 正在编辑") and "接管编辑" not in text
    assert 'id="lock-status"' not in html and "article_lock.js" not in html
    assert response.status_code == 403
    assert EditLock.objects.get(article=article).holder.username == "xiong"


def test_saving_releases_the_lock(article: Article, xiong: User) -> None:
    client = logged_in(xiong)
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    first_edit(client, article)
    data["title"] = ["熊灵犀改的标题"]

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    assert not EditLock.objects.filter(article=article).exists()


def test_two_editors_one_save_is_refused_with_the_text_kept_then_merged(
    article: Article, xiong: User
) -> None:
    """Both open the article; the executive saves first; the responsible editor's save is
    refused, shows what changed and keeps their text; their second save goes through.
    """
    article.body = "<p>导入后第一次修改的正文。</p>"
    article_save(actor=None, article=article, base_version=0)  # version 1, with a revision
    mine = logged_in(xiong)
    yang = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    xiong_data = form_data(mine.get(change_url(article)).content.decode(), "article_form")
    yang_data = form_data(yang.get(change_url(article)).content.decode(), "article_form")
    yang_data["source"] = ["国家数据局综合司"]
    assert yang.post(change_url(article), yang_data).status_code == 302
    xiong_data["title"] = ["熊灵犀改的标题"]

    refused = mine.post(change_url(article), xiong_data)

    assert refused.status_code == 200
    html = refused.content.decode()
    assert re.search(r"保存被拒绝：这篇文章已被 (杨婷|yang) 于", html)
    assert 'id="stale-box"' in html
    stale_box = html[html.index('id="stale-box"') :]
    assert "国家数据局<ins>综合司</ins>" in stale_box  # the characters added, in their line
    kept = form_data(html, "article_form")
    assert kept["title"] == ["熊灵犀改的标题"]
    assert kept["base_version"] == ["2"]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.source, stored.lock_version) == (
        article.title,
        "国家数据局综合司",
        2,
    )

    kept["source"] = ["国家数据局综合司"]  # merged by hand
    saved = mine.post(change_url(article), kept)

    assert saved.status_code == 302
    stored.refresh_from_db()
    assert (stored.title, stored.source, stored.lock_version) == (
        "熊灵犀改的标题",
        "国家数据局综合司",
        3,
    )


def test_the_lock_banner_needs_the_client_to_be_someone() -> None:
    assert Client().get(reverse("admin:editorial_article_changelist")).status_code == 302
