"""Every page of the reading site reads a fixed number of queries, on 1 issue as on 50."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from editorial.models import Issue
from tests.builders import published_archive

pytestmark = pytest.mark.django_db

# The most queries each page may take when it is rendered on the fly (a stored page takes 1).
BUDGETS: dict[str, int] = {
    "home": 4,
    "archive": 4,
    "archive year": 4,
    "issue": 3,
    "article": 3,
    "section": 4,
    "feed atom": 3,
    "feed rss": 3,
    "section feed": 3,
    "sitemap": 3,
}


def pages(issue: Issue) -> dict[str, str]:
    slug, total = issue.publication.slug, issue.total_number
    section = issue.articles.order_by("position").first().section.slug  # type: ignore[union-attr]
    return {
        "home": "/",
        "archive": "/archive/",
        "archive year": f"/archive/{issue.date.year}/",
        "issue": f"/archive/{slug}/{total}/",
        "article": f"/archive/{slug}/{total}/2/",
        "section": f"/archive/{slug}/sections/{section}/",
        "feed atom": f"/feeds/{slug}/atom.xml",
        "feed rss": f"/feeds/{slug}/rss.xml",
        "section feed": f"/feeds/{slug}/{section}/atom.xml",
        "sitemap": "/sitemap.xml",
    }


@pytest.mark.parametrize("count", [1, 50])
def test_each_page_keeps_its_query_budget(
    client: Client, count: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    issues = published_archive(count)
    latest = issues[-1]
    for name, path in pages(latest).items():
        with django_assert_max_num_queries(BUDGETS[name]):
            response = client.get(f"{path}?budget")  # past the stored copies, to the views
        assert response.status_code == 200, (name, path)
    assert f"第{latest.total_number}期文章1" in client.get("/?budget").content.decode()
