"""The article changelist's search box goes through editorial.search: published articles by the
index (jieba's words, no substring scan of every body), the articles it does not hold — drafts
and superseded revisions — by their text."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Article
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db
URL = reverse("admin:editorial_article_changelist")


def shown(client: Client, query: str) -> set[int]:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return {article.pk for article in response.context["cl"].result_list}


def test_the_changelist_finds_published_articles_through_the_index_and_drafts_by_text(
    editor_client: Client,
) -> None:
    published = small_issue(articles=2)
    Article.objects.filter(issue=published).update(body="<p>推进数据要素市场化配置改革。</p>")
    hit, miss = published.articles.order_by("position", "pk")
    Article.objects.filter(pk=miss.pk).update(body="<p>发展人工智能。</p>")
    bring_to(published, IssueStatus.PUBLISHED)
    superseded = small_issue()
    Article.objects.filter(issue=superseded).update(title="数据要素的旧标题")
    superseded = bring_to(superseded, IssueStatus.SUPERSEDED)
    old = superseded.articles.get()
    revision = superseded.correction.articles.get()
    draft = small_issue()
    Article.objects.filter(issue=draft).update(source="国家数据局数据要素处")
    in_draft = draft.articles.get()
    assert shown(editor_client, "数据要素") == {hit.pk, old.pk, revision.pk, in_draft.pk}
    assert shown(editor_client, "人工智能") == {miss.pk}
    assert shown(editor_client, "，") == set()
    assert len(shown(editor_client, "")) == Article.objects.count()


def test_bodies_of_published_articles_are_not_scanned(editor_client: Client) -> None:
    bring_to(small_issue(), IssueStatus.PUBLISHED)
    with CaptureQueriesContext(connection) as queries:
        shown(editor_client, "数据要素")
    (listing,) = [q["sql"] for q in queries if "editorial_searchentry" in q["sql"]][:1]
    assert "@@" in listing
    # The text search is only over the rows the index does not hold.
    assert '"editorial_searchentry"."article_id" IS NULL AND' in listing


def test_a_search_costs_the_same_queries_for_3_and_9_articles(
    editor_client: Client, django_assert_max_num_queries: Any
) -> None:
    for count in (3, 9):
        bring_to(small_issue(articles=count), IssueStatus.PUBLISHED)
        with django_assert_max_num_queries(12):
            shown(editor_client, "原来的正文")
