"""Stored documents served as they were made: strong ETag, Last-Modified, Cache-Control, 304,
and the site's policy without a nonce; anything not stored goes on to the views."""

import gzip
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from editorial.models import PublishedDocument
from editorial.services.documents import document_etag

pytestmark = pytest.mark.django_db

BODY = "<!DOCTYPE html><p>已发布的页面</p>".encode()


@pytest.fixture
def document() -> PublishedDocument:
    return PublishedDocument.objects.create(
        path="/archive/",
        kind="archive",
        content_type="text/html; charset=utf-8",
        body=BODY,
        etag=document_etag(BODY),
        modified_at=timezone.now().replace(microsecond=0),
    )


def test_a_stored_document_is_served_with_its_validators(
    client: Client, document: PublishedDocument, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        response = client.get("/archive/")
    assert response.status_code == 200 and response.content == BODY
    assert response["ETag"] == document.etag
    assert response["Last-Modified"] == http_date(document.modified_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = response["Content-Security-Policy"]
    assert "nonce" not in policy and "script-src 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Permissions-Policy"].startswith("accelerometer=()")
    assert "sessionid" not in response.cookies
    head = client.head("/archive/")
    assert head.status_code == 200 and head["ETag"] == document.etag


def test_a_match_is_answered_304(client: Client, document: PublishedDocument) -> None:
    by_tag = client.get("/archive/", HTTP_IF_NONE_MATCH=document.etag)
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag["ETag"] == document.etag
    by_time = client.get(
        "/archive/", HTTP_IF_MODIFIED_SINCE=http_date(document.modified_at.timestamp())
    )
    assert by_time.status_code == 304
    stale = client.get("/archive/", HTTP_IF_NONE_MATCH='"0000"')
    assert stale.status_code == 200 and stale.content == BODY


def test_a_client_that_accepts_gzip_gets_the_document_compressed_under_its_own_tag(
    client: Client,
) -> None:
    body = ("<!DOCTYPE html>" + "<p>数据要素市场化配置改革</p>" * 400).encode()
    stored = PublishedDocument.objects.create(
        path="/feeds/shuju/atom.xml",
        kind="feed",
        content_type="application/atom+xml; charset=utf-8",
        body=body,
        etag=document_etag(body),
        modified_at=timezone.now().replace(microsecond=0),
    )
    plain = client.get(stored.path)
    assert plain.content == body and "Content-Encoding" not in plain
    assert plain["Vary"] == "Accept-Encoding" and plain["ETag"] == stored.etag

    packed = client.get(stored.path, HTTP_ACCEPT_ENCODING="br, gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and packed["Vary"] == "Accept-Encoding"
    assert len(packed.content) < len(body) / 10
    assert gzip.decompress(packed.content) == body
    assert packed["ETag"] == stored.etag[:-1] + '-gz"' and packed["Content-Type"].startswith(
        "application/atom+xml"
    )
    # Each variant revalidates against its own tag, and a 304 carries no encoding.
    again = client.get(stored.path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304 and "Content-Encoding" not in again
    other = client.get(stored.path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=stored.etag)
    assert other.status_code == 200 and gzip.decompress(other.content) == body
    assert client.get(stored.path, HTTP_IF_NONE_MATCH=stored.etag).status_code == 304


def test_what_is_not_stored_is_rendered_by_the_views(
    client: Client, document: PublishedDocument
) -> None:
    # A query string, another path, a POST: the views answer (an empty archive here).
    fresh = client.get("/archive/?page=1")
    assert fresh.status_code == 200 and fresh.content != BODY
    assert "还没有已发布的期" in fresh.content.decode()
    assert re.fullmatch(r'"[0-9a-f]{32}"', fresh["ETag"])
    again = client.get("/archive/?page=1", HTTP_IF_NONE_MATCH=fresh["ETag"])
    assert again.status_code == 304
    assert client.get("/").status_code == 200
    assert client.post("/archive/").status_code == 405


def test_a_document_another_version_of_the_site_made_is_rendered_again(
    client: Client, document: PublishedDocument
) -> None:
    assert client.get("/archive/").content == BODY
    PublishedDocument.objects.filter(pk=document.pk).update(site_version="0" * 16)
    fresh = client.get("/archive/")
    assert fresh.status_code == 200 and fresh.content != BODY
    assert "还没有已发布的期" in fresh.content.decode()


def test_each_worker_keeps_a_document_for_a_while_within_its_memory_bound(
    client: Client,
    document: PublishedDocument,
    settings: Any,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    settings.DIGEST_DOCUMENT_CACHE_SECONDS = 60
    client.get("/archive/")
    PublishedDocument.objects.filter(pk=document.pk).update(body=b"new", etag='"new"')
    with django_assert_num_queries(0):
        kept = client.get("/archive/")
    assert kept.content == BODY  # what readers may cache for five minutes anyway
    settings.DIGEST_DOCUMENT_CACHE_BYTES = 10  # smaller than any document: none is kept
    client.get("/archive/?other")
    fresh = Client()
    fresh.get("/archive/")
    with django_assert_num_queries(1):
        assert fresh.get("/archive/").content == b"new"


def test_paths_no_document_is_stored_under_cost_no_query(
    django_assert_num_queries: Any, client: Client
) -> None:
    """The workspace's pages pay nothing for the reading site's stored documents."""
    PublishedDocument.objects.create(
        path="/admin/login/",
        kind="archive",
        content_type="text/html; charset=utf-8",
        body=BODY,
        etag=document_etag(BODY),
        modified_at=timezone.now(),
    )
    with django_assert_num_queries(0):
        response = client.get("/admin/login/")
    assert response.content != BODY  # the login page itself, not a stored row


def test_every_document_path_may_be_stored(publication: Any) -> None:
    from editorial.documents import PublishedIssue, documents_of, may_be_stored

    issue = PublishedIssue(1, publication.slug, 179, 2, 2024, 3, ("guoce",))
    paths = documents_of([issue])
    assert paths and all(may_be_stored(path) for path in paths)
    assert not may_be_stored("/admin/editorial/issue/")
