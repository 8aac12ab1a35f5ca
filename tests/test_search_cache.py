"""editorial/search_cache.py: a page of results is computed once per state of the index; a
publication or a correction makes every cached page stale at once; what is cached is what
readers see."""

from typing import Any

import pytest

from editorial.models import Article, Issue, SearchGeneration
from editorial.search_cache import SearchCache
from editorial.services import approvals, issue_transitions
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, chief, small_issue

pytestmark = pytest.mark.django_db


def issue_about(title: str) -> Issue:
    issue = small_issue()
    Article.objects.filter(issue=issue).update(title=title)
    return issue


def found(query: str) -> list[int]:
    return [r.article_id for r in SearchCache.now().articles(query).results]


def test_a_page_is_computed_once_and_publishing_makes_it_find_the_new_article(
    django_assert_num_queries: Any,
) -> None:
    first = bring_to(issue_about("推动算力网络建设"), IssueStatus.PUBLISHED)
    (first_article,) = first.articles.values_list("pk", flat=True)
    assert found("算力") == [first_article]
    with django_assert_num_queries(1):  # the generation; the page comes from the cache
        page = SearchCache.now().articles(" 算力 ", limit=20)
    assert [r.article_id for r in page.results] == [first_article]
    assert page.query == " 算力 " and "<mark>算力</mark>" in page.results[0].title_html
    # Nothing a reader cannot read reaches the cache: an approved issue is not found yet.
    second = bring_to(issue_about("算力调度平台上线"), IssueStatus.APPROVED)
    assert found("算力") == [first_article]
    generation = SearchGeneration.objects.get().token
    issue_transitions.issue_publish(actor=None, issue_id=second.pk)
    assert SearchGeneration.objects.get().token != generation
    (second_article,) = second.articles.values_list("pk", flat=True)
    assert sorted(found("算力")) == sorted([first_article, second_article])


def test_a_correction_drops_the_superseded_revision_from_a_cached_page() -> None:
    original = bring_to(issue_about("数据要素市场化配置改革"), IssueStatus.PUBLISHED)
    (original_article,) = original.articles.values_list("pk", flat=True)
    assert found("数据要素") == [original_article]
    revision = issue_transitions.issue_correct(actor=None, issue_id=original.pk, reason="勘误")
    issue_transitions.issue_submit(actor=None, issue_id=revision.pk)
    approvals.issue_approve(actor=chief(), issue_id=revision.pk)
    assert found("数据要素") == [original_article]  # until the correction is published
    issue_transitions.issue_publish(actor=None, issue_id=revision.pk)
    (revision_article,) = revision.articles.values_list("pk", flat=True)
    assert found("数据要素") == [revision_article]


def test_the_filters_choices_follow_the_index() -> None:
    assert SearchCache.now().facets().years == []
    issue = bring_to(issue_about("推动算力网络建设"), IssueStatus.PUBLISHED)
    facets = SearchCache.now().facets()
    assert facets.years == [issue.date.year]
    section = issue.articles.get().section
    assert facets.sections == [(section.slug, section.name)]
