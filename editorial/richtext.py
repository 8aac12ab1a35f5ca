"""Rich text: the allow-list every stored body, note and profile is cleaned to, and Markdown input.

Bodies are stored as sanitized HTML (see docs/decisions/0002-rich-text-storage.md). A figure is
placed in a body by an empty ``<figure data-figure="N"></figure>`` marker that the renderers
replace with figure N of the article.
"""

import html as html_lib
import re
from collections.abc import Callable
from typing import TypeVar

import nh3
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


def markdown_to_html(text: str) -> str:
    """Render CommonMark (with tables and inline HTML) and sanitize the result."""
    return sanitize_html(_markdown.render(text))


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
