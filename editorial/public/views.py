"""The reading site: home, archive by year, issue and article pages, section pages, the PDF and
the images of published issues — the only content anyone may have without logging in.

Every page reads Editions (``issue_edition`` / ``issues_editions``), never models in templates;
published pages are rendered once at publication (``services/documents.py``) and served from
storage by the middleware; these views answer what was not stored, identically.
``render_issue_page`` is the reader's issue page for any Edition (the previews use it too).
"""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from editorial.documents import article_path, issue_image_path, issue_path, issue_pdf_path
from editorial.editions import Edition, EditionArticle, EditionFigure, EditionImage
from editorial.models import Issue, Publication, Rendition
from editorial.rendering.assets import read_image
from editorial.rendering.errors import RenderError
from editorial.rendering.qr import qr_svg
from editorial.rendering.typography import mixed_spacing, mixed_spacing_html
from editorial.richtext import place_figures, plain_text
from editorial.selectors import issue_edition, issue_final_pdf, issues_editions, issues_final_pdfs
from editorial.services.documents import document_etag
from editorial.workflow import IssueStatus

PUBLIC_STATUSES = (IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED)
SECTION_ISSUES_PER_PAGE = 10
DESCRIPTION_CHARS = 120


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page any reader may cache for five minutes, with a strong ETag of its bytes and 304
    on a match — as the stored copy answers (editorial/public/middleware.py). GET and HEAD only."""

    @require_safe
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response = response.render()
        patch_cache_control(response, public=True, max_age=5 * 60)
        if response.status_code == 200 and not response.streaming:
            etag = response.headers.get("ETag") or document_etag(response.content)
            response.headers["ETag"] = etag
            conditional = get_conditional_response(request, etag=etag, response=response)
            if conditional is not None:
                return conditional
        return response

    return page


def public_file(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A published file never changes: cacheable for a day. GET and HEAD only."""

    @require_safe
    @wraps(view)
    def file(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=24 * 60 * 60)
        return response

    return file


def public_issues() -> QuerySet[Issue]:
    return Issue.objects.filter(status__in=PUBLIC_STATUSES).select_related("publication")


def absolute(path: str) -> str:
    """``path`` on the site's public address (canonical links, Open Graph, feeds)."""
    return settings.DIGEST_SITE_URL.rstrip("/") + path


# What the site shows around an Edition ------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class PdfLink:
    url: str
    size: int
    checksum: str

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


@dataclass(frozen=True)
class IssueAround:
    """What the reading site shows around an issue's Edition that the Edition does not hold:
    where its pages and images are, its final PDF, and its place among revisions."""

    path: str  # the issue page
    article_path: Callable[[int], str]  # the page of the n-th article, from 1
    image_url: Callable[[EditionImage], str]
    superseded_by: Link | None = None  # the correction that replaced it
    corrects: Link | None = None  # the earlier revision it replaced
    pdf: PdfLink | None = None
    notice_public: bool = False


@dataclass(frozen=True)
class ReaderArticle:
    number: int
    url: str
    article: EditionArticle


def issue_around(issue: Issue, pdf: Rendition | None = None) -> IssueAround:
    """The site's facts around a public issue (loaded with its publication)."""
    slug, total, revision = issue.publication.slug, issue.total_number, issue.revision
    superseded_by = corrects = None
    if issue.status == IssueStatus.SUPERSEDED:
        later = Issue.objects.filter(corrects=issue, status__in=PUBLIC_STATUSES).first()
        if later is not None:
            superseded_by = Link(later.label, issue_path(slug, total, later.revision))
    if issue.corrects_id is not None:
        earlier = Issue.objects.only("number", "total_number", "revision").get(pk=issue.corrects_id)
        corrects = Link(earlier.label, issue_path(slug, total, earlier.revision))
    if pdf is None:
        pdf = issue_final_pdf(issue.pk)
    return IssueAround(
        path=issue_path(slug, total, revision),
        article_path=lambda number: article_path(slug, total, revision, number),
        image_url=issue_image_url(slug, total, revision),
        superseded_by=superseded_by,
        corrects=corrects,
        pdf=_pdf_link(issue, pdf),
        notice_public=issue.publication.notice_public,
    )


def issue_image_url(slug: str, total: int, revision: int) -> Callable[[EditionImage], str]:
    """Where the images an issue revision's Edition names are served, by their checksum."""

    def image_url(image: EditionImage) -> str:
        return issue_image_path(slug, total, revision, f"{image.checksum}{image.suffix}")

    return image_url


def _pdf_link(issue: Issue, pdf: Rendition | None) -> PdfLink | None:
    if pdf is None or pdf.size is None:
        return None
    url = issue_pdf_path(issue.publication.slug, issue.total_number, issue.revision)
    return PdfLink(url=url, size=pdf.size, checksum=pdf.checksum)


def _reader_articles(edition: Edition, around: IssueAround) -> list[ReaderArticle]:
    return [
        ReaderArticle(number, around.article_path(number), article)
        for number, article in enumerate(edition.articles, start=1)
    ]


def _site_context(publication_name: str) -> dict[str, Any]:
    """The masthead's and footer's facts that come from settings, not from an issue."""
    return {
        "site_name": publication_name,
        "icp_number": settings.DIGEST_ICP_NUMBER,
        "site_contact": settings.DIGEST_SITE_CONTACT,
        "site_url": settings.DIGEST_SITE_URL.rstrip("/"),
    }


def _page(
    request: HttpRequest, template: str, publication_name: str, context: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {**_site_context(publication_name), **context})


def site_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A page of the site that belongs to no issue (search, subscribing): the masthead, feeds and
    footer of the first publication."""
    name, slug = Publication.objects.order_by("pk").values_list("name", "slug").first() or ("", "")
    return render(
        request,
        template,
        {**_site_context(name), "feed_slug": slug, **context},
        status=status,
    )


def render_issue_page(request: HttpRequest, edition: Edition, around: IssueAround) -> HttpResponse:
    """The reader's page of one issue from its Edition: cover facts, 本期要目 linking to each
    article, the PDF; the public site and the previews render it with this."""
    description = "；".join(edition.cover_headline_lines) or edition.title
    response = _page(
        request,
        "public/issue.html",
        edition.publication.name,
        {
            "edition": edition,
            "around": around,
            "articles": _reader_articles(edition, around),
            "canonical": absolute(around.path),
            "description": description,
            "og_image": absolute(around.image_url(edition.cover_image))
            if edition.cover_image
            else "",
            "feed_slug": edition.publication.slug,
        },
    )
    response.headers["ETag"] = document_etag(response.content, edition)
    return response


def render_article_page(
    request: HttpRequest, edition: Edition, number: int, around: IssueAround
) -> HttpResponse:
    """One article of an issue's Edition: body with its figures in place, notes, 来源, 原文链接
    with its QR code, the previous and next article."""
    if not 1 <= number <= len(edition.articles):
        raise Http404("本期没有这篇文章。")
    articles = _reader_articles(edition, around)
    current = articles[number - 1]
    body = article_body_html(current.article, around.image_url)
    response = _page(
        request,
        "public/article.html",
        edition.publication.name,
        {
            "edition": edition,
            "around": around,
            "item": current,
            "body": body,
            "qr": mark_safe(qr_svg(current.article.original_url))  # noqa: S308 - segno's SVG
            if current.article.original_url
            else "",
            "previous": articles[number - 2] if number > 1 else None,
            "next": articles[number] if number < len(articles) else None,
            "canonical": absolute(current.url),
            "description": mixed_spacing(plain_text(current.article.body)[:DESCRIPTION_CHARS]),
            "feed_slug": edition.publication.slug,
            "section_feed": current.article.section.slug,
        },
    )
    response.headers["ETag"] = document_etag(response.content, edition)
    return response


def article_body_html(
    article: EditionArticle, image_url: Callable[[EditionImage], str], *, typeset: bool = True
) -> SafeString:
    """The article's sanitized body with its figures in place (those no marker places follow
    the body); ``typeset``: with the mixed-script spacing the site and the feeds set (the API
    gives the text as written: integrators index and set it themselves)."""

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
    body = mixed_spacing_html(article.body) if typeset else article.body
    body, rest = place_figures(body, figures, figure_html)
    return mark_safe(body + "".join(rest))  # noqa: S308 - sanitized body, escaped figures


# The pages -----------------------------------------------------------------------------------


def _public_issue(slug: str, total: int, revision: int) -> Issue:
    return get_object_or_404(
        public_issues(), publication__slug=slug, total_number=total, revision=revision
    )


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The latest issue, its 本期要目, and the years of the archive."""
    latest = public_issues().filter(status=IssueStatus.PUBLISHED).order_by("-date", "-pk").first()
    if latest is None:
        publication = Publication.objects.order_by("pk").first()
        return _page(
            request,
            "public/home.html",
            publication.name if publication else "",
            {"canonical": absolute(reverse("public:home")), "years": []},
        )
    edition = issue_edition(latest.pk, status=latest.status)
    around = issue_around(latest)
    return _page(
        request,
        "public/home.html",
        edition.publication.name,
        {
            "edition": edition,
            "around": around,
            "articles": _reader_articles(edition, around),
            "years": _years(),
            "canonical": absolute(reverse("public:home")),
            "description": edition.publication.tagline,
            "feed_slug": edition.publication.slug,
        },
    )


def _years() -> list[tuple[int, int]]:
    """(year, number of issues) of the archive, newest first — one grouped query."""
    rows = (
        Issue.objects.filter(status=IssueStatus.PUBLISHED)
        .values_list("date__year")
        .annotate(count=Count("pk"))
        .order_by("-date__year")
    )
    return [(year, count) for year, count in rows]


@public_page
def archive(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The archive one year a page (the latest year at /archive/), with every issue's cover
    facts, article count and PDF; superseded revisions point to their correction."""
    years = _years()
    if year is None:
        if not years:
            publication = Publication.objects.order_by("pk").first()
            return _page(
                request,
                "public/archive.html",
                publication.name if publication else "",
                {"years": [], "entries": [], "canonical": absolute(reverse("public:archive"))},
            )
        year = years[0][0]
        canonical = reverse("public:archive")
    else:
        canonical = reverse("public:archive-year", args=[year])
    issues = list(public_issues().filter(date__year=year).order_by("-date", "-revision"))
    if not issues:
        raise Http404("这一年没有已发布的期。")
    editions = issues_editions(issues)
    pdfs = issues_final_pdfs([issue.pk for issue in issues])
    corrected = {issue.corrects_id: issue for issue in issues if issue.corrects_id}
    entries: list[dict[str, Any]] = []
    for issue in issues:
        edition = editions[issue.pk]
        path = issue_path(edition.publication.slug, edition.total_number, edition.revision)
        later = corrected.get(issue.pk)
        entries.append(
            {
                "edition": edition,
                "url": path,
                "article_count": len(edition.articles),
                "pdf": _pdf_link(issue, pdfs.get(issue.pk)),
                "superseded_by": Link(
                    later.label,
                    issue_path(edition.publication.slug, edition.total_number, later.revision),
                )
                if later is not None
                else None,
                "superseded": issue.status == IssueStatus.SUPERSEDED,
            }
        )
    names = {entry["edition"].publication.name for entry in entries}
    return _page(
        request,
        "public/archive.html",
        sorted(names)[0],
        {
            "year": year,
            "years": years,
            "entries": entries,
            "canonical": absolute(canonical),
            "feed_slug": entries[0]["edition"].publication.slug,
        },
    )


@public_page
def issue_page(request: HttpRequest, slug: str, total: int, revision: int = 1) -> HttpResponse:
    """One published issue as the board approved it: cover facts and 本期要目."""
    found = _public_issue(slug, total, revision)
    edition = issue_edition(found.pk, status=found.status)
    return render_issue_page(request, edition, issue_around(found))


@public_page
def article_page(
    request: HttpRequest, slug: str, total: int, number: int, revision: int = 1
) -> HttpResponse:
    """The ``number``-th article of a published issue."""
    found = _public_issue(slug, total, revision)
    edition = issue_edition(found.pk, status=found.status)
    return render_article_page(request, edition, number, issue_around(found))


@public_page
def section_page(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    """One section across the published issues, newest first, ten issues a page."""
    publication = get_object_or_404(Publication, slug=slug)
    issues = (
        public_issues()
        .filter(
            publication=publication,
            status=IssueStatus.PUBLISHED,
            articles__section__slug=section,
        )
        .distinct()
        .order_by("-date", "-pk")
    )
    paginator = Paginator(issues, SECTION_ISSUES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    if not paginator.count:
        raise Http404("没有这个栏目的文章。")
    page_issues = list(page.object_list)
    editions = issues_editions(page_issues)
    groups = []
    name = ""
    for issue in page_issues:
        edition = editions[issue.pk]
        items = [
            ReaderArticle(
                number,
                article_path(slug, edition.total_number, edition.revision, number),
                article,
            )
            for number, article in enumerate(edition.articles, start=1)
            if article.section.slug == section
        ]
        if items:
            name = name or items[0].article.section.name
            groups.append(
                {
                    "edition": edition,
                    "url": issue_path(slug, edition.total_number, edition.revision),
                    "items": items,
                }
            )
    path = reverse("public:section", args=[slug, section])
    return _page(
        request,
        "public/section.html",
        publication.name,
        {
            "section_name": name,
            "section_slug": section,
            "groups": groups,
            "page": page,
            "canonical": absolute(path if page.number == 1 else f"{path}?page={page.number}"),
            "feed_slug": slug,
            "section_feed": section,
        },
    )


@public_file
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers that ask for /favicon.ico get the site's icon, a static file."""
    return HttpResponsePermanentRedirect(static("public/favicon.svg"))


@public_file
def issue_pdf(request: HttpRequest, slug: str, total: int, revision: int = 1) -> FileResponse:
    """The final PDF of a published issue (never a proof)."""
    issue = _public_issue(slug, total, revision)
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
    issue = _public_issue(slug, total, revision)
    return edition_image_response(issue_edition(issue.pk, status=issue.status), checksum)


def edition_image_response(edition: Edition, name: str) -> HttpResponse:
    """An image the Edition names, by the checksum of its bytes and its suffix; the bytes are
    checked against it, so only what the Edition holds leaves. 404 for any other name (the
    archive's images, and a preview's)."""
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
