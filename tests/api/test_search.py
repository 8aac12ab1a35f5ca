"""GET /api/v1/search/: ranked published articles with highlighted title and snippet, open to
anyone, parameters validated, and the same number of queries for 1 and for 50 issues."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from editorial.management.commands.generate_archive import generate_archive
from editorial.models import Article
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db
URL = reverse("api-v1:search")


def test_anyone_finds_published_articles_with_marked_titles_and_snippets(client: Client) -> None:
    draft = small_issue()
    Article.objects.filter(issue=draft).update(title="草稿里的算力")
    issue = small_issue(articles=2)
    first = issue.articles.order_by("position", "pk").first()
    assert first is not None
    Article.objects.filter(pk=first.pk).update(
        title="算力<script>", body="<p>全省<b>算力</b>总规模达到 10 EFLOPS。</p>"
    )
    issue = bring_to(issue, IssueStatus.PUBLISHED)
    response = client.get(URL, {"q": "算力", "limit": "5"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next_offset"] is None
    (result,) = body["results"]
    assert result["article"] == first.pk and result["issue"] == issue.pk
    assert result["title"] == "算力<script>"
    assert result["title_html"] == "<mark>算力</mark>&lt;script&gt;"
    assert result["snippet"].startswith("全省算力总规模达到 10 EFLOPS。")
    assert result["snippet_html"].startswith("全省<mark>算力</mark>总规模达到 10 EFLOPS。")
    assert result["section"] == first.section.slug and result["rank"] > 0
    assert result["url"].endswith("/1/")


def test_bad_parameters_are_refused_with_the_reason(client: Client) -> None:
    response = client.get(URL, {"q": "算力", "year": "去年", "limit": "500"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"year", "limit"}
    assert client.get(URL).status_code == 400  # q is required


@pytest.mark.parametrize("issues", [1, 50])
def test_the_endpoint_makes_the_same_queries_for_1_and_50_issues(
    issues: int, client: Client, django_assert_max_num_queries: Any
) -> None:
    generate_archive(issues, seed=3, articles=(2, 2))
    with django_assert_max_num_queries(6):  # one of them: the index's generation
        response = client.get(URL, {"q": "数据", "limit": "50", "offset": "10"})
    assert response.status_code == 200
    assert response.json()["count"] == 2 * issues
    assert len(response.json()["results"]) == min(50, max(0, 2 * issues - 10))
