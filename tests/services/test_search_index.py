"""services/search_index.py: publishing indexes what the issue ships; a correction's publication
takes the superseded revision out; drafts are never indexed; running it twice changes nothing."""

import pytest

from editorial.models import Article, SearchEntry
from editorial.search import search_articles
from editorial.selectors import issue_edition
from editorial.services.issue_transitions import issue_publish
from editorial.services.search_index import search_index_publish, search_index_rebuild
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db


def found(query: str) -> list[int]:
    return [r.article_id for r in search_articles(query).results]


def test_publishing_indexes_the_edition_it_ships_and_only_then() -> None:
    issue = small_issue(articles=2)
    first, second = issue.articles.order_by("position", "pk")
    Article.objects.filter(pk=first.pk).update(
        title="推动算力网络建设", body="<p>国办发〔2024〕15号明确，建设<b>智算中心</b>。</p>"
    )
    Article.objects.filter(pk=second.pk).update(source="贵阳大数据科创城（中国数谷）")
    bring_to(issue, IssueStatus.APPROVED)
    assert SearchEntry.objects.count() == 0 and found("算力") == []
    # A change after approval does not reach readers, nor search.
    Article.objects.filter(pk=first.pk).update(title="未经批准的标题")
    issue_publish(actor=None, issue_id=issue.pk)
    assert found("算力") == [first.pk]
    assert found("国办发[2024]15号") == [first.pk] and found("智算中心") == [first.pk]
    assert found("数谷") == [second.pk]
    assert found("未经批准") == []
    entry = SearchEntry.objects.get(article=first)
    assert (entry.title, entry.position, entry.issue_id) == ("推动算力网络建设", 1, issue.pk)
    assert "<b>" not in entry.text and "智算中心" in entry.text


def test_running_it_again_changes_nothing() -> None:
    issue = bring_to(small_issue(articles=3), IssueStatus.PUBLISHED)
    before = list(SearchEntry.objects.order_by("pk").values())
    assert search_index_publish(issue=issue, edition=issue_edition(issue.pk)) == 3
    assert list(SearchEntry.objects.order_by("pk").values()) == before
    assert search_index_rebuild() == 3
    assert list(SearchEntry.objects.order_by("pk").values()) == before


def test_a_published_correction_replaces_the_revision_it_supersedes() -> None:
    original = small_issue()
    Article.objects.filter(issue=original).update(title="数据要素市场化配置改革")
    original = bring_to(original, IssueStatus.SUPERSEDED)
    revision = original.correction
    assert SearchEntry.objects.get().issue_id == revision.pk
    assert [r.issue_id for r in search_articles("数据要素").results] == [revision.pk]
    # The rebuild indexes the published issues only, as publishing did.
    assert search_index_rebuild() == 1
    assert SearchEntry.objects.get().issue_id == revision.pk
