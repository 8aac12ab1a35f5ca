"""Renditions as job rows: one per content, rendered once, failures recorded for editors."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from editorial.models import Article, Figure, Issue, Rendition, RenditionStatus
from editorial.services.bundles import issue_import
from editorial.services.renditions import rendition_generate, rendition_request
from editorial.workflow import IssueStatus
from tests.builders import BundleMaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(make_bundle: BundleMaker) -> Issue:
    return issue_import(actor=None, source=make_bundle())


def test_request_then_generate_stores_a_checked_pdf(
    issue: Issue, django_capture_on_commit_callbacks: object
) -> None:
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert (rendition.status, rendition.proof) == (RenditionStatus.PENDING, True)

    done = rendition_generate(rendition.pk)

    assert done is not None and done.status == RenditionStatus.DONE
    data = done.file.read()
    assert data.startswith(b"%PDF-")
    assert (done.size, done.page_count) == (len(data), done.page_count)
    assert done.page_count and done.page_count >= 4
    assert len(done.checksum) == 64 and done.duration is not None and done.duration > 0


def test_unchanged_content_is_never_rendered_twice(issue: Issue) -> None:
    first = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    rendition_generate(first.pk)
    again = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert again.pk == first.pk and again.status == RenditionStatus.DONE
    assert rendition_generate(first.pk) is None  # a duplicated task does nothing
    assert Rendition.objects.count() == 1


def test_changed_content_gets_a_new_rendition_and_approval_drops_the_proof(issue: Issue) -> None:
    first = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    Article.objects.filter(issue=issue, position=1).update(title="新标题")
    second = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert second.pk != first.pk and second.content_hash != first.content_hash
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.APPROVED)
    final = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert (final.proof, final.content_hash) == (False, second.content_hash)


def test_same_content_gives_the_same_bytes(issue: Issue) -> None:
    first = rendition_generate(rendition_request(actor=None, issue_id=issue.pk, enqueue=False).pk)
    assert first is not None
    data = first.file.read()
    Rendition.objects.all().delete()
    second = rendition_generate(rendition_request(actor=None, issue_id=issue.pk, enqueue=False).pk)
    assert second is not None and second.file.read() == data


def test_broken_image_fails_the_rendition_with_a_clear_error(issue: Issue) -> None:
    figure = Figure.objects.get(article__issue=issue)
    with figure.image.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n truncated")
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    failed = rendition_generate(rendition.pk)
    assert failed is not None and failed.status == RenditionStatus.FAILED
    assert "图 1" in failed.error and not failed.file
    # Asking again queues the failed job again rather than creating another row.
    retried = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert (retried.pk, retried.status) == (failed.pk, RenditionStatus.PENDING)


def test_content_changed_while_queued_fails_cleanly(issue: Issue) -> None:
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    Article.objects.filter(issue=issue).update(position=F("position") + 10)
    Article.objects.filter(issue=issue, position=11).update(title="排队期间改了")
    failed = rendition_generate(rendition.pk)
    assert failed is not None and failed.error == "本期内容在排队期间已变更，请重新生成。"


def test_request_is_enqueued_after_commit(
    issue: Issue, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        rendition = rendition_request(actor=None, issue_id=issue.pk)
    assert len(callbacks) == 1
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.DONE  # eager in tests: the task ran on commit


def test_render_issue_command_writes_the_pdf(issue: Issue, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("render_issue", total=179, output=tmp_path, stdout=out)
    target = tmp_path / "dsjfzdt-2024-16-179-proof.pdf"
    assert target.read_bytes().startswith(b"%PDF-")
    assert "[2/3] 渲染（样稿）" in out.getvalue()
    out = io.StringIO()
    call_command("render_issue", total=179, output=tmp_path, stdout=out)
    assert "内容未变，沿用已生成的文件" in out.getvalue()


def test_stalled_renditions_are_set_pending_again_for_the_sweeper(issue: Issue) -> None:
    from django.utils import timezone

    from editorial.services.renditions import renditions_stalled

    now = timezone.now()
    hours_ago = now - datetime.timedelta(hours=2)
    fresh = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert renditions_stalled(now) == []  # queued a moment ago: its task may still come
    Rendition.objects.filter(pk=fresh.pk).update(
        status=RenditionStatus.RUNNING,
        started_at=hours_ago,
        created_at=hours_ago,
        lease_expires_at=now - datetime.timedelta(seconds=1),
    )
    assert renditions_stalled(now) == [fresh.pk]  # the worker died, its lease ran out: queued
    assert Rendition.objects.get(pk=fresh.pk).status == RenditionStatus.PENDING
    done = rendition_generate(fresh.pk)
    assert done is not None and done.status == RenditionStatus.DONE
    assert renditions_stalled(now) == []
