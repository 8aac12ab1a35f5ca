"""build_site makes every public document again, and keeps the ETag of unchanged bytes."""

import io

import pytest
from django.core.management import call_command

from editorial.models import PublishedDocument
from tests.builders import published_archive

pytestmark = pytest.mark.django_db


def test_every_public_document_is_made_once(settings: object) -> None:
    issues = published_archive(2, articles=1, sections=1)
    out = io.StringIO()
    call_command("build_site", stdout=out, stderr=io.StringIO())
    slug = issues[0].publication.slug
    paths = set(PublishedDocument.objects.values_list("path", flat=True))
    assert {f"/archive/{slug}/100/", f"/archive/{slug}/101/1/", "/", "/sitemap.xml"} <= paths
    assert "已生成 2 期的" in out.getvalue()
    before = dict(PublishedDocument.objects.values_list("path", "modified_at"))
    call_command("build_site", stdout=io.StringIO(), stderr=io.StringIO())
    assert dict(PublishedDocument.objects.values_list("path", "modified_at")) == before
