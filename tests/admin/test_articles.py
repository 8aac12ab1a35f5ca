"""The article form tells the editor what the sanitizer removed, naming the article and the
field, and keeps it in the revision's audit note; a clean save says nothing of the kind."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from editorial.models import Article, AuditEntry
from tests import factories
from tests.admin.forms import form_data
from tests.models.test_articles import HOSTILE

pytestmark = pytest.mark.django_db


def save(client: Client, article: Article, **values: str) -> list[str]:
    url = f"/admin/editorial/article/{article.pk}/change/"
    data = form_data(client.get(url).content.decode(), "article_form")
    data.update({name: [value] for name, value in values.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_hostile_body_and_notes_are_reported_on_save(editor_client: Client) -> None:
    article = factories.ArticleFactory.create(title="数字经济2024年工作要点")
    messages = save(
        editor_client, article, body=HOSTILE, notes='<p onclick="n()">注</p><script>s</script>'
    )
    body_report = (
        "已移除：脚本 1 处，样式表 1 处，事件处理属性 4 个，javascript: 链接 1 处，内嵌图片 1 张，"
        "嵌入的网页或对象 1 处，SVG/MathML 图形 1 处，样式属性 1 个"
    )
    assert messages[:2] == [
        f"《数字经济2024年工作要点》的正文：{body_report}。",
        "《数字经济2024年工作要点》的注：已移除：脚本 1 处，事件处理属性 1 个。",
    ]
    note = AuditEntry.objects.get(article=article, action="update").note
    assert note == f"修改文章；正文{body_report}；注已移除：脚本 1 处，事件处理属性 1 个"


def test_a_clean_save_reports_nothing(editor_client: Client) -> None:
    article = factories.ArticleFactory.create()
    messages = save(editor_client, article, body="<p><strong>一是</strong>改过的正文。</p>")
    assert not any("已移除" in m for m in messages)
    assert AuditEntry.objects.get(article=article, action="update").note == "修改文章"
