"""Cursor pages: newest issues first, a walk sees each issue once even while issues are added."""

import datetime

import pytest
from django.test import Client

from editorial.models import Issue
from tests.builders import published_archive

pytestmark = pytest.mark.django_db


def test_a_walk_through_the_pages_sees_every_issue_once() -> None:
    issues = published_archive(12, articles=1)
    reader = Client()
    seen: list[int] = []
    url: str | None = "/api/v1/issues/?page_size=5"
    while url:
        page = reader.get(url).json()
        assert "count" not in page  # no count of the whole table
        seen += [row["id"] for row in page["results"]]
        if len(seen) == 5:
            newer = published_archive(1, articles=1)[0]  # a newer issue appears mid-walk
            Issue.objects.filter(pk=newer.pk).update(date=datetime.date(2030, 1, 7))
        url = page["next"]
    newest_first = sorted(issues, key=lambda i: (i.date, i.pk), reverse=True)
    assert seen == [i.pk for i in newest_first]
