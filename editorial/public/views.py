"""The public archive: published issues, readable on the web, with their PDF."""

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.models import Article, Figure, Issue, Rendition, RenditionKind, RenditionStatus
from editorial.richtext import place_figures
from editorial.selectors import issue_for_export
from editorial.workflow import IssueStatus

PUBLIC_STATUSES = (IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED)


def public_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(status__in=PUBLIC_STATUSES).select_related("publication")


def archive(request: HttpRequest) -> HttpResponse:
    """Every published issue, newest first, with its article count and PDF link."""
    issues = (
        public_issues()
        .annotate(
            article_count=Count("articles"),
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
    """One published issue: its contents and every article, figures in place."""
    found = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    issue = issue_for_export(found.pk)
    articles = [(article, _body(article)) for article in issue.articles.all()]
    return render(
        request,
        "public/issue.html",
        {"issue": issue, "articles": articles, "correction": getattr(found, "correction", None)},
    )


def issue_pdf(request: HttpRequest, slug: str, total: int, revision: int = 1) -> FileResponse:
    """The final PDF of a published issue (never a proof)."""
    issue = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    rendition = (
        Rendition.objects.filter(
            issue=issue, kind=RenditionKind.PDF, proof=False, status=RenditionStatus.DONE
        )
        .order_by("-finished_at")
        .first()
    )
    if rendition is None:
        raise Http404("本期的 PDF 尚未生成。")
    name = rendition.file.name.rsplit("/", 1)[-1]
    return FileResponse(rendition.file.open("rb"), content_type="application/pdf", filename=name)


def _body(article: Article) -> SafeString:
    figures = {f.number: f for f in article.figures.all()}
    body, rest = place_figures(article.body, figures, _figure_html)
    return mark_safe(body + "".join(rest))  # noqa: S308 - sanitized body, escaped figures


def _figure_html(figure: Figure) -> str:
    return format_html(
        '<figure><img src="{}" alt="图 {}" loading="lazy"><figcaption>图 {} {}</figcaption>'
        "</figure>",
        figure.image.url,
        figure.number,
        figure.number,
        figure.caption,
    )
