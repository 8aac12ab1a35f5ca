"""采编: an article's draft read from its source page (a government, ministry or WeChat page).

``page_draft(html, url)`` is pure: no network, no database. The main text is found by
trafilatura (docs/decisions/0014-article-from-its-link.md), narrowed first to the content
container the usual publishing systems use when the page has one (WeChat's ``#js_content``,
the government CMS's ``#UCAP-CONTENT``…), and its structure — paragraphs, bold leads,
sub-headings, lists, tables, links — mapped to our allowed HTML and passed through the one
sanitizer, whose report is kept. Images become figure markers, numbered in order, with the
caption the page gives (a ``<figcaption>`` or a "图1 …" line right after the image); the
figures themselves are downloaded and checked by the service (``services/article_imports.py``).

Metadata comes from what these pages carry: the government CMS's meta tags (ArticleTitle,
PubDate, ContentSource, SiteName), WeChat's ``rich_media_title``, ``publish_time`` and account
name, a "来源：" line, and trafilatura's own title and date as the fallback.
"""

import copy
import datetime
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura

from .richtext import Removed, sanitize_html_reporting

# Where the usual publishing systems put the article, most specific first.
CONTENT_CONTAINERS = (
    '//*[@id="js_content"]',
    '//*[@id="UCAP-CONTENT"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " pages_content ")]',
    '//*[@id="con_con"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//*[@id="zoom"]',
    "//article",
)
# A figure stands in the text as a paragraph of this token until the text is mapped.
_PLACEHOLDER = "DIGESTFIGURE{}END"
_PLACEHOLDER_RE = re.compile(r"^DIGESTFIGURE(\d+)END$")
CAPTION = re.compile(r"^图\s*(\d+)\s*[：:.、．]?\s*(.*\S)\s*$")
SOURCE_LINE = re.compile(r"(?:来源|来自|稿源)\s*[：:]\s*([^\s|｜丨/，,【】]+)")
# Lines at the end of a page's text that belong to the page, not to the article.
TRAILER = re.compile(
    r"^(?:【我要纠错】|\[我要纠错\]|(?:责任)?编辑\s*[：:]|审核\s*[：:]|校对\s*[：:]|来源\s*[：:])"
)
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_OFFICES = ("司", "局", "厅", "中心", "办公室", "处")
_PARENTS = ("部", "委员会", "委", "局", "署", "总局", "院", "厅")


@dataclass(frozen=True)
class FigureRef:
    number: int
    url: str
    caption: str


@dataclass(frozen=True)
class PageDraft:
    title: str
    body: str  # allowed HTML, figures as markers numbered 1…n like ``figures``
    published: datetime.date | None
    source: str
    original_url: str
    figures: tuple[FigureRef, ...]
    removed: Removed  # what the sanitizer took out of the mapped text


def page_draft(html: str | bytes, *, url: str = "", charset: str | None = None) -> PageDraft:
    """The draft of the article on the page ``html`` found at ``url`` (may be "" for a saved
    page: then its canonical link, if it names one, is the original link). ``charset`` is the
    one the server declared, if any."""
    text = html if isinstance(html, str) else decoded(html, charset)
    tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1) or "<html></html>")
    original_url = url or _canonical(tree)
    if original_url:
        tree.make_links_absolute(original_url, handle_failures="discard")
    # Read what the whole page says before the content is taken out of it.
    metadata = trafilatura.extract_metadata(copy.deepcopy(tree), default_url=original_url or None)
    title = _title(tree) or (metadata.title if metadata and metadata.title else "")
    published = _published(tree, metadata.date if metadata else None)
    source = _source(tree, " ".join(tree.xpath("//body//text()[not(ancestor::script)]")))
    root, figures = _content(tree, original_url)
    if root is None:
        # No known container: trafilatura finds the main text, as HTML mapped like the rest.
        extracted = trafilatura.extract(
            tree,
            url=original_url or None,
            output_format="html",
            include_formatting=True,
            include_tables=True,
            include_links=True,
            include_comments=False,
            favor_recall=True,
        )
        root = lxml.html.fromstring(extracted or "<div></div>")
    body, kept = _place_figures(_trimmed(_blocks(root, title)), figures)
    cleaned, removed = sanitize_html_reporting(body)
    return PageDraft(
        title=title,
        body=cleaned,
        published=published,
        source=source,
        original_url=original_url,
        figures=kept,
        removed=removed,
    )


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Chinese pages declare GB2312 or GBK and use GB18030, their superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def decoded(page: bytes, charset: str | None) -> str:
    """The page's text: in the charset the server or the page declares, else UTF-8, else
    GB18030 (what an undeclared Chinese page almost always is)."""
    declared = charset or next(iter(_META_CHARSET.findall(page[:4096])), b"").decode("ascii")
    if declared:
        name = _SUPERSETS.get(declared.lower(), declared.lower())
        try:
            return page.decode(name, errors="replace")
        except LookupError:
            pass
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError:
        return page.decode("gb18030", errors="replace")


def _meta(tree: lxml.html.HtmlElement, *names: str) -> str:
    for name in names:
        for attribute in ("name", "property"):
            values = tree.xpath(f'//meta[@{attribute}="{name}"]/@content')
            if values and values[0].strip():
                return str(values[0]).strip()
    return ""


def _text(tree: lxml.html.HtmlElement, xpath: str) -> str:
    found = tree.xpath(xpath)
    return _squash(found[0].text_content()) if found else ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _script_value(tree: lxml.html.HtmlElement, name: str) -> str:
    script = "\n".join(tree.xpath("//script/text()"))
    match = re.search(rf'var\s+{name}\s*=\s*(?:htmlDecode\()?\s*"([^"]*)"', script)
    return match[1].strip() if match else ""


def _canonical(tree: lxml.html.HtmlElement) -> str:
    links = tree.xpath('//link[@rel="canonical"]/@href')
    url = str(links[0]).strip() if links else _meta(tree, "og:url")
    return url if url.startswith(("http://", "https://")) else ""


def _title(tree: lxml.html.HtmlElement) -> str:
    return (
        _meta(tree, "ArticleTitle")
        or _text(tree, '//*[@id="activity-name"]')
        or _text(tree, '//*[contains(@class, "rich_media_title")]')
        or _meta(tree, "og:title")
    )


def _published(tree: lxml.html.HtmlElement, found: str | None) -> datetime.date | None:
    candidates = [
        _meta(tree, "PubDate", "pubdate", "publishdate", "article:published_time"),
        _text(tree, '//*[@id="publish_time"]'),
    ]
    stamp = _script_value(tree, "ct")
    if stamp.isdigit():
        moment = datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
        candidates.append(
            moment.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
        )
    candidates.append(found or "")
    for candidate in candidates:
        match = _DATE.search(candidate)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def _source(tree: lxml.html.HtmlElement, page_text: str) -> str:
    """The issuing office: the CMS's ContentSource, a "来源：" line, the WeChat account, or
    the site's name; an office named without its ministry gets the ministry's name in front
    (运行监测协调局 on the MIIT site is 工业和信息化部运行监测协调局)."""
    line = SOURCE_LINE.search(page_text)
    source = (
        _meta(tree, "ContentSource")
        or (line[1] if line else "")
        or _text(tree, '//*[@id="js_name"]')
        or _script_value(tree, "nickname")
        or _meta(tree, "SiteName")
    )
    parent = _meta(tree, "SiteName").removeprefix("中华人民共和国")
    if (
        source
        and parent.endswith(_PARENTS)
        and source.endswith(_OFFICES)
        and not source.startswith(parent)
        and not re.search(r"[部委省市县区国]", source)
    ):
        return parent + source
    return source


def _content(
    tree: lxml.html.HtmlElement, base_url: str
) -> tuple[lxml.html.HtmlElement | None, dict[int, FigureRef]]:
    """The page's content container if it has a known one (else None: the whole page is
    left to trafilatura), with the images in it replaced by placeholders."""
    container = next(
        (found[0] for xpath in CONTENT_CONTAINERS if (found := tree.xpath(xpath))), None
    )
    root = container if container is not None else tree.find("body")
    if root is None:
        root = tree
    figures: dict[int, FigureRef] = {}
    for image in list(root.iter("img")):
        src = (image.get("data-src") or image.get("src") or "").strip()
        if not src or src.startswith("data:"):
            _drop(image)
            continue
        caption = ""
        figure = next(image.iterancestors("figure"), None)
        if figure is not None:
            captions = figure.findall(".//figcaption")
            caption = _squash(captions[0].text_content()) if captions else ""
            for found in captions:
                _drop(found)
        number = len(figures) + 1
        match = CAPTION.match(caption)
        figures[number] = FigureRef(number, urljoin(base_url, src), match[2] if match else caption)
        placeholder = lxml.html.Element("p")
        placeholder.text = _PLACEHOLDER.format(number)
        block = _block_of(image, root)
        if block is image:
            image.addprevious(placeholder)
            _drop(image)
        else:
            block.addprevious(placeholder)
            _drop(image)
            if not _squash(block.text_content()):
                _drop(block)
    return container, figures


def _block_of(element: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The paragraph-like element holding ``element`` (itself when none does)."""
    for ancestor in element.iterancestors():
        if ancestor is root:
            break
        if ancestor.tag in ("p", "figure", "div", "center"):
            return ancestor
    return element


def _drop(element: lxml.html.HtmlElement) -> None:
    """Remove ``element`` and what it holds, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- the page's markup to our HTML ---------------------------------------------------------------


@dataclass
class _Block:
    html: str
    text: str
    figure: int | None = None


_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote"})
_INLINE = {
    "strong": "strong",
    "b": "strong",
    "em": "em",
    "i": "em",
    "u": "u",
    "sub": "sub",
    "sup": "sup",
}
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "form", "button", "svg"})
_SPACE = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")


def _blocks(root: lxml.html.HtmlElement, title: str) -> list[_Block]:
    """The blocks of ``root`` in order: paragraphs, headings, lists, tables, quotes and figure
    placeholders; containers (div, section, span around blocks) are looked through; a
    container holding only text is a paragraph."""
    blocks: list[_Block] = []
    for element in root:
        if not isinstance(element.tag, str) or element.tag in _SKIPPED:
            continue
        text = _squash(element.text_content())
        placeholder = _PLACEHOLDER_RE.match(text)
        if placeholder:
            blocks.append(_Block("", "", int(placeholder[1])))
        elif element.tag in _BLOCKS:
            if text and not (element.tag.startswith("h") and text == _squash(title)):
                blocks.append(_Block(_block_html(element), text))
        elif any(isinstance(c.tag, str) and c.tag in _BLOCKS | {"div", "section"} for c in element):
            blocks.extend(_blocks(element, title))
        elif text:
            blocks.append(_Block(f"<p>{_inline(element)}</p>", text))
    return blocks


def _block_html(element: lxml.html.HtmlElement) -> str:
    tag = element.tag
    if tag in _HEADINGS:
        heading = _HEADINGS[tag]
        # A heading is bold already: its <strong> would only double it.
        return f"<{heading}>{_inline(element, bold=False)}</{heading}>"
    if tag in ("ul", "ol"):
        items = "".join(
            f"<li>{_inline(item)}</li>"
            for item in element.iter("li")
            if _squash(item.text_content())
        )
        return f"<{tag}>{items}</{tag}>"
    if tag == "table":
        return _table(element)
    if tag == "blockquote":
        return f"<blockquote><p>{_inline(element)}</p></blockquote>"
    return f"<p>{_inline(element)}</p>"


def _table(table: lxml.html.HtmlElement) -> str:
    rows = []
    for row in table.iter("tr"):
        cells = []
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            spans = "".join(
                f' {name}="{int(value)}"'
                for name in ("colspan", "rowspan")
                if (value := cell.get(name, "")).isdigit() and int(value) > 1
            )
            cells.append(f"<{cell.tag}{spans}>{_inline(cell)}</{cell.tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = _header_row(rows)
    return f"<table>{head}<tbody>{''.join(rows[1:] if head else rows)}</tbody></table>"


def _header_row(rows: list[str]) -> str:
    """A first row whose every cell is wholly bold (how these pages mark a header) as <th>."""
    if len(rows) < 2:
        return ""
    cells = re.findall(r"<t[dh]([^>]*)>(.*?)</t[dh]>", rows[0])
    if not cells or not all(re.fullmatch(r"<strong>[^<]*</strong>", inner) for _, inner in cells):
        return ""
    heads = "".join(f"<th{spans}>{inner[8:-9]}</th>" for spans, inner in cells)
    return f"<thead><tr>{heads}</tr></thead>"


def _inline(element: lxml.html.HtmlElement, *, bold: bool = True) -> str:
    """The text of ``element`` with its bold, italic, underline, sub/superscript, links and
    line breaks; every other tag is looked through. Layout whitespace (newlines of the
    source, indentation by spaces, full-width and no-break spaces) goes."""
    parts = [_escape(element.text)]
    blocks_before = False
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _SKIPPED:
            inner = _inline(child, bold=bold)
            tag = _INLINE.get(child.tag)
            if child.tag == "br":
                parts.append("<br>")
            elif child.tag in _BLOCKS | {"div", "section", "li"} and inner:
                parts.append(("<br>" if blocks_before else "") + inner)
                blocks_before = True
            elif child.tag == "a" and (href := child.get("href", "")) and inner:
                parts.append(f'<a href="{_escape(href, quote=True)}">{inner}</a>')
            elif tag and inner.strip() and (bold or tag != "strong"):
                parts.append(f"<{tag}>{inner}</{tag}>")
            else:
                parts.append(inner)
        parts.append(_escape(child.tail))
    html = "".join(parts)
    html = re.sub(r"^(?:\s|<br>)+|(?:\s|<br>)+$", "", html)
    html = re.sub(r"</(strong|em|u|sub|sup)><\1>", "", html)
    return html


def _escape(text: str | None, *, quote: bool = False) -> str:
    if not text:
        return ""
    text = _SPACE.sub(_space, text)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace('"', "&quot;") if quote else escaped


def _space(match: re.Match[str]) -> str:
    """Whitespace as a reader sees it: a run with a line break (the source's layout) is
    nothing beside a Chinese character and one space between Latin words; any other run is
    one space."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if "\n" not in match[0] and "\r" not in match[0]:
        return " "
    latin = before.isascii() and after.isascii() and before.isalnum() and after.isalnum()
    return " " if latin else ""


def _trimmed(blocks: list[_Block]) -> list[_Block]:
    """Without the page's furniture at the end of the text: 来源, 编辑, 审核, 【我要纠错】 lines
    and whatever (a "follow us" image) comes after them."""
    for index, block in enumerate(blocks):
        if block.figure is None and TRAILER.match(block.text):
            if all(b.figure is not None or TRAILER.match(b.text) for b in blocks[index:]):
                return blocks[:index]
    return blocks


def _place_figures(
    blocks: list[_Block], figures: dict[int, FigureRef]
) -> tuple[str, tuple[FigureRef, ...]]:
    """The body with each placeholder a figure marker numbered in order; a "图N …" line right
    after a figure is its caption (and leaves the text)."""
    parts: list[str] = []
    kept: list[FigureRef] = []
    skip = False
    for index, block in enumerate(blocks):
        if skip:
            skip = False
            continue
        if block.figure is None:
            parts.append(block.html)
            continue
        ref = figures[block.figure]
        caption = ref.caption
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        match = CAPTION.match(following.text) if following and following.figure is None else None
        if match and following is not None and "<table" not in following.html:
            caption = caption or match[2]
            skip = True
        number = len(kept) + 1
        kept.append(FigureRef(number, ref.url, caption))
        parts.append(f'<figure data-figure="{number}"></figure>')
    return "\n".join(parts), tuple(kept)
