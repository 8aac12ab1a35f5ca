"""The public archive: published issues, readable on the web, with their PDF."""

from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.editions import EditionArticle, EditionFigure
from editorial.models import Issue, RenditionKind, RenditionStatus
from editorial.rendering.typography import mixed_spacing_html
from editorial.richtext import place_figures
from editorial.selectors import issue_edition, issue_final_pdf
from editorial.workflow import IssueStatus

PUBLIC_STATUSES = (IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED)


def public_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(status__in=PUBLIC_STATUSES).select_related("publication")


def archive(request: HttpRequest) -> HttpResponse:
    """Every published issue, newest first, with its article count and PDF link."""
    issues = (
        public_issues()
        .annotate(
            article_count=Count("articles", distinct=True),
            has_pdf=Count(
                "renditions",
                filter=Q(
                    renditions__status=RenditionStatus.DONE,
                    renditions__proof=False,
                    renditions__kind=RenditionKind.PDF,
                ),
            ),
        )
        .order_by("-date", "-total_number", "-revision")
    )
    return render(request, "public/archive.html", {"issues": issues})


def issue_page(request: HttpRequest, slug: str, total: int, revision: int = 1) -> HttpResponse:
    """One published issue: its contents and every article, figures in place — its Edition as
    the board approved it."""
    found = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    edition = issue_edition(found.pk, status=found.status)
    articles = [
        (f"article-{index:02d}", article, _body(article))
        for index, article in enumerate(edition.articles, start=1)
    ]
    return render(
        request,
        "public/issue.html",
        {
            "issue": found,
            "edition": edition,
            "articles": articles,
            "correction": getattr(found, "correction", None),
        },
    )


def issue_pdf(request: HttpRequest, slug: str, total: int, revision: int = 1) -> FileResponse:
    """The final PDF of a published issue (never a proof)."""
    issue = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    rendition = issue_final_pdf(issue.pk)
    if rendition is None:
        raise Http404("本期的 PDF 尚未生成。")
    name = rendition.file.name.rsplit("/", 1)[-1]
    return FileResponse(rendition.file.open("rb"), content_type="application/pdf", filename=name)


def _body(article: EditionArticle) -> SafeString:
    figures = {f.number: f for f in article.figures if f.image is not None}
    body, rest = place_figures(mixed_spacing_html(article.body), figures, _figure_html)
    return mark_safe(body + "".join(rest))  # noqa: S308 - sanitized body, escaped figures


def _figure_html(figure: EditionFigure) -> str:
    name = figure.image.name if figure.image else ""
    return format_html(
        '<figure><img src="{}" alt="图 {}" loading="lazy"><figcaption>图 {} {}</figcaption>'
        "</figure>",
        default_storage.url(name),
        figure.number,
        figure.number,
        figure.caption,
    )
