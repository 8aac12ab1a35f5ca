"""The print edition: an issue as HTML (Django templates) laid out by WeasyPrint as an A4 PDF.

Pure functions over an ``Edition`` (editorial/editions.py): no queries and no writes. Images are
read from storage by name (``assets``), QR codes are vector SVG (``qr``), fonts come from one
configuration per process (``fonts``). The same Edition always gives the same bytes: the PDF's
dates come from the issue date and its /ID from its content.

    edition = issue_edition(issue_id)
    pdf = render_issue_pdf(edition, proof=proof)   # RenderedPdf; raises RenderError
"""

import hashlib
import html as html_lib
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from PIL import Image, ImageFile
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from editorial.editions import (
    ORGANISATION_ROLE_ORDER,
    PERSON_ROLE_ORDER,
    Edition,
    EditionArticle,
    EditionFigure,
    EditionOrganisation,
    EditionPublication,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.richtext import (
    figure_numbers,
    place_figures,
    plain_text,
    quoted_title,
    sanitize_html,
)

from .assets import BASE_URL, IMAGE_ERRORS, SCHEME, AssetStore, check_image
from .errors import RenderError
from .fonts import font_config
from .qr import qr_svg
from .typography import body_html, mixed_spacing, title_html

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would also make
# the upload validators (editorial.validators) accept truncated files in any process that renders.
# Restore Pillow's default: a truncated image is an error to report, not to print. (Only this
# module and ``fonts`` import WeasyPrint, and this one imports ``fonts`` above.)
ImageFile.LOAD_TRUNCATED_IMAGES = False

logger = logging.getLogger(__name__)


class _UnsupportedLineBreakFilter(logging.Filter):
    """Drop WeasyPrint's warning about ``line-break: strict`` on every render.

    WeasyPrint does not implement the property, but Pango's UAX #14 line breaking already keeps
    closing punctuation off the start of a line (what ``strict`` asks for in Chinese; tested);
    the declaration stays in the stylesheet for browsers previewing the HTML.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "`line-break:" not in record.getMessage()


logging.getLogger("weasyprint").addFilter(_UnsupportedLineBreakFilter())

TEMPLATE = "editorial/print/issue.html"
# Masthead labels are set in a box four characters wide, like the printed issue ("主 编").
LABEL_WIDTH = 4
# UAX #14 forbids a line break on either side of “ ” ‘ ’ (class QU), which leaves lines short by
# several characters in Chinese text full of quotations. A zero-width space before an opening
# quote and after a closing one, where it meets Chinese text, restores the break a Chinese
# typesetter makes (before “, after ”) without allowing one inside the quotation.
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_QUOTE_OPENS = re.compile(f"(?<=[{_CJK}，。、；：！？）》】〕」』”’])([“‘])")
_QUOTE_CLOSES = re.compile(f"([”’])(?=[{_CJK}（《【〔「『“‘])")
_TAG = re.compile(r"(<[^>]*>)")
# WeasyPrint breaks a word anywhere only when no ordinary break fits, so a printed URL would wrap
# at its one or two natural breaks and leave most of the line empty; a zero-width space after
# each separator gives the line breaker places to break cleanly (it is not extracted as text).
_URL_SEPARATOR = re.compile(r"([/?&=#._~-])(?=[^/?&=#._~-])")
_LINK = re.compile(r"""<a\b[^>]*?\shref="([^"]*)"[^>]*>(.*?)</a>""", re.DOTALL)
_LAST_CHARACTER = re.compile(r"(?:&#?\w+;|[^>])\Z")  # the last one of text, or its entity
_SUB_HEADING = re.compile(r"<(h[234])>([^<]*)</\1>")
# Widths in em that a heading's balanced lines are set to, a little under the measure so that the
# estimate (CJK one em, Latin about half) never makes WeasyPrint wrap a line again.
TITLE_EM = 28  # .article-title: 15pt in 441pt
TOC_EM = 35  # .toc-entries: 11pt in 441pt less the page number
COVER_EM = 22  # .cover-headline: 20pt in 166mm
SUB_HEADING_EM = 38  # .article-body h2–h4: 11pt
PROFILE_EM = 24  # .profile-name: 14pt beside the logo
# The text block (print.css @page) in mm, and the largest a figure's image may be: a figure and
# its caption always fit on one page; a taller one is pushed and shrunk (``render_issue_pdf``).
TEXT_WIDTH_MM = 155.6
TEXT_HEIGHT_MM = 250.0
FIGURE_WIDTH_MM = 0.76 * TEXT_WIDTH_MM
FIGURE_HEIGHT_MM = 110.0
PX_MM = 25.4 / 96
# A page may end a third short of its text block before a figure pushed to the next one. The
# renderer measures line boxes, whose leading reaches below the text a reader sees, so it shrinks
# a figure once a little less than that is empty.
PUSH_LIMIT = 0.3


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered print edition; ``data`` is the whole PDF file."""

    data: bytes
    page_count: int
    proof: bool
    filename: str
    # Article id -> the page number printed on the page where its title is (01 = first article
    # page), i.e. what the 本期要目 shows.
    article_pages: dict[int, int] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class StorageFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the images of one render.

    ``fail_on_errors`` makes any other URL stop the render (it would be a bug in the templates)
    instead of WeasyPrint's default of logging and leaving the picture out.
    """

    def __init__(self, assets: AssetStore) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=[SCHEME])
        self.assets = assets

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        asset = self.assets.get(url)
        if asset is None:
            raise ValueError(f"not an image of this edition: {url}")
        return URLFetcherResponse(url, body=asset.data, headers={"Content-Type": asset.mime_type})


@dataclass(frozen=True)
class PreparedEdition:
    """The HTML of an edition with what WeasyPrint needs to lay it out (used by the benchmark)."""

    html: str
    url_fetcher: StorageFetcher
    assets: AssetStore
    base_url: str
    anchors: dict[str, int | None]  # HTML id of each article title -> the article's id


def pdf_filename(edition: Edition, *, proof: bool) -> str:
    """An ASCII file name that sorts by issue: ``dsjfzdt-2024-16-179[-r2][-proof].pdf``."""
    revised = f"-r{edition.revision}" if edition.revision > 1 else ""
    marked = "-proof" if proof else ""
    return (
        f"{edition.publication.slug}-{edition.date.year}-{edition.number:02d}"
        f"-{edition.total_number}{revised}{marked}.pdf"
    )


def render_issue_html(edition: Edition, *, proof: bool) -> str:
    """The edition as one self-contained HTML document (styles inline, images as asset URLs)."""
    return prepare_edition(edition, proof=proof).html


def render_issue_pdf(edition: Edition, *, proof: bool) -> RenderedPdf:
    """The edition as an A4 PDF with outline, metadata and embedded, subset fonts.

    Raises RenderError (message names the article or image) for content that cannot print: an
    empty body, a figure marker without its figure, an image that is missing or does not decode.
    """
    limits: dict[str, float] = {}
    for _attempt in range(3):  # each pass shrinks the figures the last one pushed
        prepared = prepare_edition(edition, proof=proof, figure_limits=limits)
        image_cache: dict[str, Any] = {}
        try:
            document = HTML(
                string=prepared.html, base_url=prepared.base_url, url_fetcher=prepared.url_fetcher
            ).render(font_config=font_config(), cache=image_cache)
        except FatalURLFetchingError as exc:  # a template referring to something we did not load
            raise RenderError(f"排版时无法取得资源：{exc}") from exc
        pushed = pushed_figures(document)
        if not pushed:
            break
        limits.update(pushed)
    broken = [url for url, image in image_cache.items() if image is None]
    if broken:
        labels = "；".join(prepared.assets.label(url) for url in sorted(broken))
        raise RenderError(f"{labels} 图片无法解码。")
    try:
        # /ID from the content (md5 of the objects), dates from <meta name=dcterms.*>: same
        # content, same bytes.
        data = document.write_pdf(pdf_identifier=True, uncompressed_pdf=False)
    except IMAGE_ERRORS as exc:  # pixel data that only fails when WeasyPrint decodes it
        culprit = _broken_image(prepared.assets)
        if culprit is None:
            raise
        raise culprit from exc
    first_page: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, index)
    start = min((first_page[a] for a in prepared.anchors if a in first_page), default=0)
    logger.debug(
        "rendered %s%s: %d pages, %d bytes",
        edition.title,
        " (样稿)" if proof else "",
        len(document.pages),
        len(data),
    )
    return RenderedPdf(
        data=data,
        page_count=len(document.pages),
        proof=proof,
        filename=pdf_filename(edition, proof=proof),
        article_pages={
            pk: first_page[anchor] - start + 1
            for anchor, pk in prepared.anchors.items()
            if anchor in first_page and pk is not None
        },
    )


def _broken_image(assets: AssetStore) -> RenderError | None:
    """The RenderError naming the image WeasyPrint could not decode (found by decoding each)."""
    for asset in assets:
        try:
            check_image(asset.data, label=asset.label, name=asset.name, decode=True)
        except RenderError as error:
            return error
    return None


def pushed_figures(document: Any) -> dict[str, float]:
    """Figure id -> image height (mm) that fits the space a page left empty before the figure.

    WeasyPrint moves a figure that does not fit to the next page (``break-inside: avoid``); when
    that leaves more than a third of the page empty, the figure is shrunk to fit there instead.
    Only the first box of each page is looked at, and the page before only behind a figure.
    """
    limits: dict[str, float] = {}
    pages = document.pages
    for index in range(1, len(pages)):
        page_box = pages[index]._page_box
        figure = _first_in_flow(page_box)
        if figure is None or figure.position_y - page_box.content_box_y() > 2 * 3.78:
            continue
        previous = pages[index - 1]._page_box
        bottom = previous.content_box_y() + previous.height
        used = max(
            (
                box.position_y + box.margin_height()
                for box in previous.descendants()
                if type(box).__name__ in {"LineBox", "InlineReplacedBox", "BlockReplacedBox"}
                and box.position_y + box.margin_height() <= bottom + 1
            ),
            default=bottom,
        )
        empty = bottom - used
        if empty <= PUSH_LIMIT * previous.height:
            continue
        image = next((box for box in figure.descendants() if box.element_tag == "img"), None)
        if image is None:
            continue
        caption = figure.margin_height() - image.height
        height = (empty - caption - 6 * 3.78) * PX_MM
        limits[figure.element.get("id")] = height
    return limits


def _first_in_flow(page_box: Any) -> Any:
    """The figure that a page's content starts with, found down the chain of first boxes."""
    box = page_box.children[0]  # the root box; footnote areas follow
    while box.element_tag != "figure" or box.element is None:
        box = next(
            (child for child in getattr(box, "children", ()) if child.is_in_normal_flow()), None
        )
        if box is None or type(box).__name__ == "LineBox":
            return None
    return box


def prepare_edition(
    edition: Edition, *, proof: bool, figure_limits: dict[str, float] | None = None
) -> PreparedEdition:
    """Check the content, load its images and render the templates; nothing is laid out yet.

    ``figure_limits`` gives the image height (mm) of figures ``pushed_figures`` found pushed.
    """
    assets = AssetStore()
    publication = edition.publication
    articles = edition.articles
    if not articles:
        raise RenderError("本期没有文章，无法排版。")
    article_views = [
        _article_view(
            article,
            index,
            assets,
            starts_section=index == 1 or article.section != articles[index - 2].section,
            figure_limits=figure_limits or {},
        )
        for index, article in enumerate(articles, start=1)
    ]
    sections: list[dict[str, Any]] = []
    for view in article_views:
        if view["starts_section"]:
            sections.append({"name": view["section"], "articles": []})
        sections[-1]["articles"].append(view)

    context = {
        "proof": proof,
        # Running header strings for the stylesheet's @page rules.
        "css_running_name": mark_safe(css_string(publication.name)),  # noqa: S308 - escaped
        "css_running_number": mark_safe(css_string(edition.label)),  # noqa: S308 - escaped
        "publication": publication,
        "document_title": edition.title,
        "authors": [org.name for org in edition.organisations_in(OrganisationRole.CHIEF_EDITOR)],
        "subject": " ".join(edition.cover_headline_lines),
        "keywords": ", ".join(_unique(s["name"] for s in sections)),
        "date_iso": edition.date.isoformat(),
        "date_label": edition.date_label,
        "number_label": edition.label,
        "cover_headline_lines": [
            mark_safe(title_html(line, COVER_EM))  # noqa: S308 - escaped by title_html
            for line in edition.cover_headline_lines
        ],
        "cover_image_url": (
            assets.add(edition.cover_image, "封面图片") if edition.cover_image else None
        ),
        "masthead": _masthead_rows(edition),
        "contact_rows": _contact_rows(publication),
        "wechat_qr_url": (
            assets.add(publication.wechat_qr, "刊物公众号二维码") if publication.wechat_qr else None
        ),
        "notice": mark_safe(  # noqa: S308 - escaped by body_html
            body_html(format_html('<p class="notice">{}</p>', edition.notice))
        )
        if edition.notice
        else "",
        "sections": sections,
        "articles": article_views,
        "profiles": _profiles(edition, assets),
    }
    html = render_to_string(TEMPLATE, context)
    return PreparedEdition(
        html=html,
        url_fetcher=StorageFetcher(assets),
        assets=assets,
        base_url=BASE_URL,
        anchors={view["anchor"]: view["id"] for view in article_views},
    )


def _article_view(
    article: EditionArticle,
    index: int,
    assets: AssetStore,
    *,
    starts_section: bool,
    figure_limits: dict[str, float],
) -> dict[str, Any]:
    name = quoted_title(article.title) if article.title.strip() else f"第{index}篇文章"
    anchor = f"article-{index:02d}"
    body = sanitize_html(article.body)
    if not plain_text(body) and not figure_numbers(body):
        raise RenderError(f"{name}：正文为空，无法排版。")
    figures: dict[int, EditionFigure] = {figure.number: figure for figure in article.figures}

    def figure_html(figure: EditionFigure) -> str:
        if figure.image is None:
            raise RenderError(f"{name}：图 {figure.number} 没有图片。")
        url = assets.add(figure.image, f"{name}：图 {figure.number}")
        figure_id = f"{anchor}-fig{figure.number}"
        width = _figure_width(assets, url, figure_limits.get(figure_id, FIGURE_HEIGHT_MM))
        return format_html(
            '<figure class="figure" id="{}"><img src="{}" alt="图 {}" style="width: {}mm">'
            '<figcaption><span class="figure-number">图 {}</span>{}</figcaption></figure>',
            figure_id,
            url,
            figure.number,
            f"{width:.1f}",
            figure.number,
            mixed_spacing(figure.caption),
        )

    def missing(number: int) -> str:
        raise RenderError(f"{name}：正文放置了图 {number}，但没有这张图。")

    links: list[str] = []
    body = _typeset(_link_marks(body, article.original_url, links))
    body, appended = place_figures(body, figures, figure_html, missing=missing)
    notes = (
        _typeset(_link_marks(sanitize_html(article.notes), article.original_url, links))
        if article.notes
        else ""
    )
    return {
        "edition": article,  # every field, for templates; the keys below are prepared for print
        "id": article.id,
        "anchor": anchor,
        "title": article.title,
        "title_html": mark_safe(title_html(article.title, TITLE_EM)),  # noqa: S308 - escaped
        "toc_title_html": mark_safe(title_html(article.title, TOC_EM)),  # noqa: S308 - escaped
        "section": article.section.name,
        "starts_section": starts_section,
        "body": mark_safe(body),  # noqa: S308 - sanitized to the allow-list above
        "appended_figures": mark_safe("".join(appended)),  # noqa: S308 - built by format_html
        "notes": mark_safe(notes),  # noqa: S308 - sanitized
        "links": [url_breaks(url) for url in links],
        "source": mixed_spacing(article.source.strip()),
        "original_url": article.original_url,
        "printed_url": url_breaks(article.original_url),
        "qr_svg": mark_safe(qr_svg(article.original_url)) if article.original_url else "",  # noqa: S308
        "qr_caption": article.qr_caption if article.original_url else "",
    }


def _figure_width(assets: AssetStore, url: str, max_height: float) -> float:
    """The printed width (mm) of an image: 76% of the measure, less when that is too tall."""
    asset = assets.get(url)
    if asset is None:
        return FIGURE_WIDTH_MM
    with Image.open(io.BytesIO(asset.data)) as probe:
        width, height = probe.size
    return min(FIGURE_WIDTH_MM, max_height * width / max(height, 1))


def _typeset(html: str) -> str:
    """Sanitized body HTML with balanced sub-headings and the body's typography rules."""
    html = _SUB_HEADING.sub(
        lambda m: f"<{m[1]}>{title_html(html_lib.unescape(m[2]), SUB_HEADING_EM)}</{m[1]}>", html
    )
    return quote_breaks(body_html(html))


def _link_marks(html: str, original_url: str, links: list[str]) -> str:
    """Each link's text followed by the number of its URL in the notes at the article's end
    (the URL kept in ``links``); the original link, printed with its QR code, is not repeated.
    The number is bound to the text's last character, so that it never starts a line."""

    def mark(match: re.Match[str]) -> str:
        url = html_lib.unescape(match[1]).strip()
        if not url or url == original_url.strip():
            return match[2]
        if url not in links:
            links.append(url)
        sup = f'<sup class="link-mark">[{links.index(url) + 1}]</sup>'
        last = _LAST_CHARACTER.search(match[2])
        if last is None:  # the text ends with a tag
            return match[2] + sup
        return f'{match[2][: last.start()]}<span class="nobr">{last[0]}{sup}</span>'

    return _LINK.sub(mark, html)


def _masthead_rows(edition: Edition) -> list[dict[str, Any]]:
    """The colophon's 报头: organisations, then people by role, each in position order."""
    rows: list[dict[str, Any]] = []
    for role in ORGANISATION_ROLE_ORDER:
        names = [org.name for org in edition.organisations_in(role)]
        if names:
            rows.append(
                {
                    "label": spaced_label(OrganisationRole(role).label),
                    "values": names,
                    "kind": "organisations",
                }
            )
    for person_role in PERSON_ROLE_ORDER:
        people = edition.people_in(person_role)
        if people:
            rows.append(
                {
                    "label": spaced_label(PersonRole(person_role).label),
                    "values": [spaced_name(name) for name in people],
                    "kind": "people",
                }
            )
    return rows


def _contact_rows(publication: EditionPublication) -> list[dict[str, Any]]:
    """咨询电话 (with "(传真)" when the fax is the same number), 传真, 邮箱, 编辑地址."""
    rows: list[dict[str, Any]] = []
    phone, fax = publication.phone.strip(), publication.fax.strip()
    if phone:
        rows.append({"label": "咨询电话", "value": f"{phone} (传真)" if fax == phone else phone})
    if fax and fax != phone:
        rows.append({"label": spaced_label("传真"), "value": fax})
    if publication.email:
        rows.append({"label": spaced_label("邮箱"), "value": publication.email})
    if publication.address:
        rows.append({"label": "编辑地址", "value": publication.address})
    return rows


def _profiles(edition: Edition, assets: AssetStore) -> list[dict[str, Any]]:
    """主编简介: the chief-editor, then the co-editor organisations that have a profile."""
    profiles = []
    seen: set[str] = set()
    organisations: list[EditionOrganisation] = [
        *edition.organisations_in(OrganisationRole.CHIEF_EDITOR),
        *edition.organisations_in(OrganisationRole.CO_EDITOR),
    ]
    for org in organisations:
        if org.name in seen or not plain_text(org.profile):
            continue
        seen.add(org.name)
        english = ", ".join(part for part in (org.name_en.strip(), org.acronym.strip()) if part)
        profiles.append(
            {
                "name": org.name,
                "english": english,
                "logo_url": assets.add(org.logo, f"机构“{org.name}”的标志") if org.logo else None,
                "name_html": mark_safe(title_html(org.name, PROFILE_EM)),  # noqa: S308
                "profile": mark_safe(_typeset(sanitize_html(org.profile))),  # noqa: S308
            }
        )
    return profiles


def quote_breaks(html: str) -> str:
    """Allow line breaks before “ and after ” in Chinese text (text between tags only)."""
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # even items are text, odd items are tags
        parts[i] = _QUOTE_CLOSES.sub("\\1\u200b", _QUOTE_OPENS.sub("\u200b\\1", parts[i]))
    return "".join(parts)


def url_breaks(url: str) -> str:
    """``url`` with break opportunities after its separators (after the scheme)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    return scheme + sep + _URL_SEPARATOR.sub("\\1\u200b", rest)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 else char for char in text
    )
    return f'"{escaped}"'


def spaced_label(label: str, width: int = LABEL_WIDTH) -> str:
    """Spread a short label over the four-character box by justified spaces: 主编 -> 主 编."""
    return " ".join(label) if len(label) < width else label


def spaced_name(name: str) -> str:
    """ "程茹" -> "程 茹": two-character Chinese names are spread to the width of three."""
    if len(name) == 2 and all("\u3400" <= char <= "\u9fff" for char in name):
        return " ".join(name)
    return name


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


__all__ = [
    "PreparedEdition",
    "RenderError",
    "RenderedPdf",
    "pdf_filename",
    "prepare_edition",
    "render_issue_html",
    "render_issue_pdf",
]
