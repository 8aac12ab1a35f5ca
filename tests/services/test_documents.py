"""The reading site's documents, made once at publication by a build job and stored."""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from editorial.models import (
    DocumentBuild,
    DocumentBuildStatus,
    Issue,
    Publication,
    PublishedDocument,
)
from editorial.selectors import issue_edition
from editorial.services import approvals, issue_transitions
from editorial.services.documents import (
    document_build_run,
    document_builds_stalled,
    documents_request,
)
from editorial.services.shared_records import publication_save
from editorial.site_version import site_version, source_digest
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, chief, small_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Issue:
    return bring_to(small_issue(articles=2), IssueStatus.PUBLISHED)


def stored() -> dict[str, tuple[str, str, object]]:
    return {d.path: (d.kind, d.etag, d.modified_at) for d in PublishedDocument.objects.all()}


def test_publishing_records_one_build_for_the_edition_it_ships(published: Issue) -> None:
    build = DocumentBuild.objects.get(issue=published)
    assert build.status == DocumentBuildStatus.PENDING
    assert build.content_hash == issue_edition(published.pk).fingerprint
    # Asking again for the same Edition finds the same row.
    again = documents_request(issue=published, edition=issue_edition(published.pk), enqueue=False)
    assert again.pk == build.pk and DocumentBuild.objects.count() == 1


def test_a_build_stores_every_page_and_feed_the_publication_changes(
    published: Issue, client: Client
) -> None:
    build = DocumentBuild.objects.get(issue=published)
    done = document_build_run(build.pk)
    assert done is not None and done.status == DocumentBuildStatus.DONE
    slug, total = published.publication.slug, published.total_number
    section = published.articles.first().section.slug  # type: ignore[union-attr]
    kinds = {path: kind for path, (kind, _, _) in stored().items()}
    assert kinds == {
        "/": "home",
        "/archive/": "archive",
        f"/archive/{published.date.year}/": "archive",
        f"/archive/{slug}/{total}/": "issue",
        f"/archive/{slug}/{total}/1/": "article",
        f"/archive/{slug}/{total}/2/": "article",
        f"/archive/{slug}/sections/{section}/": "section",
        f"/feeds/{slug}/atom.xml": "feed",
        f"/feeds/{slug}/rss.xml": "feed",
        f"/feeds/{slug}/{section}/atom.xml": "feed",
        f"/feeds/{slug}/{section}/rss.xml": "feed",
        "/sitemap.xml": "sitemap",
        f"/api/v1/issues/{published.pk}/": "api-issue",
    }
    assert done.document_count == len(kinds)
    # The stored bytes are what the views answer on the fly.
    page = PublishedDocument.objects.get(path=f"/archive/{slug}/{total}/1/")
    fresh = client.get(f"/archive/{slug}/{total}/1/?fresh=1")
    assert bytes(page.body) == fresh.content and page.etag == fresh["ETag"]
    # A page of one issue is tagged by its Edition's fingerprint, then by its bytes.
    assert page.etag.startswith(f'"{issue_edition(published.pk).fingerprint[:32]}-')
    assert page.content_type == "text/html; charset=utf-8"


def test_a_build_that_runs_twice_stores_the_same_documents_once(published: Issue) -> None:
    build = DocumentBuild.objects.get(issue=published)
    document_build_run(build.pk)
    first = stored()
    assert document_build_run(build.pk) is None  # done: nothing to do
    DocumentBuild.objects.filter(pk=build.pk).update(status=DocumentBuildStatus.PENDING)
    document_build_run(build.pk)
    assert stored() == first  # same bytes: same ETag, same Last-Modified


def test_documents_another_version_of_the_site_made_are_made_again(published: Issue) -> None:
    build = DocumentBuild.objects.get(issue=published)
    document_build_run(build.pk)
    first = stored()
    assert set(PublishedDocument.objects.values_list("site_version", flat=True)) == {site_version()}
    # A deploy changed a template: the stored bytes are not the running site's, even where
    # they would come out the same; the next build stamps every one with this version.
    PublishedDocument.objects.update(site_version="0" * 16)
    DocumentBuild.objects.filter(pk=build.pk).update(status=DocumentBuildStatus.PENDING)
    document_build_run(build.pk)
    assert set(PublishedDocument.objects.values_list("site_version", flat=True)) == {site_version()}
    assert {path: etag for path, (_, etag, _) in stored().items()} == {
        path: etag for path, (_, etag, _) in first.items()
    }


def test_a_correction_remakes_the_pages_of_the_issue_it_supersedes(published: Issue) -> None:
    document_build_run(DocumentBuild.objects.get(issue=published).pk)
    slug, total = published.publication.slug, published.total_number
    before = PublishedDocument.objects.get(path=f"/archive/{slug}/{total}/")
    revision = issue_transitions.issue_correct(actor=None, issue_id=published.pk, reason="勘误")
    issue_transitions.issue_submit(actor=None, issue_id=revision.pk)
    approvals.issue_approve(actor=chief(), issue_id=revision.pk)
    issue_transitions.issue_publish(actor=None, issue_id=revision.pk)
    document_build_run(DocumentBuild.objects.get(issue=revision).pk)
    after = PublishedDocument.objects.get(path=f"/archive/{slug}/{total}/")
    assert after.etag != before.etag
    assert "本期已发布勘误修订版" in bytes(after.body).decode()
    assert f"/archive/{slug}/{total}/r2/" in bytes(after.body).decode()
    corrected = PublishedDocument.objects.get(path=f"/archive/{slug}/{total}/r2/")
    assert "本期为勘误修订版" in bytes(corrected.body).decode()
    assert PublishedDocument.objects.filter(path=f"/archive/{slug}/{total}/r2/1/").exists()


def test_publishing_asks_for_the_build_after_commit_and_the_task_stores_the_pages(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    issue = small_issue(articles=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bring_to(issue, IssueStatus.PUBLISHED)
    assert callbacks  # the rendition and the build, each sent once the publishing committed
    build = DocumentBuild.objects.get(issue=issue)
    assert build.status == DocumentBuildStatus.DONE and build.attempts == 1
    slug, total = issue.publication.slug, issue.total_number
    page = PublishedDocument.objects.get(path=f"/archive/{slug}/{total}/1/")
    assert "原来的正文" in bytes(page.body).decode()


def test_the_sweeper_takes_back_only_builds_nobody_holds(published: Issue) -> None:
    build = DocumentBuild.objects.get(issue=published)
    now = timezone.now()
    DocumentBuild.objects.filter(pk=build.pk).update(created_at=now - datetime.timedelta(hours=1))
    assert document_builds_stalled(now) == [build.pk]
    DocumentBuild.objects.filter(pk=build.pk).update(
        status=DocumentBuildStatus.RUNNING, lease_expires_at=now + datetime.timedelta(minutes=5)
    )
    assert document_builds_stalled(now) == []


def test_showing_the_notice_or_not_drops_the_stored_issue_pages(
    published: Issue, client: Client
) -> None:
    document_build_run(DocumentBuild.objects.get(issue=published).pk)
    slug, total = published.publication.slug, published.total_number
    path = f"/archive/{slug}/{total}/"
    notice = published.notice.text  # type: ignore[union-attr]
    assert notice not in client.get(path).content.decode()
    publication = Publication.objects.get(pk=published.publication_id)
    publication.notice_public = True
    publication_save(actor=None, publication=publication)
    assert not PublishedDocument.objects.filter(path=path).exists()
    assert PublishedDocument.objects.filter(path=f"{path}1/").exists()  # articles show no notice
    assert notice in client.get(path).content.decode()


def test_the_site_version_follows_every_template_stylesheet_and_module(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ title }}</p>")
    (tmp_path / "static.css").write_text("p { color: #1f4e79 }")
    roots = [tmp_path]
    first = source_digest(roots, base=tmp_path)
    assert source_digest(roots, base=tmp_path) == first  # the same files: the same version
    page.write_text("<p class=title>{{ title }}</p>")
    assert source_digest(roots, base=tmp_path) != first
    page.write_text("<p>{{ title }}</p>")
    (tmp_path / "static.css").write_text("p { color: #000 }")
    changed_css = source_digest(roots, base=tmp_path)
    assert changed_css != first
    (tmp_path / "templates" / "__pycache__").mkdir()
    (tmp_path / "templates" / "__pycache__" / "x.py").write_text("# compiled")
    (tmp_path / "notes.md").write_text("not part of the site")
    assert source_digest(roots, base=tmp_path) == changed_css
    assert source_digest(roots, base=tmp_path, extra=["DIGEST_ICP_NUMBER='京ICP备1号'"]) != (
        changed_css
    )
