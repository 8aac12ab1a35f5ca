"""从原文链接导入 in the admin: a link or a saved page gives a draft to review (nothing stored),
saving it creates the article with its figures; refusals come back as the form's errors."""

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from editorial.models import Article, Figure, Issue, Section
from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests import factories
from tests.integrations.page_server import PAGES, PageServer
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

IMPORT = "/admin/editorial/article/import/"


@pytest.fixture
def place() -> tuple[Issue, Section]:
    issue = factories.IssueFactory.create(status=IssueStatus.IN_EDIT)
    return issue, factories.SectionFactory.create(publication=issue.publication, name="国策要论")


def draft_page(client: Client, place: tuple[Issue, Section], **data: object) -> str:
    issue, section = place
    response = client.post(IMPORT, {"issue": issue.pk, "section": section.pk, **data})
    assert response.status_code == 200
    return response.content.decode()


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page[:3000]
    return match[1]


def test_the_add_page_and_the_issue_page_link_to_the_import(
    editor_client: Client, place: tuple[Issue, Section]
) -> None:
    page = editor_client.get(f"/admin/editorial/article/add/?issue={place[0].pk}").content.decode()
    assert f'href="{IMPORT}?issue={place[0].pk}" id="import-link">从原文链接导入</a>' in page
    issue_page = editor_client.get(f"/admin/editorial/issue/{place[0].pk}/change/")
    assert f'href="{IMPORT}?issue={place[0].pk}" id="import-link">' in issue_page.content.decode()
    form = editor_client.get(f"{IMPORT}?issue={place[0].pk}").content.decode()
    assert f'<option value="{place[0].pk}" selected>' in form


def test_a_link_gives_a_draft_and_saving_it_creates_the_article(
    editor_client: Client, page_server: PageServer, place: tuple[Issue, Section], settings: object
) -> None:
    page = draft_page(editor_client, place, url=page_server.page("ministry"))
    assert 'value="2024年一季度软件业经济运行情况"' in page
    assert 'value="工业和信息化部运行监测协调局"' in page
    assert '<div class="readonly" id="import-published">2024-04-24</div>' in page
    assert page.count('<img src="data:image/') == 2
    assert "<figcaption>图 2 2024年一季度软件业分领域收入占比</figcaption>" in page
    assert '<div class="import-qr" id="import-qr"><svg viewBox="0 0 ' in page
    assert "<th>收入（亿元）</th>" in page
    assert Article.objects.count() == 0  # nothing before the editor saves
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    assert [p for p in media.rglob("*") if p.is_file()] == []

    issue, section = place
    response = editor_client.post(
        IMPORT,
        {
            "token": token_of(page),
            "issue": issue.pk,
            "section": section.pk,
            "title": "2024年一季度软件业经济运行情况",
            "source": "工业和信息化部运行监测协调局",
            "original_url": page_server.page("ministry"),
            "qr_caption": "扫描二维码可阅读或下载全文",
            "caption_1": "2023年—2024年一季度软件业务收入增长情况",
            "caption_2": "软件业分领域收入占比",
        },
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_article_change", args=[article.pk])
    assert (article.issue, article.section) == place
    assert list(Figure.objects.values_list("number", "caption")) == [
        (1, "2023年—2024年一季度软件业务收入增长情况"),
        (2, "软件业分领域收入占比"),
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "已从原文链接导入《2024年一季度软件业经济运行情况》（2 张图），请核对正文后保存或定稿。"
    ]
    again = editor_client.post(IMPORT, {"token": token_of(page), "title": "x"})
    assert again.status_code == 302 and Article.objects.count() == 1  # the draft was used up


def test_a_saved_page_with_a_hostile_body_tells_what_was_removed(
    editor_client: Client, place: tuple[Issue, Section], tmp_path: Path
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(
        '<html><head><meta name="ArticleTitle" content="标题"></head><body>'
        '<div id="js_content"><p>正文<a href="javascript:alert(1)">链接</a></p></div>'
        "</body></html>",
        encoding="utf-8",
    )
    with saved.open("rb") as handle:
        page = draft_page(editor_client, place, page=handle)
    assert (
        '<p class="warning" id="import-removed">正文：已移除：javascript: 链接 1 处。</p>' in page
    )
    issue, section = place
    response = editor_client.post(
        IMPORT,
        {"token": token_of(page), "issue": issue.pk, "section": section.pk, "title": "标题"},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)][1] == (
        "《标题》的正文：已移除：javascript: 链接 1 处。"
    )


def test_a_refused_link_is_the_forms_error(
    editor_client: Client, page_server: PageServer, place: tuple[Issue, Section]
) -> None:
    page = draft_page(editor_client, place, url=f"{page_server.url}/redirect?to=http://10.0.0.1/")
    assert '<p class="errornote" id="import-error">不允许的地址：10.0.0.1 指向 10.0.0.1' in page
    page = draft_page(editor_client, place)
    assert "请填写原文链接，或上传保存的网页。" in page


def test_an_expired_draft_is_refused(editor_client: Client) -> None:
    response = editor_client.post(IMPORT, {"token": "gone", "title": "x"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "导入的草稿已过期或不存在，请重新导入。"
    ]


def test_only_those_who_may_add_articles_may_import(client: Client) -> None:
    client.force_login(staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR))
    assert client.get(IMPORT).status_code == 403


def test_the_fixture_pages_are_on_disk() -> None:
    assert sorted(p.name for p in PAGES.glob("*.html")) == [
        "gov.html",
        "ministry.html",
        "wechat.html",
    ]
