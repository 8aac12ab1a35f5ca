"""The reading site's documents, made once when an issue is published or corrected.

Publishing records a ``DocumentBuild`` row for the Edition it ships (in the publishing
transaction) and asks for its task after commit; the task renders every path the publication
changes (``editorial/documents.py``) through the site's own views — the very code that answers a
cache miss — and stores the bytes that changed with their ETag and time. A build that runs twice
stores the same bytes once: a document whose bytes are unchanged keeps its ETag and its
Last-Modified, so readers' caches stay valid.
"""

import datetime
import hashlib
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from editorial.documents import PublishedIssue, documents_of
from editorial.editions import Edition
from editorial.jobs import DOCUMENT_BUILD
from editorial.models import DocumentBuild, DocumentBuildStatus, Issue, PublishedDocument
from editorial.selectors import issue_edition
from editorial.site_version import site_version

from .jobs import enqueue_on_commit, job_extend_lease, job_lease, jobs_stalled

logger = logging.getLogger(__name__)

# The WSGI environ key that marks a request made to render a document: the middleware then
# renders instead of serving the stored bytes. No HTTP request can set it (theirs are HTTP_*).
RENDERING = "digest.rendering_document"


class DocumentRenderFailed(RuntimeError):
    """A document's view failed: the build fails, saying which path, and is retried."""


@dataclass(frozen=True)
class RenderedDocument:
    path: str
    content_type: str
    body: bytes
    etag: str


def document_etag(body: bytes, edition: Edition | None = None) -> str:
    """The strong ETag of a document's bytes (quoted, as the header carries it). A document of
    one issue leads with its Edition's fingerprint; the hash of the bytes follows, since a page
    also shows what the Edition does not hold (the correction note, the PDF, the footer)."""
    digest = hashlib.sha256(body).hexdigest()
    if edition is not None:
        return f'"{edition.fingerprint[:32]}-{digest[:12]}"'
    return f'"{digest[:32]}"'


def published_issue(issue: Issue, edition: Edition | None = None) -> PublishedIssue:
    """How the site names ``issue`` (loaded with its publication), from the Edition it shows."""
    if edition is None:
        edition = issue_edition(issue.pk, status=issue.status)
    return PublishedIssue(
        issue_id=issue.pk,
        slug=edition.publication.slug,
        total_number=edition.total_number,
        revision=edition.revision,
        year=edition.date.year,
        article_count=len(edition.articles),
        section_slugs=tuple(section.slug for section in edition.sections),
    )


@transaction.atomic
def documents_request(*, issue: Issue, edition: Edition, enqueue: bool = True) -> DocumentBuild:
    """The build of the documents a just-published ``issue`` changes (in the publishing
    transaction): an existing row for the same Edition, or a new pending job. A failed one is
    queued again."""
    build, created = DocumentBuild.objects.get_or_create(
        issue_id=issue.pk, content_hash=edition.fingerprint
    )
    if not created and build.status in (DocumentBuildStatus.FAILED, DocumentBuildStatus.DONE):
        # Published again (a correction superseding it changes its pages): make them again.
        build.status, build.error = DocumentBuildStatus.PENDING, ""
        build.save(update_fields=["status", "error"])
        created = True
    if created and enqueue:
        enqueue_on_commit(DOCUMENT_BUILD.task, build.pk)
    return build


def document_build_run(build_id: int) -> DocumentBuild | None:
    """Render and store a pending build's documents; ``None`` when another worker has it or it
    is done. Rendering runs outside any transaction, under the row's lease."""
    with transaction.atomic():
        build = (
            DocumentBuild.objects.select_for_update(skip_locked=True)
            .filter(pk=build_id, status=DocumentBuildStatus.PENDING)
            .first()
        )
        if build is None:
            return None
        build.status, build.started_at = DocumentBuildStatus.RUNNING, timezone.now()
        build.attempts += 1
        build.lease_expires_at = job_lease(build)
        build.save(update_fields=["status", "started_at", "attempts", "lease_expires_at"])
    try:
        issue = Issue.objects.select_related("publication", "corrects").get(pk=build.issue_id)
        changed = [published_issue(issue)]
        if issue.corrects is not None:
            changed.append(published_issue(issue.corrects))

        def progress(done: int) -> None:
            if done % 50 == 0:  # renew the lease as the pages are made
                job_extend_lease(build)

        count = documents_store(changed, progress=progress)
    except Exception as exc:
        build.status, build.error = DocumentBuildStatus.FAILED, f"内部错误：{exc!r}"
        build.finished_at, build.lease_expires_at = timezone.now(), None
        build.save(update_fields=["status", "error", "finished_at", "lease_expires_at"])
        raise
    build.status, build.error, build.document_count = DocumentBuildStatus.DONE, "", count
    build.finished_at, build.lease_expires_at = timezone.now(), None
    build.save(
        update_fields=["status", "error", "document_count", "finished_at", "lease_expires_at"]
    )
    logger.info("built %d documents for %s", count, issue)
    return build


def documents_store(
    issues: Iterable[PublishedIssue],
    *,
    progress: Callable[[int], object] | None = None,
    paths: dict[str, str] | None = None,
) -> int:
    """Render every document the publication of ``issues`` changes (or ``paths``, from
    ``documents_of``) and store the bytes that differ from those stored; the number of
    documents rendered. ``progress`` is told how many are done after each."""
    if paths is None:
        paths = documents_of(issues)
    stored = {
        path: (etag, version)
        for path, etag, version in PublishedDocument.objects.filter(
            path__in=list(paths)
        ).values_list("path", "etag", "site_version")
    }
    render = document_renderer()
    version = site_version()
    for index, (path, kind) in enumerate(paths.items()):
        rendered = render(path)
        if rendered is None:
            continue
        etag = rendered.etag
        if stored.get(path) != (etag, version):
            PublishedDocument.objects.update_or_create(
                path=path,
                defaults={
                    "kind": kind,
                    "content_type": rendered.content_type,
                    "body": rendered.body,
                    "etag": etag,
                    "modified_at": timezone.now(),
                    "site_version": version,
                },
            )
        if progress is not None:
            progress(index + 1)
    return len(paths)


def document_renderer() -> Callable[[str], RenderedDocument | None]:
    """Render a path as a reader's GET at DIGEST_SITE_URL would be answered, through the whole
    middleware stack and the site's views; ``None`` for anything but a 200 (logged)."""
    handler = WSGIHandler()
    site = urlsplit(settings.DIGEST_SITE_URL)
    secure = site.scheme == "https"
    host = site.hostname or "127.0.0.1"
    port = str(site.port or (443 if secure else 80))

    def render(path: str) -> RenderedDocument | None:
        request = WSGIRequest(
            {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "SCRIPT_NAME": "",
                "QUERY_STRING": "",
                "SERVER_NAME": host,
                "SERVER_PORT": port,
                "HTTP_HOST": site.netloc or host,
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.input": io.BytesIO(),
                "wsgi.url_scheme": site.scheme or "http",
                RENDERING: True,
            }
        )
        response = handler.get_response(request)
        if response.status_code >= 500:
            raise DocumentRenderFailed(f"{path}：服务器错误 {response.status_code}")
        if response.status_code != 200 or not isinstance(response, HttpResponse):
            logger.warning("document %s not stored: status %s", path, response.status_code)
            return None
        body = response.content
        etag = response.headers.get("ETag") or document_etag(body)
        return RenderedDocument(
            path=path, content_type=response["Content-Type"], body=body, etag=etag
        )

    return render


def documents_forget(*, kind: str, publication_slug: str) -> int:
    """Drop one publication's stored documents of ``kind`` (after a setting they show changed);
    the views answer those paths again, and ``build_site`` or the next build stores them."""
    prefix = reverse("public:archive") + f"{publication_slug}/"
    deleted, _ = PublishedDocument.objects.filter(kind=kind, path__startswith=prefix).delete()
    return deleted


def document_builds_stalled(now: datetime.datetime) -> list[int]:
    """Builds nobody picked up or whose lease ran out, set pending again (see jobs_stalled)."""
    return jobs_stalled(DocumentBuild.objects.all(), now=now, pending_since="created_at")
