"""The sitemap lists every public page and nothing unpublished."""

import pytest
from django.test import Client
from django.utils import timezone

from editorial.models import Issue
from editorial.workflow import IssueStatus
from tests.builders import published_archive

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_the_public_pages(client: Client) -> None:
    issues = published_archive(2)
    Issue.objects.filter(pk=issues[1].pk).update(
        status=IssueStatus.SCHEDULED, scheduled_at=timezone.now(), published_at=None
    )
    slug = issues[0].publication.slug
    section = issues[0].articles.get(position=0).section.slug
    page = client.get("/sitemap.xml").content.decode()
    for path in (
        "/",
        "/archive/",
        "/archive/2024/",
        f"/archive/{slug}/100/",
        f"/archive/{slug}/100/1/",
        f"/archive/{slug}/100/2/",
        f"/archive/{slug}/sections/{section}/",
    ):
        assert f"<loc>http://testserver{path}</loc>" in page, path
    assert f"/archive/{slug}/101/" not in page
    assert f"/archive/{slug}/100/3/" not in page
