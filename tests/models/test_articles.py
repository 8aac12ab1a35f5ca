"""Articles and figures: sanitized bodies, section/publication agreement, figure numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from editorial.models import Article
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onmouseover="x()" style="color:red">甲<script>alert(1)</script></p>'
    "<style>body{display:none}</style>"
    '<p><a href="javascript:alert(1)" onclick="y()">乙</a>'
    '<a href="https://www.gov.cn/">丙</a></p>'
    '<iframe src="https://evil.example"></iframe><svg><script>z()</script></svg>'
    '<img src="data:image/png;base64,AAAA" onerror="w()">'
    '<figure data-figure="2" onload="v()"></figure>'
)


def test_body_is_sanitized_on_every_save() -> None:
    article = factories.ArticleFactory.create(
        body=HOSTILE, notes='<p onclick="n()">注</p><script>s</script>'
    )
    article.refresh_from_db()
    assert article.body == (
        "<p>甲</p>"
        '<p><a rel="noopener noreferrer">乙</a>'
        '<a href="https://www.gov.cn/" rel="noopener noreferrer">丙</a></p>'
        '<figure data-figure="2"></figure>'
    )
    assert article.notes == "<p>注</p>"


def test_allowed_structure_survives_sanitizing() -> None:
    body = (
        "<p><strong>一是适度超前布局数字基础设施</strong>，深入推进。</p><h3>一、战略目标</h3>"
        "<ul><li>甲</li></ul><table><thead><tr><th>地区</th></tr></thead>"
        "<tbody><tr><td>东部</td></tr></tbody></table>"
    )
    article = factories.ArticleFactory.create(body=body)
    article.refresh_from_db()
    assert article.body == body


def test_section_must_belong_to_the_issue_publication() -> None:
    article = factories.ArticleFactory.create()
    article.section = factories.SectionFactory.create()
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert excinfo.value.message_dict == {"section": ["栏目必须属于本期所在的刊物。"]}


@pytest.mark.parametrize(
    ("url", "caption"), [("https://www.gov.cn/a.html", ""), ("", "扫描二维码可阅读全文")]
)
def test_original_url_and_qr_caption_go_together(url: str, caption: str) -> None:
    article = factories.ArticleFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(original_url=url, qr_caption=caption)


def test_original_url_is_validated() -> None:
    article = factories.ArticleFactory.create(
        original_url="javascript:alert(1)", qr_caption="扫描二维码可阅读或下载全文"
    )
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "original_url" in excinfo.value.message_dict


def test_figure_numbers_are_unique_within_an_article() -> None:
    figure = factories.FigureFactory.create(number=1)
    factories.FigureFactory.create(number=1)  # another article: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.FigureFactory.create(article=figure.article, number=1)
