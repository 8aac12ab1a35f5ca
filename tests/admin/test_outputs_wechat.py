"""The 公众号 side of the 输出 panel: the preview page (phone frames, fields, proposals, the
validator's verdict, the HTML behind each 复制 button, the images), the article form's WeChat
fields, and the push and publish buttons against the local stand-in of the WeChat API.
"""

import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoCaptureOnCommitCallbacks

from editorial.admin.outputs import preview_image_path
from editorial.models import (
    Article,
    AuditEntry,
    Issue,
    IssueStatus,
    Publication,
    WechatPush,
    WechatPushStatus,
)
from editorial.rendering.wechat import (
    WechatArticle,
    propose_wechat_digest,
    propose_wechat_title,
    render_wechat_issue,
)
from editorial.selectors import issue_edition
from editorial.services.wechat import wechat_publish_poll
from tests import factories
from tests.admin.workflow_setup import actor, logged_in, messages_of
from tests.integrations.fake_wechat import FakeWechat
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db

S = WechatPushStatus
IMG_SRC = re.compile(r"""<img\b[^>]*\bsrc="([^"]*)\"""")


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def preview_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_wechat_preview", args=[issue.pk])


def push_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_wechat_push", args=[issue.pk])


def publish_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_wechat_publish", args=[issue.pk])


def expected_articles(issue: Issue) -> list[WechatArticle]:
    """The articles as the preview renders them: images at the preview's relative URLs."""
    return render_wechat_issue(issue_edition(issue.pk), image_url=preview_image_path)


def wechat_section(html: str) -> str:
    match = re.search(r'<div id="wechat-push">.*?</section>', html, re.S)
    assert match, "no WeChat part in the outputs panel"
    return match.group(0)


class _PreviewReader(HTMLParser):
    """The preview page's items: each textarea's text, iframe's srcdoc and copy button."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.textareas: dict[str, str] = {}
        self.frames: list[str] = []
        self.buttons: dict[str, str] = {}  # button id -> the textarea it copies
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "textarea" and "wechat-html" in a.get("class", ""):
            self._textarea, self._text = a["id"], []
        elif tag == "iframe" and "wechat-frame" in a.get("class", ""):
            self.frames.append(a["srcdoc"])
        elif tag == "button" and "wechat-copy" in a.get("class", ""):
            self.buttons[a["id"]] = a["data-source"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.textareas[self._textarea] = "".join(self._text)
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def read_preview(html: str) -> _PreviewReader:
    reader = _PreviewReader()
    reader.feed(html)
    return reader


@pytest.fixture
def issue() -> Issue:
    """The sample issue (本期要目 and 16 articles, 28 distinct images)."""
    return sample_issue()


@pytest.fixture
def pushable(issue: Issue) -> Issue:
    """The sample issue, published, of a publication that pushes to WeChat."""
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    return Issue.objects.get(pk=issue.pk)


# The preview page ------------------------------------------------------------------------


def test_the_preview_shows_every_item_valid_with_its_html_behind_a_copy_button(
    issue: Issue,
) -> None:
    expected = expected_articles(issue)
    client = logged_in(actor("board_member"))

    response = client.get(preview_url(issue))

    assert response.status_code == 200
    html = response.content.decode()
    assert len(expected) == 17
    assert html.count('<section class="module wechat-item"') == 17
    assert html.count('<p class="wechat-ok">符合公众号规则</p>') == 17
    assert "全部符合公众号规则。" in html and '<table class="wechat-violations">' not in html
    page = read_preview(html)
    assert page.buttons == {f"wechat-copy-{n}": f"wechat-html-{n}" for n in range(17)}
    assert html.count('<button type="button" class="button wechat-copy"') == 17
    assert html.count(">复制</button>") == 17
    assert page.textareas == {f"wechat-html-{n}": a.content for n, a in enumerate(expected)}
    assert len(page.frames) == 17
    for frame, article in zip(page.frames, expected, strict=True):
        assert f'<div id="js_content">{article.content}</div>' in frame
        assert "<script" not in article.content
    assert html.count('width="375" height="667" sandbox="allow-same-origin"') == 17
    # The fields WeChat shows, as they will be sent.
    for article in expected:
        assert f'<td class="wechat-title">{article.title}<span' in html
        assert f'<td class="wechat-author">{article.author}<span' in html
    linked = Article.objects.filter(issue=issue).exclude(original_url="").first()
    assert linked is not None
    link = escape(linked.original_url)
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer">' in html
    assert expected[0].title == "大数据发展动态｜2024年第16期（总第179期）本期要目"


def test_the_preview_shows_the_proposals_for_blank_wechat_fields(issue: Issue) -> None:
    articles = list(Article.objects.filter(issue=issue).order_by("position", "id"))
    chosen, other = articles[0], articles[1]
    Article.objects.filter(pk=chosen.pk).update(
        wechat_title="编辑定的公众号标题", wechat_digest="编辑写的摘要。"
    )

    html = logged_in(actor("board_member")).get(preview_url(issue)).content.decode()

    item = re.search(r'id="wechat-item-1".*?</section>', html, re.S)
    assert item and "编辑定的公众号标题" in item.group(0) and "编辑写的摘要。" in item.group(0)
    assert "wechat-proposal" not in item.group(0)
    proposed = re.search(r'id="wechat-item-2".*?</section>', html, re.S)
    assert proposed
    title = propose_wechat_title(other.title)
    digest = propose_wechat_digest(other.body)
    assert f'<td class="wechat-title">{title}<span' in proposed.group(0)
    assert f'<td class="wechat-digest">{digest}<span' in proposed.group(0)
    assert proposed.group(0).count('<span class="wechat-proposal">建议</span>') == 2
    assert f"原标题：{other.title}" in proposed.group(0)
    assert reverse("admin:editorial_article_change", args=[other.pk]) in proposed.group(0)
    assert html.count('<span class="wechat-proposal">建议</span>') == 2 * 15


def test_the_preview_lists_every_rule_an_article_breaks(issue: Issue) -> None:
    article = Article.objects.filter(issue=issue).order_by("position", "id").first()
    assert article is not None
    long_title = "一个超过了微信公众号三十二字上限的标题，编辑需要在提交之前把它改短才行啊"
    Article.objects.filter(pk=article.pk).update(wechat_title=long_title)

    html = logged_in(actor("board_member")).get(preview_url(issue)).content.decode()

    item = re.search(r'id="wechat-item-1".*?</section>', html, re.S)
    assert item
    assert "<caption>1 处不符合公众号规则</caption>" in item.group(0)
    row = re.search(
        r"<tbody>\s*<tr><td>(.*?)</td><td><code>(.*?)</code></td>"
        r"<td><code>(.*?)</code></td><td>(.*?)</td></tr>",
        item.group(0),
        re.S,
    )
    assert row and row.groups() == (
        long_title,
        "title",
        "title_length",
        f"标题 {len(long_title)} 字，超过 32 字。",
    )
    assert f"{len(long_title)}/32 字" in item.group(0) and "wechat-count over" in item.group(0)
    assert html.count('<p class="wechat-ok">符合公众号规则</p>') == 16
    assert "1 处不符合公众号规则。" in html


def test_the_preview_explains_an_issue_it_cannot_render(superuser: User) -> None:
    issue = factories.IssueFactory.create()

    html = logged_in(superuser).get(preview_url(issue)).content.decode()

    error = "无法生成公众号图文：本期没有文章，无法生成公众号图文。"
    assert f'<p class="errornote" id="wechat-error">{error}</p>' in html
    assert 'class="button wechat-copy"' not in html


def test_the_preview_images_are_served_from_the_preview_or_rendered_again(
    issue: Issue,
) -> None:
    client = logged_in(actor("board_member"))
    page_url = preview_url(issue)
    html = client.get(page_url).content.decode()
    page = read_preview(html)
    sources = {src for content in page.textareas.values() for src in IMG_SRC.findall(content)}
    assert len(sources) == 28  # 18 figures and 10 QR codes of original links
    assert all(re.fullmatch(r"image/[0-9a-f]{64}/", src) for src in sources)

    for src in sources:
        response = client.get(urljoin(page_url, src))
        assert response.status_code == 200, src
        assert hashlib.sha256(response.content).hexdigest() == src.split("/")[1]
        assert response["Content-Type"] in {"image/png", "image/jpeg"}
        assert "max-age=3600" in response["Cache-Control"]

    # Out of the cache (expired, another server): found by rendering the issue again.
    checksum = sorted(sources)[0].split("/")[1]
    cache.delete(f"editorial:wechat-preview:{issue.pk}:{checksum}")
    again = client.get(reverse("admin:editorial_issue_wechat_image", args=[issue.pk, checksum]))
    assert again.status_code == 200
    assert hashlib.sha256(again.content).hexdigest() == checksum

    unknown = reverse("admin:editorial_issue_wechat_image", args=[issue.pk, "0" * 64])
    assert client.get(unknown).status_code == 404
    malformed = reverse("admin:editorial_issue_wechat_image", args=[issue.pk, "x.png"])
    assert client.get(malformed).status_code == 404
    other = small_issue()
    foreign = reverse("admin:editorial_issue_wechat_image", args=[other.pk, checksum])
    assert client.get(foreign).status_code == 404  # an image of another issue is not its


def test_without_view_permission_the_preview_and_its_images_are_refused(issue: Issue) -> None:
    html = logged_in(actor("board_member")).get(preview_url(issue)).content.decode()
    src = IMG_SRC.findall("".join(read_preview(html).textareas.values()))[0]
    client = logged_in(actor("no_role"))

    assert client.get(preview_url(issue)).status_code == 403
    assert client.get(urljoin(preview_url(issue), src)).status_code == 403


def test_the_preview_costs_the_same_queries_for_a_small_and_a_large_issue(
    superuser: User, issue: Issue
) -> None:
    small = small_issue()
    client = logged_in(superuser)
    client.get(preview_url(small))

    counts = []
    for shown in (small, issue):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(preview_url(shown)).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1] <= 13  # with the header's unread count of 我的通知


def test_the_article_form_has_the_wechat_fields_with_help_and_proposals(superuser: User) -> None:
    issue = small_issue()
    article = Article.objects.get(issue=issue)
    long_title = "国家发展改革委办公厅、国家数据局综合司印发《数字经济2024年工作要点》"
    Article.objects.filter(pk=article.pk).update(title=long_title)
    article.refresh_from_db()

    html = (
        logged_in(superuser)
        .get(reverse("admin:editorial_article_change", args=[article.pk]))
        .content.decode()
    )

    assert 'name="wechat_title"' in html and 'name="wechat_digest"' in html
    assert "微信标题不超过 32 字；留空时由标题缩写生成建议。" in html
    assert "不超过 128 字；留空时取导语。" in html
    assert f'placeholder="{propose_wechat_title(long_title)}"' in html
    assert propose_wechat_title(long_title) == "《数字经济2024年工作要点》印发"
    assert f'placeholder="{propose_wechat_digest(article.body)}"' in html
    # the QR caption is text, with the common lines offered
    assert 'name="qr_caption"' in html and 'list="id_qr_caption_presets"' in html
    options = "".join(
        f'<option value="{caption}">'
        for caption in (
            "扫描二维码可阅读或下载全文",
            "扫描二维码可阅读或下载原文件",
            "扫描二维码可阅读英文原文",
            "扫描二维码可阅读全文",
        )
    )
    assert f'<datalist id="id_qr_caption_presets">{options}</datalist>' in html


# Push and publish -------------------------------------------------------------------------


def test_the_panel_offers_no_push_when_the_publication_does_not_push(issue: Issue) -> None:
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)

    html = logged_in(actor("executive_editor")).get(issue_url(issue)).content.decode()

    part = wechat_section(html)
    assert 'id="wechat-disabled"' in part and "<form" not in part


@pytest.mark.django_db(transaction=True)
def test_push_creates_the_drafts_once_and_publish_submits_them(
    pushable: Issue, wechat_server: FakeWechat
) -> None:
    """Tasks run eagerly here, as in the embedded demo: the drafts exist when the page returns."""
    client = logged_in(actor("executive_editor"))
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert "本期尚未推送到公众号。" in part
    assert f'action="{push_url(pushable)}" id="wechat-push-form"' in part
    assert 'id="wechat-publish-form"' not in part

    response = client.post(push_url(pushable))

    assert response["Location"] == issue_url(pushable) + "#outputs"
    push = WechatPush.objects.get(issue=pushable)
    assert (push.status, len(push.draft_media_ids)) == (S.DRAFTED, 3)
    assert messages_of(response) == [
        f"已存入公众号草稿箱：3 篇草稿（media_id：{'、'.join(push.draft_media_ids)}）。"
    ]
    assert wechat_server.count("draft/add") == 3
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert 'data-status="drafted">已存草稿</strong>' in part
    for media_id in push.draft_media_ids:
        assert f"<li><code>{media_id}</code></li>" in part
    assert "草稿 media_id（3 篇草稿）" in part
    assert 'id="wechat-push-form"' in part and 'id="wechat-publish-form"' in part

    again = client.post(push_url(pushable))  # a second click creates no new drafts

    assert wechat_server.count("draft/add") == 3 and wechat_server.count("draft/update") == 0
    push.refresh_from_db()
    assert (push.status, len(push.draft_media_ids)) == (S.DRAFTED, 3)
    assert messages_of(again)[0].startswith("已存入公众号草稿箱：3 篇草稿")
    assert WechatPush.objects.count() == 1

    client.get(issue_url(pushable))  # shows (and so clears) the message
    published = client.post(publish_url(pushable))

    assert messages_of(published) == ["已提交公众号发布，微信处理完成后本页显示文章链接。"]
    push.refresh_from_db()
    assert push.status == S.PUBLISHING and all(push.publish_ids)
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert 'data-status="publishing">发布中</strong>' in part
    assert "<form" not in part
    wechat_publish_poll(push.pk)
    wechat_publish_poll(push.pk)  # the fake answers "publishing" once, then the outcome
    push.refresh_from_db()
    assert push.status == S.PUBLISHED
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert 'data-status="published">已发布</strong>' in part
    assert part.count('target="_blank" rel="noopener noreferrer">') == 17
    assert all(f'<a href="{escape(url)}"' in part for url in push.article_urls)


def test_a_queued_push_shows_its_progress_until_the_task_ran(
    pushable: Issue,
    wechat_server: FakeWechat,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """With a worker, the click only queues the push."""
    client = logged_in(actor("editor_in_chief"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(push_url(pushable))

    assert messages_of(response) == ["已加入公众号推送队列，本页自动显示进度。"]
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert 'data-status="pending">排队中</strong>' in part and "<form" not in part
    assert "正在处理，本页自动显示进度。" in part
    assert wechat_server.calls == []
    status = reverse("admin:editorial_issue_outputs_status", args=[pushable.pk])
    polling = f'hx-get="{status}" hx-trigger="every 2s"'
    assert polling in client.get(issue_url(pushable)).content.decode()  # the panel asks again

    callbacks[0]()

    fragment = client.get(status).content.decode()
    assert 'data-status="drafted">已存草稿</strong>' in wechat_section(fragment)
    assert polling not in fragment  # and stops once the push is done


def test_a_board_member_may_not_push_and_nothing_changes(
    pushable: Issue, wechat_server: FakeWechat
) -> None:
    client = logged_in(actor("board_member"))
    part = wechat_section(client.get(issue_url(pushable)).content.decode())
    assert "<form" not in part
    assert "推送到公众号须由执行编辑、总编辑或出版管理员操作。" in part
    before = snapshot(pushable.pk)

    assert client.post(push_url(pushable)).status_code == 403
    assert client.post(publish_url(pushable)).status_code == 403

    assert snapshot(pushable.pk) == before
    assert WechatPush.objects.count() == 0
    assert wechat_server.calls == []


def test_a_board_member_may_not_publish_drafts_either(
    pushable: Issue,
    wechat_server: FakeWechat,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(actor("publisher")).post(push_url(pushable))
    push = WechatPush.objects.get(issue=pushable)
    assert push.status == S.DRAFTED
    state = (push.status, push.draft_media_ids, push.publish_ids, push.updated_at)
    audit = AuditEntry.objects.count()
    calls = len(wechat_server.calls)

    response = logged_in(actor("board_member")).post(publish_url(pushable))

    assert response.status_code == 403
    push.refresh_from_db()
    assert (push.status, push.draft_media_ids, push.publish_ids, push.updated_at) == state
    assert AuditEntry.objects.count() == audit and len(wechat_server.calls) == calls


def test_a_push_the_issue_does_not_allow_is_refused_with_a_message(
    wechat_server: FakeWechat,
) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    client = logged_in(actor("executive_editor"))
    part = wechat_section(client.get(issue_url(issue)).content.decode())
    assert "<form" not in part
    # The panel says what the push service says: one reason, decided once.
    assert "编辑中状态的期不能推送到公众号（须为已批准、已发布）。" in part
    before = snapshot(issue.pk)

    pushed = client.post(push_url(issue))
    published = client.post(publish_url(issue))

    assert pushed.status_code == published.status_code == 302
    assert messages_of(published) == [
        "未推送到公众号：编辑中状态的期不能推送到公众号（须为已批准、已发布）。",
        "未在公众号发布：本期尚未推送到公众号草稿箱。",
    ]
    assert snapshot(issue.pk) == before
    assert WechatPush.objects.count() == 0 and wechat_server.calls == []


def test_drafts_of_an_approved_issue_wait_for_publication(
    issue: Issue,
    wechat_server: FakeWechat,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.APPROVED)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    client = logged_in(actor("executive_editor"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(push_url(issue))
    push = WechatPush.objects.get(issue=issue)
    assert push.status == S.DRAFTED

    part = wechat_section(client.get(issue_url(issue)).content.decode())
    assert 'id="wechat-publish-form"' not in part
    assert "草稿已在公众号草稿箱；本期发布后可在公众号发布。" in part
    updated = push.updated_at

    response = client.post(publish_url(issue))

    [message] = messages_of(response)
    assert message == "未在公众号发布：已批准状态的期不能推送到公众号（须为已发布）。"
    push.refresh_from_db()
    assert (push.status, push.publish_ids, push.updated_at) == (S.DRAFTED, [], updated)
