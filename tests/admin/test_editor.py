"""The editor of 正文 and 注: its extensions are the allow-list's, the page carries it under the
CSP nonce, a paste is cleaned by the sanitizer, and a figure uploaded from the editor goes
through the same checks as any upload, numbered after the article's others."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions

from editorial.admin.editor import EXTENSION_OF_TAG, READ_ONLY_TAGS, editor_extensions
from editorial.models import Article, AuditEntry, Figure
from editorial.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests import factories
from tests.test_source_html import CLEAN, FIXTURES
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_the_editor_writes_exactly_the_allowed_tags_and_attributes() -> None:
    assert set(EXTENSION_OF_TAG) == ALLOWED_TAGS
    written = allowlist_from_extensions(editor_extensions() | {"DigestFigure": True})
    assert written["tags"] == ALLOWED_TAGS - READ_ONLY_TAGS
    assert written["url_schemes"] == URL_SCHEMES
    # What the editor may write beyond the allow-list is dropped on save: the link's rel (set by
    # the sanitizer) and an ordered list's type (the print edition numbers lists itself).
    beyond = {
        tag: attributes - ALLOWED_ATTRIBUTES.get(tag, set())
        for tag, attributes in written["attributes"].items()
        if attributes - ALLOWED_ATTRIBUTES.get(tag, set())
    }
    assert beyond == {"a": {"rel"}, "ol": {"type", "data-type"}}
    missing = {
        tag: attributes - written["attributes"].get(tag, set())
        for tag, attributes in ALLOWED_ATTRIBUTES.items()
        if attributes - written["attributes"].get(tag, set())
    }
    assert missing == {}


def editor_config(page: str, name: str) -> dict[str, object]:
    match = re.search(
        rf'<textarea name="{name}"[^>]*data-django-prose-editor-configurable="([^"]*)"', page
    )
    assert match is not None, name
    config: dict[str, object] = json.loads(match[1].replace("&quot;", '"').replace("&amp;", "&"))
    return config


def test_the_article_page_has_the_editor_for_body_and_notes_under_the_nonce(
    editor_client: Client,
) -> None:
    article = factories.ArticleFactory.create()
    factories.FigureFactory.create(article=article, number=1, caption="软件业务收入增长情况")

    response = editor_client.get(reverse("admin:editorial_article_change", args=[article.pk]))

    page = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    assert f'<script type="importmap" nonce="{nonce[1]}">' in page
    assert f'<style data-tiptap-style nonce="{nonce[1]}"></style>' in page
    body = editor_config(page, "body")["extensions"]
    assert isinstance(body, dict)
    figures = body["DigestFigure"]["figures"]
    assert [(f["number"], f["caption"]) for f in figures] == [(1, "软件业务收入增长情况")]
    assert body["DigestFigure"]["uploadUrl"] == reverse(
        "admin:editorial_article_figure_upload", args=[article.pk]
    )
    assert body["DigestFigure"]["placing"] is True
    notes = editor_config(page, "notes")["extensions"]
    assert isinstance(notes, dict)
    # 注 keeps a marker it holds but offers no figures: only the body places them.
    assert notes["DigestFigure"] == {"figures": [], "uploadUrl": "", "placing": False}
    assert set(notes) == set(body)


@pytest.mark.parametrize("name", list(FIXTURES))
def test_a_paste_comes_back_as_the_sanitizer_cleans_it(editor_client: Client, name: str) -> None:
    response = editor_client.post(
        reverse("admin:editorial_article_clean_paste"), {"html": FIXTURES[name]}
    )
    assert response.json() == {"html": CLEAN[name]}


def test_cleaning_a_paste_needs_the_right_to_edit_articles(client: Client) -> None:
    client.force_login(staff("guest", "访客"))
    response = client.post(reverse("admin:editorial_article_clean_paste"), {"html": "<p>甲</p>"})
    assert response.status_code == 403


def upload(client: Client, article: Article, **data: object) -> dict[str, object]:
    response = client.post(
        reverse("admin:editorial_article_figure_upload", args=[article.pk]),
        {"caption": "新图", "base_version": article.lock_version, **data},
    )
    answer: dict[str, object] = response.json()
    answer["status"] = response.status_code
    return answer


def test_a_figure_uploaded_from_the_editor_is_numbered_after_the_others(
    editor_client: Client,
) -> None:
    article = factories.ArticleFactory.create()
    factories.FigureFactory.create(article=article, number=1, caption="一号图")
    image = SimpleUploadedFile("new.png", factories.png_bytes(), content_type="image/png")

    answer = upload(editor_client, article, image=image, caption=" 电子信息制造业增速 ")

    figure = Figure.objects.get(article=article, number=2)
    assert figure.caption == "电子信息制造业增速"
    assert answer == {
        "number": 2,
        "caption": "电子信息制造业增速",
        "src": reverse("stored-file", args=[figure.image.name]),
        "lock_version": 1,
        "status": 200,
    }
    assert AuditEntry.objects.get(article=article).note == "上传图 2"


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        (
            "fig.png",
            b"%PDF-1.4 not an image",
            "不支持的图片格式 PDF（允许 PNG、JPEG、GIF、WebP）。",
        ),
        ("fig.jpg", factories.png_bytes(), "文件名 fig.jpg 与内容（PNG）不符。"),
    ],
)
def test_an_upload_that_is_not_an_allowed_image_is_refused_and_saves_nothing(
    editor_client: Client, name: str, data: bytes, error: str
) -> None:
    article = factories.ArticleFactory.create()

    answer = upload(editor_client, article, image=SimpleUploadedFile(name, data))

    assert answer["status"] == 400
    assert error in str(answer["error"])
    assert not Figure.objects.filter(article=article).exists()
    assert Article.objects.get(pk=article.pk).lock_version == 0


def test_an_upload_from_a_form_opened_on_an_older_version_is_refused(editor_client: Client) -> None:
    article = factories.ArticleFactory.create()
    Article.objects.filter(pk=article.pk).update(lock_version=3)
    image = SimpleUploadedFile("new.png", factories.png_bytes(), content_type="image/png")

    answer = upload(editor_client, article, image=image)

    assert answer["status"] == 400
    assert "保存被拒绝" in str(answer["error"])
    assert not Figure.objects.filter(article=article).exists()


def test_no_figure_is_added_to_an_article_of_a_published_issue(client: Client) -> None:
    issue = factories.IssueFactory.create(status=IssueStatus.PUBLISHED)
    article = factories.ArticleFactory.create(issue=issue)
    client.force_login(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    image = SimpleUploadedFile("new.png", factories.png_bytes(), content_type="image/png")

    answer = upload(client, article, image=image)

    assert answer["status"] == 400
    assert "已发布" in str(answer["error"])
    assert not Figure.objects.filter(article=article).exists()
