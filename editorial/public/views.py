"""The public archive: published issues, readable on the web, with their PDF and the images
their Edition names — the only files anyone may have without logging in."""

import mimetypes
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control

from editorial.editions import Edition, EditionArticle, EditionFigure, EditionImage
from editorial.models import Issue, RenditionKind, RenditionStatus
from editorial.rendering.assets import read_image
from editorial.rendering.errors import RenderError
from editorial.rendering.typography import mixed_spacing_html
from editorial.richtext import place_figures
from editorial.selectors import issue_edition, issue_final_pdf
from editorial.workflow import IssueStatus

PUBLIC_STATUSES = (IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED)
# Published pages change only by a correction's notice; a published image never changes.
public_page = cache_control(public=True, max_age=5 * 60)
public_file = cache_control(public=True, max_age=24 * 60 * 60)


def public_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(status__in=PUBLIC_STATUSES).select_related("publication")


@public_page
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


@public_page
def issue_page(request: HttpRequest, slug: str, total: int, revision: int = 1) -> HttpResponse:
    """One published issue: its contents and every article, figures in place — its Edition as
    the board approved it."""
    found = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    edition = issue_edition(found.pk, status=found.status)

    def image_url(image: EditionImage) -> str:
        checksum = f"{image.checksum}{image.suffix}"
        if found.revision > 1:
            return reverse(
                "public:issue-revision-file", args=[slug, total, found.revision, checksum]
            )
        return reverse("public:issue-file", args=[slug, total, checksum])

    return reader_issue_page(request, found, edition, image_url=image_url)


def reader_issue_page(
    request: HttpRequest,
    issue: Issue,
    edition: Edition,
    *,
    image_url: Callable[[EditionImage], str],
) -> HttpResponse:
    """The reader's issue page for this Edition, its images at ``image_url``: the archive shows
    it for published issues, the previews (editorial.previews) for any issue."""
    articles = [
        (f"article-{index:02d}", article, _body(article, image_url))
        for index, article in enumerate(edition.articles, start=1)
    ]
    return render(
        request,
        "public/issue.html",
        {
            "issue": issue,
            "edition": edition,
            "articles": articles,
            "correction": getattr(issue, "correction", None),
        },
    )


@public_file
def issue_pdf(request: HttpRequest, slug: str, total: int, revision: int = 1) -> FileResponse:
    """The final PDF of a published issue (never a proof)."""
    issue = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    rendition = issue_final_pdf(issue.pk)
    if rendition is None:
        raise Http404("本期的 PDF 尚未生成。")
    name = rendition.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        rendition.file.open("rb"), content_type="application/pdf", filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_file
def issue_file(
    request: HttpRequest, slug: str, total: int, checksum: str, revision: int = 1
) -> HttpResponse:
    """An image the Edition of a published issue names (cover, QR code, logos, figures), by the
    checksum of its bytes; the bytes are checked against it, so only what was approved leaves."""
    issue = get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )
    return edition_image_response(issue_edition(issue.pk, status=issue.status), checksum)


def edition_image_response(edition: Edition, name: str) -> HttpResponse:
    """An image the Edition names, by the checksum of its bytes and its suffix; the bytes are
    checked against it, so only what the Edition holds leaves. 404 for any other name."""
    named = {f"{i.checksum}{i.suffix}": i for i in edition_images(edition)}
    image = named.get(name)
    if image is None:
        raise Http404("本期没有这张图片。")
    try:
        data = read_image(image, "本期")
    except RenderError as exc:
        raise Http404("图片不可用。") from exc
    content_type = mimetypes.guess_type(f"image{image.suffix}")[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def edition_images(edition: Edition) -> list[EditionImage]:
    """Every image the Edition shows: cover, the WeChat QR code, the masthead's logos, figures."""
    images = [edition.cover_image, edition.publication.wechat_qr]
    images += [org.logo for org in edition.organisations]
    images += [figure.image for article in edition.articles for figure in article.figures]
    return [image for image in images if image is not None]


def _body(article: EditionArticle, image_url: Callable[[EditionImage], str]) -> SafeString:
    def figure_html(figure: EditionFigure) -> str:
        return format_html(
            '<figure><img src="{}" alt="图 {}" loading="lazy"><figcaption>图 {} {}</figcaption>'
            "</figure>",
            image_url(figure.image) if figure.image else "",
            figure.number,
            figure.number,
            figure.caption,
        )

    figures = {f.number: f for f in article.figures if f.image is not None}
    body, rest = place_figures(mixed_spacing_html(article.body), figures, figure_html)
    return mark_safe(body + "".join(rest))  # noqa: S308 - sanitized body, escaped figures
