"""The WeChat (公众号) edition: an issue as Official Account articles for ``draft/add``.

Pure functions over an ``Edition`` (editorial/editions.py): no queries and no writes. Each
article is rendered from Django templates in the house style, its stylesheet inlined with css-
inline (WeChat drops ``<style>``), and the result cleaned with nh3 to the allow-list in
``wechat_validation`` — so what leaves here is what WeChat keeps, and nothing an editor (or an
attacker with an editor's login) typed can run in a reader's WebView.

WeChat shows only images on its own host and keeps only links to mp.weixin.qq.com clickable, so
images are handed out as ``ImageSource`` bytes for the caller to place (``image_url``: the push
service uploads them via ``media/uploadimg``, the ``render_issue`` command writes them to disk),
and every other link becomes a numbered marker with the URL printed in a 参考链接 list.

    edition = issue_edition(issue_id)
    articles = render_wechat_issue(edition, image_url=upload)   # [本期要目, article 1, …]
    cover = render_wechat_cover(edition)                          # 900×383 PNG for thumb_media_id
    problems = [v for a in articles for v in validate_wechat_article(a)]
"""

import functools
import hashlib
import html as html_lib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import css_inline
import nh3
import segno
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageDraw, ImageFont, ImageOps

from editorial.editions import (
    ORGANISATION_ROLE_ORDER,
    Edition,
    EditionArticle,
    EditionFigure,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.richtext import (
    FIGURE_MARKER,
    figure_numbers,
    place_figures,
    plain_text,
    quoted_title,
    sanitize_html,
)

from .assets import IMAGE_ERRORS, check_image, read_image
from .errors import RenderError
from .qr import QUIET_ZONE
from .typography import mixed_spacing_html
from .wechat_validation import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    AUTHOR_MAX,
    CONTENT_MAX_CHARS,
    DIGEST_LABEL,
    DIGEST_MAX,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_WIDTH,
    TITLE_MAX,
    URL_SCHEMES,
    Violation,
    css_rule_broken,
    is_wechat_link,
    split_declarations,
    url_parts,
    validate_wechat_article,
)

ARTICLE_TEMPLATE = "editorial/wechat/article.html"
DIGEST_TEMPLATE = "editorial/wechat/digest.html"
STYLESHEET = "editorial/wechat/wechat.css"

COVER_SIZE = (900, 383)  # 2.35:1, the first article's card in the subscription feed
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
BOLD_FONT = FONT_DIR / "NotoSansCJK-Bold.ttc"
REGULAR_FONT = FONT_DIR / "NotoSansCJK-Regular.ttc"
FONT_FAMILY = "Noto Sans CJK SC"
NAVY = (22, 64, 122)
NAVY_DARK = (14, 44, 87)
GOLD = (246, 214, 140)

# About 3 device pixels per CSS pixel at the 130 px the QR is shown: sharp on any phone.
QR_PIXELS = 400
# Elements dropped together with everything inside them: their content is code, or UI that
# would be meaningless as text.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "template",
        "noscript",
        "noembed",
        "noframes",
        "textarea",
        "select",
        "button",
        "form",
        "title",
        "head",
        "xmp",
    }
)

_SENTENCE_ENDS = "。！？!?…"
_CLAUSE_MARKS = "，；、：,;:"
_OPENING = "《“‘（(【「『〔["
_CLOSING = "》”’）)】」』〕]"
# A Latin word or a number, with what joins its parts ("e-mail", "don't", "3.5", "1,000", "20%"):
# a cut never falls inside one.
_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:[-'’.,:/][0-9A-Za-z\u00C0-\u024F]+)*%?")
_ISSUED = re.compile(
    r"^(?P<issuer>.+?)\s*(?P<verb>联合印发|印发|发布|出台|公布|推出)\s*(?P<doc>《[^《》]+》)$"
)
_SHORT_FOR = re.compile(r"[（(]以下简称[^（）()]*[）)]")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_A_TOKEN = re.compile(r"""<a\b(?:[^>"']|"[^"]*"|'[^']*')*>|</a>""")
_HREF = re.compile(r"""\shref="([^"]*)\"""")
_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
_BLOCK_TAG_SPACE = re.compile(
    r"\s*(</?(?:section|p|h[1-6]|ul|ol|li|blockquote|table|thead|tbody|tr|th|td|figure"
    r"|figcaption|hr|br)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)\s*"
)


@dataclass(frozen=True)
class ImageSource:
    """An image the WeChat HTML needs, as bytes WeChat's ``uploadimg`` accepts."""

    name: str  # file name, e.g. "12-fig1.png" or "qr-05.png"
    data: bytes  # PNG or JPEG bytes, < 1 MB, at most 677 px wide
    content_type: str  # "image/png" | "image/jpeg"
    checksum: str  # sha256 hex of data


ImageUrl = Callable[[ImageSource], str]


@dataclass(frozen=True)
class WechatArticle:
    """One article of a ``draft/add`` call, its fields already within WeChat's limits."""

    article_id: int | None  # None for the issue digest article
    title: str  # ≤ 32 (Article.wechat_title or the proposal)
    author: str  # ≤ 16
    digest: str  # ≤ 128 (Article.wechat_digest or the proposal)
    content: str  # the article HTML, CSS inlined, cleaned to the allow-list
    content_source_url: str  # the original link (阅读原文), "" when none; ≤ 1 KB
    images: tuple[ImageSource, ...]  # every image the content references, in order


# ---------------------------------------------------------------------------------------------
# Titles, digests, author


def propose_wechat_title(title: str) -> str:
    """A title of at most 32 characters for WeChat, for editors to accept or change.

    "<issuing offices>印发《document》" becomes "《document》印发": the document is the news and the
    offices' long names are what overflow. Anything else is cut at a clause, never inside a
    《》 or a quotation when that can be avoided, and marked with "…".
    """
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX:
        return title
    issued = _ISSUED.match(title)
    if issued:
        verb = issued["verb"].removeprefix("联合")
        proposal = f"{issued['doc']}{verb}"
        if len(proposal) <= TITLE_MAX:
            return proposal
    return _shorten(title, TITLE_MAX, clause_marks=_CLAUSE_MARKS + " ")


def sent_wechat_title(title: str, wechat_title: str) -> str:
    """The title WeChat receives: the editor's 公众号标题, else the proposal from the title."""
    return wechat_title.strip() or propose_wechat_title(title)


def propose_wechat_digest(body: str) -> str:
    """At most 128 characters from the lead (the body's first paragraph) for the share card.

    "（以下简称《…》）" is dropped: it only matters to the text that follows. A lead cut short
    ends at the last whole sentence that fits, or at a clause with "…"; a lead that introduces
    a list ("其中包括：") ends with "…" too.
    """
    lead = _SHORT_FOR.sub("", _lead(body)).strip()
    if lead.endswith(("：", ":", "，", ",", "；", ";")):
        lead = lead[:-1] + "…"
    return _shorten(lead, DIGEST_MAX)


def wechat_author(edition: Edition) -> str:
    """The author line: the publication's name, else its account's, else the chief editor's
    acronym — whichever first fits WeChat's 16 characters."""
    publication = edition.publication
    candidates = [publication.name, publication.wechat_account_name]
    candidates += [org.acronym for org in edition.organisations_in(OrganisationRole.CHIEF_EDITOR)]
    for candidate in candidates:
        candidate = candidate.strip()
        if candidate and len(candidate) <= AUTHOR_MAX:
            return candidate
    return publication.name.strip()[:AUTHOR_MAX]


def digest_article_title(edition: Edition) -> str:
    """The 本期要目 article's title: "大数据发展动态｜2024年第16期（总第179期）本期要目", shortened
    part by part when a long publication name would overflow."""
    name = edition.publication.name.strip()
    number = f"{edition.date.year}年第{edition.number}期"
    for candidate in (
        f"{name}｜{number}（{edition.label_total}）{DIGEST_LABEL}",
        f"{name}｜{number}（{edition.label_total}）",
        f"{name}｜{number}",
    ):
        if len(candidate) <= TITLE_MAX:
            return candidate
    return _shorten(f"{name}｜{number}", TITLE_MAX)


def _lead(body: str) -> str:
    """Plain text of the body's first paragraph that has any text."""
    cleaned = sanitize_html(body)
    for paragraph in _PARAGRAPH.findall(cleaned):
        text = "".join(plain_text(f"<p>{paragraph}</p>").splitlines()).strip()
        if text:
            return text
    lines = plain_text(FIGURE_MARKER.sub("", cleaned)).splitlines()
    return lines[0] if lines else ""


def _shorten(text: str, limit: int, *, clause_marks: str = _CLAUSE_MARKS) -> str:
    """``text`` in at most ``limit`` characters, cut where a reader would stop.

    In order of preference: after the last whole sentence; at the last clause mark (replaced by
    "…"); after the last closed bracket or quotation — each outside 《》, quotations and
    parentheses, and only if it keeps half the room; then before an opening 《 or quotation if
    that keeps a quarter; then at the last word boundary (with "…"). No cut falls inside a Latin
    word or a number, unless a single one fills the room.
    """
    if len(text) <= limit:
        return text
    room = limit - 1  # the ellipsis takes one
    inside: set[int] = set()  # cut positions (text[:i] kept) that would split a word or a number
    for word in _LATIN_WORD.finditer(text, 0, limit + 1):
        inside.update(range(word.start() + 1, word.end()))
    depth = 0
    balanced: list[bool] = []  # balanced[i]: no bracket open after text[i]
    for char in text[:limit]:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(0, depth - 1)
        balanced.append(depth == 0)
    enough = limit // 2
    for i in range(limit - 1, enough - 1, -1):
        if balanced[i] and i + 1 not in inside and _ends_sentence(text, i):
            return text[: i + 1]
    for i in range(room, enough - 1, -1):
        if text[i] in clause_marks and i not in inside and (i == 0 or balanced[i - 1]):
            return text[:i].rstrip() + "…"
    for i in range(room - 1, enough - 1, -1):
        if balanced[i] and text[i] in _CLOSING:
            return text[: i + 1] + "…"
    for i in range(room, limit // 4 - 1, -1):  # rather short than cut inside 《》
        if text[i] in _OPENING and (i == 0 or balanced[i - 1]):
            return text[:i].rstrip() + "…"
    cut = next((i for i in range(room, 0, -1) if i not in inside and text[:i].strip()), room)
    return text[:cut].rstrip().rstrip(_CLAUSE_MARKS) + "…"


def _ends_sentence(text: str, i: int) -> bool:
    """Whether ``text[i]`` ends a sentence: a Chinese or final mark, or a full stop before a
    space or the end (not the one in "3.5" or "e.g.X")."""
    if text[i] in _SENTENCE_ENDS:
        return True
    return text[i] == "." and (i + 1 == len(text) or text[i + 1].isspace())


# ---------------------------------------------------------------------------------------------
# Images


def _image_source(name_stem: str, data: bytes, image_format: str) -> ImageSource:
    content_type = "image/jpeg" if image_format == "JPEG" else "image/png"
    extension = "jpg" if image_format == "JPEG" else "png"
    return ImageSource(
        name=f"{name_stem}.{extension}",
        data=data,
        content_type=content_type,
        checksum=hashlib.sha256(data).hexdigest(),
    )


def _encode(image: Image.Image, image_format: str, quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            flat = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
    else:
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def wechat_image(data: bytes, *, name_stem: str, label: str) -> ImageSource:
    """``data`` as an image ``uploadimg`` takes: PNG or JPEG, under 1 MB, at most 677 px wide.

    PNG and JPEG that already fit are passed on byte for byte; anything wider is scaled down
    (a chart keeps its proportions), GIF and WebP become PNG, and a PNG that is still too heavy
    becomes a JPEG of falling quality. RenderError names the image when it does not decode.
    """
    check_image(data, label=label, name=name_stem)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            source_format = opened.format or ""
            orientation = opened.getexif().get(0x0112, 1)
            if (
                source_format in ("PNG", "JPEG")
                and opened.width <= IMAGE_MAX_WIDTH
                and len(data) < IMAGE_MAX_BYTES
                and orientation == 1
            ):
                return _image_source(name_stem, data, source_format)
            image = ImageOps.exif_transpose(opened)
            image.load()
    except IMAGE_ERRORS as exc:
        raise RenderError(f"{label} 图片无法读取（{name_stem}：文件损坏或不是图片）。") from exc
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    if image.width > IMAGE_MAX_WIDTH:
        height = max(1, round(image.height * IMAGE_MAX_WIDTH / image.width))
        image = image.resize((IMAGE_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    image_format = "JPEG" if source_format == "JPEG" else "PNG"
    encoded = _encode(image, image_format)
    attempts = [("JPEG", quality) for quality in (85, 75, 65)]
    while len(encoded) >= IMAGE_MAX_BYTES:
        if attempts:
            image_format, quality = attempts.pop(0)
        else:  # a photograph this heavy at 677 px is noise; halve it until it fits
            image = image.resize((max(1, image.width // 2), max(1, image.height // 2)))
            quality = 65
        encoded = _encode(image, image_format, quality)
    return _image_source(name_stem, encoded, image_format)


@functools.lru_cache(maxsize=256)
def qr_png(data: str) -> bytes:
    """A PNG QR code for ``data``: error correction M and the quiet zone of the print edition's
    vector code (``qr.qr_svg``), about 400 px so that it stays sharp when shown at 130 px."""
    code = segno.make(data, error="m", micro=False)
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(4, QR_PIXELS // modules), border=QUIET_ZONE)
    return buffer.getvalue()


class _Images:
    """The images of one article in the order the content uses them, each placed once."""

    def __init__(self, image_url: ImageUrl) -> None:
        self.image_url = image_url
        self.sources: list[ImageSource] = []
        self._urls: dict[str, str] = {}

    def url(self, source: ImageSource) -> str:
        if source.checksum not in self._urls:
            self._urls[source.checksum] = self.image_url(source)
            self.sources.append(source)
        return self._urls[source.checksum]


# ---------------------------------------------------------------------------------------------
# Cleaning


def filter_style(style: str) -> str:
    """The declarations of a ``style`` attribute that WeChat keeps and that cannot run code."""
    kept = []
    for declaration in split_declarations(style):
        prop, value, rule = css_rule_broken(declaration)
        if rule is None:
            kept.append(f"{prop}:{value}")
    return ";".join(kept)


def _safe_url(url: str) -> str:
    """``url`` with the characters that could end an attribute or a tag percent-encoded."""
    return re.sub(r"[\s<>\"'`]", lambda m: f"%{ord(m[0]):02X}", url.strip())


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return filter_style(value) or None
    if attribute == "href":
        return _safe_url(value) if is_wechat_link(value) else None
    if attribute == "src":
        parts = url_parts(value)
        if parts is None or (parts[0] and parts[0] not in URL_SCHEMES):
            return None
        return _safe_url(value)
    return value.replace("<", "").replace(">", "")


def clean_wechat_html(html: str) -> str:
    """``html`` cleaned to what WeChat keeps and what cannot run code.

    Tags and attributes to the allow-list (no id, class, event handlers, comments); style
    declarations through ``filter_style``; links only to mp.weixin.qq.com (any other ``<a>``
    keeps its text); images only with an http(s) or relative ``src``. The validator accepts
    everything this returns, apart from image hosts and the size limits.
    """
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )
    cleaned = _IMG_TAG.sub(lambda m: m[0] if " src=" in m[0] else "", cleaned)
    return _BLOCK_TAG_SPACE.sub(r"\1", cleaned).strip()


@functools.lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_at_rules=False
    )


def _finish(html: str) -> str:
    """The house stylesheet inlined into ``html``, then cleaned for WeChat."""
    css = render_to_string(STYLESHEET)
    return clean_wechat_html(_inliner().inline_fragment(html, css))


# ---------------------------------------------------------------------------------------------
# Articles


@dataclass
class _References:
    """External links turned into numbered markers; the same URL keeps its number."""

    urls: list[str] = field(default_factory=list)

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def replace_links(self, html: str) -> str:
        """``html`` (sanitized) with each outside link's text followed by its marker "[N]"."""
        out: list[str] = []
        position = 0
        closing = ""
        for token in _A_TOKEN.finditer(html):
            out.append(html[position : token.start()])
            position = token.end()
            if token[0] == "</a>":
                out.append(closing)
                closing = ""
                continue
            href_match = _HREF.search(token[0])
            href = html_lib.unescape(href_match[1]).strip() if href_match else ""
            if not href:
                closing = ""
            elif is_wechat_link(href):
                out.append(format_html('<a href="{}">', href))
                closing = "</a>"
            else:
                closing = format_html('<sup class="reference-mark">[{}]</sup>', self.number(href))
        out.append(html[position:])
        return "".join(out)


def _figure_html(figure: EditionFigure, url: str) -> str:
    return format_html(
        '<figure class="figure"><img class="figure-image" src="{}" alt="图 {}">'
        '<figcaption class="figure-caption"><span class="figure-number">图 {}</span> {}'
        "</figcaption></figure>",
        url,
        figure.number,
        figure.number,
        figure.caption,
    )


def _article_body(
    article: EditionArticle, index: int, name: str, images: _Images, references: _References
) -> tuple[str, str]:
    """The body with its figures placed and links turned into references; and the figures
    the body does not place, to append after it (as the print edition does)."""
    body = sanitize_html(article.body)
    if not plain_text(body) and not figure_numbers(body):
        raise RenderError(f"{name}：正文为空，无法生成公众号图文。")
    body = references.replace_links(mixed_spacing_html(body))
    figures = {figure.number: figure for figure in article.figures}

    def figure_url(figure: EditionFigure) -> str:
        label = f"{name}：图 {figure.number}"
        if figure.image is None:
            raise RenderError(f"{label} 没有图片。")
        data = read_image(figure.image, label)
        stem = f"{index:02d}-fig{figure.number}"
        return images.url(wechat_image(data, name_stem=stem, label=label))

    def missing(number: int) -> str:
        raise RenderError(f"{name}：正文放置了图 {number}，但没有这张图。")

    body, appended = place_figures(
        body, figures, lambda f: _figure_html(f, figure_url(f)), missing=missing
    )
    return body, "".join(appended)


def _render_article(
    edition: Edition, article: EditionArticle, index: int, *, author: str, image_url: ImageUrl
) -> WechatArticle:
    name = quoted_title(article.title) if article.title.strip() else f"第{index}篇文章"
    images = _Images(image_url)
    references = _References()
    body, appended = _article_body(article, index, name, images, references)
    notes = references.replace_links(sanitize_html(article.notes)) if article.notes else ""
    original_url = article.original_url.strip()
    qr_url = ""
    if original_url:
        qr = _image_source(f"qr-{index:02d}", qr_png(original_url), "PNG")
        qr_url = images.url(qr)
    context = {
        "article": article,  # every field, for the template; the keys below are prepared
        "section": article.section.name,
        "title": article.title,
        "issue_line": f"{edition.publication.name} · {edition.date.year}年第{edition.number}期",
        "body": _safe(body + appended),
        "notes": _safe(notes),
        "source": article.source.strip(),
        "original_url": original_url,
        "original_is_link": is_wechat_link(original_url),
        "qr_url": qr_url,
        "qr_caption": (article.qr_caption or "扫描二维码可阅读原文") if original_url else "",
        "references": list(enumerate(references.urls, start=1)),
    }
    content = _finish(render_to_string(ARTICLE_TEMPLATE, context))
    return WechatArticle(
        article_id=article.id,
        title=sent_wechat_title(article.title, article.wechat_title),
        author=author,
        digest=article.wechat_digest.strip() or propose_wechat_digest(article.body),
        content=content,
        content_source_url=original_url,
        images=tuple(images.sources),
    )


def _safe(html: str) -> SafeString:
    """Mark HTML built here as safe for the template: it comes from ``sanitize_html`` and
    ``format_html``, and everything is cleaned again by ``clean_wechat_html`` at the end."""
    return mark_safe(html)  # noqa: S308 - sanitized above, cleaned again after rendering


def _masthead(edition: Edition) -> list[dict[str, str]]:
    """The issue's 报头 as "label：names" lines, organisations then people, in position order."""
    rows: list[dict[str, str]] = []
    for role in ORGANISATION_ROLE_ORDER:
        names = [org.name for org in edition.organisations_in(role)]
        if names:
            rows.append({"label": str(OrganisationRole(role).label), "value": "、".join(names)})
    for person_role in (
        PersonRole.EDITOR_IN_CHIEF,
        PersonRole.DEPUTY_EDITOR,
        PersonRole.EXECUTIVE_EDITOR,
        PersonRole.RESPONSIBLE_EDITOR,
        PersonRole.ART_EDITOR,
    ):
        names = edition.people_in(person_role)
        if names:
            rows.append({"label": str(person_role.label), "value": "、".join(names)})
    return rows


def _contacts(edition: Edition) -> list[dict[str, str]]:
    publication = edition.publication
    phone, fax = publication.phone.strip(), publication.fax.strip()
    rows = []
    if phone:
        rows.append({"label": "咨询电话", "value": f"{phone}（传真）" if fax == phone else phone})
    if fax and fax != phone:
        rows.append({"label": "传真", "value": fax})
    if publication.email:
        rows.append({"label": "邮箱", "value": publication.email})
    if publication.address:
        rows.append({"label": "编辑地址", "value": publication.address})
    return rows


def _render_digest(
    edition: Edition, rendered: list[WechatArticle], *, author: str
) -> WechatArticle:
    """本期要目: the issue's masthead, its cover headline, and every article's title and lead
    by section, for readers who open the first article of the push. An issue too long for
    WeChat's 20,000 characters that way lists titles only."""
    sections: list[dict[str, Any]] = []
    for index, (article, item) in enumerate(zip(edition.articles, rendered, strict=True), start=1):
        if not sections or sections[-1]["section"] != article.section:
            sections.append(
                {"section": article.section, "name": article.section.name, "entries": []}
            )
        sections[-1]["entries"].append(
            {"number": f"{index:02d}", "title": article.title, "lead": item.digest}
        )
    context = {
        "publication": edition.publication,
        "date_label": edition.date_label,
        "issue_label": edition.label,
        "headline_lines": [line.strip() for line in edition.cover_headline.splitlines() if line],
        "sections": sections,
        "masthead": _masthead(edition),
        "contacts": _contacts(edition),
        "notice": edition.notice,
    }
    content = _finish(render_to_string(DIGEST_TEMPLATE, context))
    if len(content) >= CONTENT_MAX_CHARS:  # a very long issue: titles alone still fit
        for section in sections:
            for entry in section["entries"]:
                entry["lead"] = ""
        content = _finish(render_to_string(DIGEST_TEMPLATE, context))
    titles = "；".join(item.title for item in rendered)
    return WechatArticle(
        article_id=None,
        title=digest_article_title(edition),
        author=author,
        digest=_shorten(f"{DIGEST_LABEL}：{titles}", DIGEST_MAX, clause_marks="；"),
        content=content,
        content_source_url="",
        images=(),
    )


def render_wechat_issue(edition: Edition, *, image_url: ImageUrl) -> list[WechatArticle]:
    """The issue as WeChat articles: 本期要目 first, then the articles in issue order.

    ``image_url`` is called once per distinct image of each article, in the order the content
    shows them, and returns the URL put in ``<img src>``. Raises RenderError (in Chinese, naming
    the article) for content that cannot be rendered; WeChat's limits are checked separately by
    ``validate_wechat_article``, so editors see every problem at once.
    """
    if not edition.articles:
        raise RenderError("本期没有文章，无法生成公众号图文。")
    author = wechat_author(edition)
    rendered = [
        _render_article(edition, article, index, author=author, image_url=image_url)
        for index, article in enumerate(edition.articles, start=1)
    ]
    return [_render_digest(edition, rendered, author=author), *rendered]


# ---------------------------------------------------------------------------------------------
# Cover


@functools.lru_cache(maxsize=8)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The Simplified Chinese face of a Noto CJK collection (found by name, not by index)."""
    if not path.exists():
        raise RenderError(
            f"找不到字体 {path}（Debian 软件包 fonts-noto-cjk），无法绘制公众号封面。"
        )
    for index in range(10):
        try:
            font = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            break
        if font.getname()[0] == FONT_FAMILY:
            return font
    raise RenderError(f"字体 {path} 中没有 {FONT_FAMILY}，无法绘制公众号封面。")


def _fit(text: str, path: Path, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The largest font (from ``size`` down) in which ``text`` fits ``width`` pixels."""
    while size > 12 and _font(path, size).getlength(text) > width:
        size -= 2
    return _font(path, size)


def _centered(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
) -> None:
    width = draw.textlength(text, font=font)
    draw.text(((COVER_SIZE[0] - width) / 2, y), text, font=font, fill=fill)


def render_wechat_cover(edition: Edition) -> ImageSource:
    """The 900×383 PNG cover for ``thumb_media_id``: name, 第N期 总第M期 and the headline.

    Everything is centred, so the square WeChat cuts from the middle for chat shares still
    shows the publication's name.
    """
    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, NAVY)
    draw = ImageDraw.Draw(image)
    for x in range(width):  # a left-to-right gradient, darker at the edges
        t = abs(x - width / 2) / (width / 2)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(NAVY, NAVY_DARK, strict=True))
        draw.line([(x, 0), (x, height)], fill=colour)
    for radius, alpha in ((300, 18), (210, 14), (130, 10)):  # faint rings, a data motif
        ring = Image.new("L", COVER_SIZE, 0)
        ImageDraw.Draw(ring).ellipse(
            [width - 120 - radius, -60 - radius, width - 120 + radius, -60 + radius],
            outline=alpha * 4,
            width=2,
        )
        image.paste((255, 255, 255), mask=ring)
    publication = edition.publication
    white, pale = (255, 255, 255), (200, 215, 235)
    y = 34
    if publication.tagline:
        font = _fit(publication.tagline, REGULAR_FONT, 18, width - 80)
        _centered(draw, y, publication.tagline, font, pale)
    y = 66
    name_font = _fit(publication.name, BOLD_FONT, 60, width - 80)
    _centered(draw, y, publication.name, name_font, white)
    y = 150
    numbers = f"{edition.date_label}　{edition.label}"
    _centered(draw, y, numbers, _fit(numbers, REGULAR_FONT, 22, width - 80), pale)
    draw.rectangle([width / 2 - 40, 196, width / 2 + 40, 199], fill=GOLD)
    lines = edition.cover_headline_lines[:3]
    if lines:
        size = min(_fit(line, BOLD_FONT, 32, width - 100).size for line in lines)
        if len(lines) == 3:
            size = min(size, 28)
        font = _font(BOLD_FONT, size)
        step = round(size * 1.45)
        y = 222 + max(0, (3 - len(lines)) * step // 2 - step // 4)
        for line in lines:
            _centered(draw, y, line, font, GOLD)
            y += step
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    revised = f"-r{edition.revision}" if edition.revision > 1 else ""
    return _image_source(f"cover-{edition.total_number}{revised}", buffer.getvalue(), "PNG")


__all__ = [
    "ImageSource",
    "ImageUrl",
    "Violation",
    "WechatArticle",
    "clean_wechat_html",
    "digest_article_title",
    "filter_style",
    "propose_wechat_digest",
    "propose_wechat_title",
    "qr_png",
    "render_wechat_cover",
    "render_wechat_issue",
    "sent_wechat_title",
    "validate_wechat_article",
    "wechat_author",
    "wechat_image",
]
