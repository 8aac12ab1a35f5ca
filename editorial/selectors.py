"""Reusable reads, each with the joins and prefetches its callers need."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Prefetch
from django.utils import timezone

from editorial.editions import Edition, edition_build, edition_from_data
from editorial.models import (
    ApprovedEdition,
    Article,
    Delivery,
    DeliveryStatus,
    Figure,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    PreviewLink,
    PublishedDocument,
    Rendition,
    RenditionKind,
    RenditionStatus,
)
from editorial.models.previews import preview_token_digest
from editorial.site_version import site_version
from editorial.workflow import ISSUE_SIGNED_OFF


class IssueNotFound(LookupError):
    """No issue answers to the numbers given; the message says what was looked for."""


def issue_by_total(
    total_number: int, *, publication: str | None = None, revision: int | None = None
) -> Issue:
    """The issue 总第``total_number``期 — its latest revision, or ``revision`` — of the only
    publication, or of ``publication`` (a slug). Every command names issues this way."""
    issues = Issue.objects.filter(total_number=total_number).select_related("publication")
    if publication:
        issues = issues.filter(publication__slug=publication)
    if revision is not None:
        issues = issues.filter(revision=revision)
    found = list(issues.order_by("publication__slug", "-revision"))
    if len({issue.publication_id for issue in found}) > 1:
        raise IssueNotFound(f"有多个刊物的总第{total_number}期，请用 --publication 指定。")
    if not found:
        where = f"刊物 {publication} 的" if publication else ""
        which = f"修订版次 {revision} 的" if revision is not None else ""
        raise IssueNotFound(f"找不到{where}{which}总第{total_number}期。")
    return found[0]


def issue_for_edition(issue_id: int) -> Issue:
    """An issue with everything its Edition holds, in a fixed number of queries (5)."""
    return (
        Issue.objects.select_related("publication", "notice")
        .prefetch_related(
            Prefetch(
                "masthead_organisations",
                queryset=MastheadOrganisation.objects.select_related("organisation"),
            ),
            Prefetch("masthead_members", queryset=MastheadMember.objects.select_related("person")),
            Prefetch(
                "articles",
                queryset=Article.objects.select_related("section", "responsible_editor")
                .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("number")))
                .order_by("position", "id"),
            ),
        )
        .get(pk=issue_id)
    )


def issue_live_edition(issue_id: int) -> Edition:
    """The Edition of the issue as it is now in the database."""
    return edition_build(issue_for_edition(issue_id))


def issue_approved_edition(issue_id: int) -> Edition | None:
    """The Edition the board last approved for the issue, as it was then; ``None`` if never."""
    stored = (
        ApprovedEdition.objects.filter(issue_id=issue_id)
        .order_by("-approved_at", "-id")
        .only("data")
        .first()
    )
    return edition_from_data(stored.data) if stored is not None else None


def issue_edition(issue_id: int, *, status: str | None = None) -> Edition:
    """What every channel renders for the issue: once signed off, the approved Edition as it
    was approved; before that, the live one (printed as a proof). ``status``, when the caller
    already has it, saves a query."""
    if status is None:
        status = Issue.objects.values_list("status", flat=True).get(pk=issue_id)
    return _signed_off_edition(issue_id, status) or issue_live_edition(issue_id)


def edition_of(issue: Issue) -> Edition:
    """``issue_edition`` for an issue already loaded by ``issue_for_edition``."""
    return _signed_off_edition(issue.pk, issue.status) or edition_build(issue)


def _signed_off_edition(issue_id: int, status: str) -> Edition | None:
    """The approved Edition, for an issue past sign-off that has one; else ``None`` (the live
    Edition is then what the issue shows)."""
    return issue_approved_edition(issue_id) if status in ISSUE_SIGNED_OFF else None


def issues_editions(issues: Iterable[Issue]) -> dict[int, Edition]:
    """``issue_edition`` of many issues (their status loaded), by id: the approved Editions in
    one query; an issue past sign-off without one, or before it, shows its live Edition."""
    issues = list(issues)
    signed = [issue.pk for issue in issues if issue.status in ISSUE_SIGNED_OFF]
    rows = (
        ApprovedEdition.objects.filter(issue_id__in=signed)
        .order_by("issue_id", "-approved_at", "-id")
        .values_list("issue_id", "data")
    )
    editions: dict[int, Edition] = {}
    for issue_id, data in rows:
        if issue_id not in editions:
            editions[issue_id] = edition_from_data(data)
    for issue in issues:
        if issue.pk not in editions:
            editions[issue.pk] = issue_live_edition(issue.pk)
    return editions


def issues_final_pdfs(issue_ids: Iterable[int]) -> dict[int, Rendition]:
    """``issue_final_pdf`` of many issues in one query, by issue id."""
    found: dict[int, Rendition] = {}
    rows = Rendition.objects.filter(
        issue_id__in=list(issue_ids),
        kind=RenditionKind.PDF,
        proof=False,
        status=RenditionStatus.DONE,
    ).order_by("issue_id", "-finished_at", "-id")
    for rendition in rows:
        found.setdefault(rendition.issue_id, rendition)
    return found


def issue_final_pdf(issue_id: int) -> Rendition | None:
    """The final (not proof) PDF of the issue, the newest if it was rendered more than once."""
    return (
        Rendition.objects.filter(
            issue_id=issue_id, kind=RenditionKind.PDF, proof=False, status=RenditionStatus.DONE
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def edition_rendition(issue_id: int, edition: Edition, *, proof: bool) -> Rendition | None:
    """The PDF job of the issue for this Edition (a proof or not), whatever its state."""
    return Rendition.objects.filter(
        issue_id=issue_id, kind=RenditionKind.PDF, proof=proof, content_hash=edition.fingerprint
    ).first()


def preview_link_active(token: str) -> PreviewLink | None:
    """The link a URL's token opens, with its issue; ``None`` when no link has that token, or
    its link expired or was revoked (all three answer alike)."""
    return (
        PreviewLink.objects.filter(
            token_hash=preview_token_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("issue__publication")
        .first()
    )


def published_document(path: str) -> tuple[str, bytes, str, datetime.datetime] | None:
    """The stored document at ``path``, if the running site made it: content type, bytes, ETag,
    when they were made."""
    found = list(
        PublishedDocument.objects.filter(path=path, site_version=site_version()).values_list(
            "content_type", "body", "etag", "modified_at"
        )[:1]
    )
    return found[0] if found else None


def mailing_counts(mailing_id: int) -> dict[str, int]:
    """The mailing's delivery rows per status, every status included (zero or not): one query."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = Delivery.objects.filter(mailing_id=mailing_id).values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts
