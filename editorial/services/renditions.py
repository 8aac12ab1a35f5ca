"""Renditions: ask for an output of an issue's current content, and produce it once.

A request records (or finds) the job row for the fingerprint of the Edition the issue shows
(``selectors.issue_edition``); the task renders it. The same Edition is never rendered twice: the
row, its file and its checksum are reused.
"""

import datetime
import logging
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from editorial.editions import Edition
from editorial.jobs import RENDITION
from editorial.models import Issue, Rendition, RenditionKind, RenditionStatus
from editorial.rendering.errors import RenderError
from editorial.selectors import issue_edition
from editorial.workflow import ISSUE_SIGNED_OFF

from .jobs import enqueue_on_commit, job_extend_lease, job_lease, jobs_stalled
from .permissions import Actor, require_perm

logger = logging.getLogger(__name__)


@transaction.atomic
def rendition_request(
    *,
    actor: Actor,
    issue_id: int,
    kind: str = RenditionKind.PDF,
    enqueue: bool = True,
    edition: Edition | None = None,
) -> Rendition:
    """The rendition of the Edition the issue shows now: an existing one, or a new pending job.

    Before approval the output is a proof (样稿 watermark). A failed job is queued again.
    ``edition``: the issue's Edition when the caller has just read it (publishing).
    """
    require_perm(actor, "editorial.view_issue")
    status = Issue.objects.values_list("status", flat=True).get(pk=issue_id)
    if edition is None:
        edition = issue_edition(issue_id, status=status)
    rendition, created = Rendition.objects.get_or_create(
        issue_id=issue_id,
        kind=kind,
        proof=status not in ISSUE_SIGNED_OFF,
        content_hash=edition.fingerprint,
    )
    if not created and rendition.status == RenditionStatus.FAILED:
        rendition.status, rendition.error = RenditionStatus.PENDING, ""
        rendition.save(update_fields=["status", "error"])
        created = True
    if created and enqueue:
        enqueue_on_commit(RENDITION.task, rendition.pk)
    return rendition


def rendition_generate(rendition_id: int) -> Rendition | None:
    """Render a pending job; ``None`` when another worker has it or it is already done.

    Rendering runs outside any transaction (it takes seconds); the row is marked running first,
    leased for longer than the task may run, and finished after, so editors see progress and a
    crash leaves a row the sweeper re-queues once its lease has run out.
    """
    with transaction.atomic():
        rendition = (
            Rendition.objects.select_for_update(skip_locked=True)
            .filter(pk=rendition_id, status=RenditionStatus.PENDING)
            .first()
        )
        if rendition is None:
            return None
        rendition.status, rendition.started_at = RenditionStatus.RUNNING, timezone.now()
        rendition.attempts += 1
        rendition.lease_expires_at = job_lease(rendition)
        rendition.save(update_fields=["status", "started_at", "attempts", "lease_expires_at"])
    started = time.perf_counter()
    try:
        edition = issue_edition(rendition.issue_id)
        if edition.fingerprint != rendition.content_hash:
            raise RenderError("本期内容在排队期间已变更，请重新生成。")
        # WeasyPrint is loaded where a PDF is made, not by every process that imports services.
        from editorial.rendering.print import render_issue_pdf

        job_extend_lease(rendition)  # loading the Edition took its time; the render takes the most
        pdf = render_issue_pdf(edition, proof=rendition.proof)
    except RenderError as exc:
        return _finish_failed(rendition, str(exc))
    except Exception as exc:
        _finish_failed(rendition, f"内部错误：{exc!r}")
        raise
    with transaction.atomic():
        rendition.file.save(pdf.filename, ContentFile(pdf.data), save=False)
        rendition.checksum, rendition.size = pdf.sha256, len(pdf.data)
        rendition.page_count = pdf.page_count
        rendition.duration = round(time.perf_counter() - started, 3)
        rendition.status, rendition.error = RenditionStatus.DONE, ""
        rendition.finished_at, rendition.lease_expires_at = timezone.now(), None
        rendition.save()
    logger.info(
        "rendered %s: %d pages, %d bytes in %.2f s",
        rendition,
        pdf.page_count,
        len(pdf.data),
        rendition.duration,
    )
    return rendition


def _finish_failed(rendition: Rendition, error: str) -> Rendition:
    rendition.status, rendition.error = RenditionStatus.FAILED, error
    rendition.finished_at, rendition.lease_expires_at = timezone.now(), None
    rendition.save(update_fields=["status", "error", "finished_at", "lease_expires_at"])
    logger.warning("rendition %s failed: %s", rendition.pk, error)
    return rendition


def renditions_stalled(now: datetime.datetime) -> list[int]:
    """Renditions nobody picked up or whose lease ran out, set pending again (see jobs_stalled)."""
    return jobs_stalled(Rendition.objects.all(), now=now, pending_since="created_at")
