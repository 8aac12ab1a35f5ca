"""The site's search page (public:search): results highlighted and escaped, filters, errors in
Chinese, and the same number of queries for 1 and for 50 issues."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from editorial.management.commands.generate_archive import generate_archive
from editorial.models import Article, Publication, SearchEntry
from editorial.services.shared_records import publication_save
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db
URL = reverse("public:search")


def test_results_link_their_place_in_the_issue_with_the_matches_marked(client: Client) -> None:
    issue = small_issue(articles=2)
    first = issue.articles.order_by("position", "pk").first()
    assert first is not None
    Article.objects.filter(pk=first.pk).update(
        title="<i>推动</i>算力网络建设", body="<p>到2026年，全省算力总规模达到10 EFLOPS。</p>"
    )
    issue = bring_to(issue, IssueStatus.PUBLISHED)
    page = client.get(URL, {"q": "算力"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "找到 1 篇文章" in html
    assert "&lt;i&gt;推动&lt;/i&gt;<mark>算力</mark>网络建设" in html
    assert "全省<mark>算力</mark>总规模" in html
    link = reverse("public:issue", args=[issue.publication.slug, issue.total_number])
    assert f'href="{link}1/"' in html
    assert "没有找到包含“量子”的文章" in client.get(URL, {"q": "量子"}).content.decode()
    year = issue.date.year
    assert "找到 1 篇" in client.get(URL, {"q": "算力", "year": str(year)}).content.decode()
    refused = client.get(URL, {"q": "算力", "year": str(year + 1)}).content.decode()
    assert "选择一个有效的选项" in refused and "找到" not in refused


def test_an_empty_or_too_long_query_searches_nothing(client: Client) -> None:
    assert "找到" not in client.get(URL).content.decode()
    page = client.get(URL, {"q": "算" * 101}).content.decode()
    assert "最多 100 个字" in page and "找到" not in page


@pytest.mark.parametrize("issues", [1, 50])
def test_the_page_makes_the_same_queries_for_1_and_50_issues(
    issues: int, client: Client, django_assert_max_num_queries: Any
) -> None:
    generate_archive(issues, seed=2, articles=(2, 2))
    assert SearchEntry.objects.count() == 2 * issues
    query = {"q": "数据", "page": 2 if issues == 50 else 1}
    with django_assert_max_num_queries(9):  # of them: the index's generation, the masthead
        page = client.get(URL, query)
    assert page.status_code == 200
    with django_assert_max_num_queries(1):  # the same page again, whole from the cache
        assert client.get(URL, query).content == page.content
    html = page.content.decode()
    assert html.count("<mark>") >= (20 if issues == 50 else 1)
    if issues == 50:
        assert (
            "找到 100 篇文章，第 21–40 篇" in html and 'rel="next"' in html and 'rel="prev"' in html
        )


def test_a_kept_page_is_the_running_sites_and_the_index_as_it_is_now(
    client: Client, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    generate_archive(1, seed=2, articles=(2, 2))
    first = client.get(URL, {"q": "数据"}).content
    with django_assert_num_queries(1):
        assert client.get(URL, {"q": "数据"}).content == first
    # Another deploy (a new site version): the page is made again, by this site's templates.
    monkeypatch.setattr("editorial.public.search.site_version", lambda: "0" * 16)
    with django_assert_num_queries(2):  # the generation, the masthead (results still kept)
        assert client.get(URL, {"q": "数据"}).status_code == 200
    # Another publication (the index's generation): the new issue's articles are found.
    # The query as typed is the page's (the box shows it): spaces make another page.
    spaced = client.get(URL, {"q": " 数据 "}).content.decode()
    assert 'value=" 数据 "' in spaced and 'value="数据"' in first.decode()
    # A renamed publication: the kept pages show its old name no longer.
    publication = Publication.objects.get()
    publication.name = "数字治理周报（新）"
    publication_save(actor=None, publication=publication)
    assert "数字治理周报（新）" in client.get(URL, {"q": "数据"}).content.decode()
    found = int(re.search(r"找到 (\d+) 篇文章", first.decode())[1])  # type: ignore[index]
    issue = small_issue(articles=1)
    issue.articles.update(title="数据新篇")
    bring_to(issue, IssueStatus.PUBLISHED)
    assert f"找到 {found + 1} 篇文章" in client.get(URL, {"q": "数据"}).content.decode()
