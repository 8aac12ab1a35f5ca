"""Rich text: the allow-list every stored body, note and profile is cleaned to, and Markdown input.

Bodies are stored as sanitized HTML (see docs/decisions/0002-rich-text-storage.md). A figure is
placed in a body by an empty ``<figure data-figure="N"></figure>`` marker that the renderers
replace with figure N of the article.
"""

import collections
import html as html_lib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from xml.etree.ElementTree import Element

import nh3
import tinyhtml5
from markdown_it import MarkdownIt

from .source_html import restructure, tidy_blocks

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "figure",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "figure": {"data-figure"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
FIGURE_MARKER = re.compile(r'<figure data-figure="(\d+)"></figure>')

T = TypeVar("T")

_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")


def sanitize_html(html: str) -> str:
    """Clean HTML to the allow-list; script/style contents and event attributes are dropped.

    HTML the allow-list would change is restructured first (copied from Word, WeChat, a web page
    or a PDF viewer: ``source_html.py``); HTML that is already allowed is kept byte for byte,
    but for empty paragraphs and indenting spaces (``tidy_blocks``)."""
    html = html.replace("\r\n", "\n")  # as an HTML parser reads it (and browsers post it)
    cleaned = _allow_listed(html)
    if cleaned != html.strip():
        cleaned = _allow_listed(restructure(html))
    return tidy_blocks(cleaned)


def _allow_listed(html: str) -> str:
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


def markdown_render(text: str) -> str:
    """CommonMark (with tables and inline HTML) as HTML, not yet sanitized."""
    return _markdown.render(text)


def markdown_to_html(text: str) -> str:
    """Render CommonMark (with tables and inline HTML) and sanitize the result."""
    return sanitize_html(markdown_render(text))


def figure_numbers(html: str) -> list[int]:
    """The figure numbers a body places, in order of appearance."""
    return [int(n) for n in FIGURE_MARKER.findall(html)]


def plain_text(html: str) -> str:
    """Text content of sanitized HTML, one line per block, for search and comparison."""
    text = re.sub(r"</(p|h[2-4]|li|tr|blockquote)>|<br\s*/?>", "\n", html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


_ONE_BOOK_TITLE = re.compile(r"《[^《》]*》")


def quoted_title(title: str) -> str:
    """``title`` in 《》 for a message, quoted once: a title that is one 《…》 already stays as it
    is, and a 《》 inside a longer title becomes 〈〉 (GB/T 15834: 书名号中的书名号用单书名号)."""
    title = title.strip()
    if _ONE_BOOK_TITLE.fullmatch(title):
        return title
    return f"《{title.replace('《', '〈').replace('》', '〉')}》"


def place_figures(
    html: str,
    figures: dict[int, T],
    render: Callable[[T], str],
    *,
    missing: Callable[[int], str] = lambda number: "",
) -> tuple[str, list[str]]:
    """Replace each figure marker with ``render(figure)``; also return the figures no marker
    placed, rendered, for the end of the article. A marker without its figure is replaced by
    ``missing(number)`` (nothing by default; the renderers raise instead)."""
    placed: set[int] = set()

    def substitute(match: re.Match[str]) -> str:
        number = int(match[1])
        if number not in figures:
            return missing(number)
        placed.add(number)
        return render(figures[number])

    body = FIGURE_MARKER.sub(substitute, html)
    rest = [render(f) for n, f in sorted(figures.items()) if n not in placed]
    return body, rest


# What the sanitizer removes, told to the editor (and recorded): each kind with its label and
# measure word, in the order a report lists them.
REMOVED_KINDS = {
    "script": ("脚本", "处"),
    "style_sheet": ("样式表", "处"),
    "event": ("事件处理属性", "个"),
    "javascript": ("javascript: 链接", "处"),
    "data": ("data: 链接", "处"),
    "scheme": ("不允许协议的链接", "处"),
    "outside_image": ("外部图片", "张"),
    "image": ("内嵌图片", "张"),
    "frame": ("嵌入的网页或对象", "处"),
    "form": ("表单控件", "个"),
    "svg_math": ("SVG/MathML 图形", "处"),
    "style": ("样式属性", "个"),
    "attribute": ("其他属性", "个"),
    "tag": ("其他标签（文字保留）", "个"),
    "comment": ("注释", "处"),
}
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "poster"})
_FRAMES = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "portal"})
_FORM = frozenset(
    {"form", "input", "button", "select", "option", "optgroup", "textarea", "keygen", "datalist"}
)
_NAMESPACED = re.compile(r"^\{[^}]*\}")
_URL_NOISE = re.compile(r"[\x00-\x20]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


@dataclass(frozen=True)
class Removed:
    """What ``sanitize_html`` took out of one text: counts by kind (see ``REMOVED_KINDS``), and
    the names of the plain tags and attributes it dropped."""

    counts: tuple[tuple[str, int], ...] = ()
    tags: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __str__(self) -> str:
        """ "已移除：javascript: 链接 1 处，外部图片 1 张"; empty when nothing was removed."""
        if not self.counts:
            return ""
        parts = []
        for kind, count in self.counts:
            label, unit = REMOVED_KINDS[kind]
            names = {"tag": self.tags, "attribute": self.attributes}.get(kind, ())
            parts.append(f"{label} {count} {unit}" + (f"（{'、'.join(names)}）" if names else ""))
        return "已移除：" + "，".join(parts)


def sanitize_html_reporting(html: str) -> tuple[str, Removed]:
    """``sanitize_html(html)`` and what it removed.

    nh3 reports nothing, so both texts are parsed the way a browser parses them (tinyhtml5,
    WHATWG) and their features compared: an element, attribute, link or comment the input has
    and the output lacks was removed. A removed element counts once, with only its event
    handlers and script links, not every attribute it carried.
    """
    cleaned = sanitize_html(html)
    before = collections.Counter(_features(html))
    before.subtract(_features(cleaned))
    counts: collections.Counter[str] = collections.Counter()
    names: dict[str, collections.Counter[str]] = {
        "tag": collections.Counter(),
        "attribute": collections.Counter(),
    }
    for (kind, name), count in before.items():
        if count <= 0 or kind == "kept":
            continue
        counts[kind] += count
        if kind in names:
            names[kind][name] += count
    return cleaned, Removed(
        counts=tuple((kind, counts[kind]) for kind in REMOVED_KINDS if counts[kind]),
        tags=_by_count(names["tag"]),
        attributes=_by_count(names["attribute"]),
    )


def _by_count(names: collections.Counter[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda name: (-names[name], name)))


def _features(html: str) -> Iterator[tuple[str, str]]:
    """``(kind, name)`` for every element, attribute and comment of ``html`` parsed as a
    fragment; ``kind`` is "kept" for what the allow-list keeps."""
    root = tinyhtml5.parse(f"<body>{html}</body>", namespace_html_elements=False)
    body = root.find("body")
    if body is None:
        return
    if body.attrib:  # a <body …> in the text lends the parser's body its attributes
        yield from _element_features(body, False)
    stack: list[Element] = list(body)
    while stack:
        element = stack.pop()
        stack.extend(element)
        if not isinstance(element.tag, str):
            yield "comment", ""
            continue
        yield from _element_features(element, bool(_NAMESPACED.match(element.tag)))


def _element_features(element: Element, namespaced: bool) -> Iterator[tuple[str, str]]:
    tag = _NAMESPACED.sub("", element.tag).lower()
    allowed = tag in ALLOWED_TAGS and not namespaced
    if namespaced:
        kind = "svg_math" if tag in ("svg", "math") else "kept"
    elif allowed:
        kind = "kept"
    elif tag == "script":
        kind = "script"
    elif tag == "style":
        kind = "style_sheet"
    elif tag == "img":
        src = element.get("src", "").strip().lower()
        kind = "outside_image" if src.startswith(("http:", "https:", "//")) else "image"
    elif tag in _FRAMES:
        kind = "frame"
    elif tag in _FORM:
        kind = "form"
    else:
        kind = "tag"
    yield kind, tag
    if namespaced:
        return
    for raw_name, value in element.attrib.items():
        name = _NAMESPACED.sub("", raw_name).lower()
        if name.startswith("on"):
            yield "event", name
        elif name in _URL_ATTRIBUTES and tag != "img" and (scheme := _url_kind(value)):
            yield scheme, name
        elif allowed:
            if name in ALLOWED_ATTRIBUTES.get(tag, ()):
                yield "kept", name
            else:
                yield ("style" if name == "style" else "attribute"), name


def _url_kind(value: str) -> str | None:
    """The removal kind of a URL whose scheme the allow-list refuses; None for one it keeps
    (http, https, mailto, or relative). Read as a browser reads it: controls and spaces out."""
    match = _SCHEME.match(_URL_NOISE.sub("", value).lower())
    if match is None or match[1] in URL_SCHEMES:
        return None
    return {"javascript": "javascript", "data": "data"}.get(match[1], "scheme")
