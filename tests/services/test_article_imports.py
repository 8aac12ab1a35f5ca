"""采编 end to end against a local web server: the draft of each fixture page (fields, body,
figures downloaded and checked), how many fields the editor still corrects, and the save —
article and figures in one transaction with one revision and one audit row, nothing before."""

import dataclasses
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from reversion.models import Version

from editorial.integrations.fetch import FetchError
from editorial.models import Article, AuditEntry, Figure
from editorial.roles import Role
from editorial.services.article_imports import (
    ArticleDraft,
    article_draft_from_link,
    article_draft_from_page,
    article_import,
)
from editorial.workflow import IssueStatus
from tests import factories
from tests.integrations.page_server import IMAGES, PAGES, PageServer
from tests.test_source_pages import FIELDS, between_blocks, expected_body, expected_figures
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

# What an editor of the digest publishes for each fixture, where it differs from the page's
# own words: a caption for the WeChat page's second image, which the page does not caption.
EDITOR_CAPTIONS = {"wechat": {2: "“数据要素×”行动主要目标"}}


def corrections(name: str, draft: ArticleDraft, url: str) -> list[str]:
    """The fields of ``draft`` an editor must still change before saving."""
    truth = FIELDS[name] | {"original_url": url, "qr_caption": "扫描二维码可阅读或下载全文"}
    wrong = [f for f, value in truth.items() if getattr(draft, f) != value]
    if between_blocks(draft.body) != between_blocks(expected_body(name, url.rsplit("/p/", 1)[0])):
        wrong.append("body")
    captions = EDITOR_CAPTIONS.get(name, {})
    for figure in draft.figures:
        if not figure.caption or figure.number in captions:
            wrong.append(f"图 {figure.number} 图题")
    return wrong


@pytest.mark.parametrize(
    ("name", "corrected"),
    [("gov", []), ("ministry", []), ("wechat", ["图 2 图题"])],
)
def test_each_fixture_page_drafts_an_article(
    page_server: PageServer, name: str, corrected: list[str]
) -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    url = page_server.page(name)
    draft = article_draft_from_link(actor=executive, url=url)
    refs = expected_figures(name, page_server.url)
    assert [(f.number, f.caption, f.url) for f in draft.figures] == [
        (r.number, r.caption, r.url) for r in refs
    ]
    served = [IMAGES[r.url.removeprefix(page_server.url).split("?")[0]][1] for r in refs]
    assert [f.content for f in draft.figures] == served
    assert draft.problems == ()
    assert corrections(name, draft, url) == corrected
    assert Article.objects.count() == Figure.objects.count() == 0  # a draft stores nothing


def test_saving_the_draft_creates_the_article_and_its_figures_in_one_revision(
    page_server: PageServer,
) -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = factories.IssueFactory.create(status=IssueStatus.IN_EDIT)
    section = factories.SectionFactory.create(publication=issue.publication)
    factories.ArticleFactory.create(issue=issue, section=section, position=3)
    draft = article_draft_from_link(actor=executive, url=page_server.page("wechat"))

    article = article_import(
        actor=executive,
        issue_id=issue.pk,
        section_id=section.pk,
        draft=draft,
        captions={2: EDITOR_CAPTIONS["wechat"][2]},
    )

    article.refresh_from_db()
    assert (article.title, article.source, article.position) == (
        "一图读懂｜数据要素×三年行动计划",
        "国家数据局",
        4,
    )
    assert article.original_url == page_server.page("wechat")
    assert article.qr_caption == "扫描二维码可阅读或下载全文"
    assert article.body == expected_body("wechat", page_server.url)
    figures = list(article.figures.order_by("number"))
    assert [(f.number, f.caption) for f in figures] == [
        (1, "“数据要素×”行动重点领域"),
        (2, "“数据要素×”行动主要目标"),
    ]
    assert [Path(f.image.name).suffix for f in figures] == [".png", ".jpg"]
    assert all(f.image_checksum for f in figures)
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 1
    assert versions[0].revision.version_set.count() == 3  # the article and its two figures
    entry = AuditEntry.objects.get(article=article, action="update")
    assert entry.note == (f"从原文链接导入：{page_server.page('wechat')}（原文发布于 2024-04-25）")


def test_a_refused_save_stores_nothing(page_server: PageServer, settings: object) -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = factories.IssueFactory.create(status=IssueStatus.IN_EDIT)
    section = factories.SectionFactory.create(publication=issue.publication)
    draft = article_draft_from_link(actor=executive, url=page_server.page("ministry"))
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]

    with pytest.raises(ValidationError):  # a figure without its caption
        article_import(
            actor=executive,
            issue_id=issue.pk,
            section_id=section.pk,
            draft=draft,
            captions={2: ""},
        )

    assert Article.objects.count() == Figure.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_an_issue_past_editing_refuses_the_import(page_server: PageServer) -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = factories.IssueFactory.create(status=IssueStatus.PUBLISHED)
    section = factories.SectionFactory.create(publication=issue.publication)
    draft = article_draft_from_link(actor=executive, url=page_server.page("gov"))
    with pytest.raises(ValidationError, match="不能修改"):
        article_import(actor=executive, issue_id=issue.pk, section_id=section.pk, draft=draft)
    assert Article.objects.count() == 0


def test_figures_that_cannot_be_had_are_left_out_with_the_reason(page_server: PageServer) -> None:
    html = (
        (PAGES / "ministry.html")
        .read_text()
        .replace("/cms_files/filemanager/1226211233/attach/20244/fig1.jpg", "/not-an-image.png")
        .replace("/cms_files/filemanager/1226211233/attach/20244/fig2.png", "/missing.png")
    )
    draft = article_draft_from_page(
        actor=None, content=html.encode(), url=page_server.page("ministry")
    )
    assert draft.figures == ()
    assert "<figure" not in draft.body
    assert draft.problems == (
        f"图 1（{page_server.url}/not-an-image.png）未导入："
        "无法读取图片（文件损坏、不完整或不是图片）："
        "不是 PNG、JPEG、GIF 或 WebP 文件",
        f"图 2（{page_server.url}/missing.png）未导入：图片无法获取："
        f"{page_server.url}/missing.png 返回 HTTP 404。",
    )


def test_a_responsible_editor_may_not_import(page_server: PageServer) -> None:
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    with pytest.raises(PermissionDenied):
        article_draft_from_link(actor=editor, url=page_server.page("gov"))


def test_a_private_address_is_refused_with_its_reason(page_server: PageServer) -> None:
    with pytest.raises(FetchError, match="不允许的地址"):
        article_draft_from_link(
            actor=None, url=f"{page_server.url}/redirect?to=http://10.1.1.1/admin"
        )


def test_the_import_note_names_what_the_sanitizer_removed() -> None:
    issue = factories.IssueFactory.create(status=IssueStatus.IN_EDIT)
    section = factories.SectionFactory.create(publication=issue.publication)
    html = (
        '<html><body><div id="js_content"><p>正文<a href="javascript:alert(1)">链接</a></p>'
        "</div></body></html>"
    )
    draft = dataclasses.replace(
        article_draft_from_page(actor=None, content=html.encode()), title="标题"
    )
    article = article_import(actor=None, issue_id=issue.pk, section_id=section.pk, draft=draft)
    note = AuditEntry.objects.get(article=article, action="update").note
    assert note == "从原文链接导入：上传的网页；正文已移除：javascript: 链接 1 处"


def test_figures_past_the_limit_are_left_out(page_server: PageServer, settings: object) -> None:
    settings.DIGEST_FETCH_MAX_FIGURES = 1  # type: ignore[attr-defined]
    draft = article_draft_from_link(actor=None, url=page_server.page("ministry"))
    assert [f.number for f in draft.figures] == [1]
    assert draft.body.count("<figure") == 1
    assert draft.problems == (
        f"图 2（{page_server.url}/cms_files/filemanager/1226211233/attach/20244/fig2.png）"
        "未导入：一篇文章最多导入 1 张图。",
    )
