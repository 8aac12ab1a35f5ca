"""HTML as editors copy it — from Word or WPS, a WeChat article, a government web page, a PDF
viewer — restructured into the blocks the allow-list keeps.

``sanitize_html`` (``richtext.py``) runs ``restructure`` before the allow-list on any input the
allow-list would change, and ``tidy_blocks`` after it, so a paste in the editor (which sends the
clipboard's HTML to the server, ``admin/editor.py``) and a body that arrives by import or the API
come out the same. What goes: Word's list bullets and ``<o:p>``, empty paragraphs, runs of
``<br>`` standing for paragraphs, the hard line breaks a PDF viewer puts inside sentences, the
non-breaking spaces used for indenting; styles, fonts, spans and classes go with the allow-list.
Bold, headings, lists, tables and links stay; full-width punctuation and the text's own spacing
are kept as they are.
"""

import html as html_lib
import re
import secrets

import lxml.html
from lxml import etree

# Elements that hold text the way a paragraph does; the allow-list keeps their content only.
_CONTAINERS = frozenset({"body", "div", "section", "article", "center", "main", "header", "footer"})
_BLOCKS = frozenset(
    {
        *_CONTAINERS,
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "blockquote",
        "figure",
        "pre",
        "hr",
        "dl",
        "dt",
        "dd",
    }
)
# Headings the allow-list has no level for take the nearest one it has; bold and italic are
# written as the editor writes them.
_RENAMED = {"h1": "h2", "h5": "h4", "h6": "h4", "b": "strong", "i": "em"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LAYOUT_SPACE = re.compile(r"[ \t\r\n\f]+")
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n][ \t\r\n\f]*(?=[{_CJK}])")
# Where a PDF's line ends a paragraph: a sentence's end, or before a numbered heading.
_SENTENCE_END = re.compile(r"[。！？：]$")
_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])"
)
_HEADING_MAX = 20  # characters: a numbered line this short stands alone
_ORDERED_MARKER = re.compile(r"^\s*(?:[(（]?[0-9一二三四五六七八九十]+[)）.．、]|[a-zA-Z][.)])")


def restructure(html: str) -> str:
    """Blocks from copied HTML: Word lists as lists, containers' loose text and ``<br><br>`` runs
    as paragraphs, a PDF viewer's lines joined into its paragraphs. Inline markup is left for the
    allow-list to keep or drop."""
    html = _CONTROL.sub("", html)  # which no HTML text may hold (nor lxml take)
    if not html.strip():
        return ""
    body = lxml.html.document_fromstring(html).body
    _word_lists(body)
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("title", "meta", "link") or element.tag.endswith(":p"):
            element.drop_tree()  # <o:p>: Word's paragraph mark, holding a space at most
        elif element.tag in ("font", "span"):
            element.drop_tag()  # a <br><br> inside one still separates paragraphs
        elif element.tag in _RENAMED:
            element.tag = _RENAMED[element.tag]
    pdf = body.find(".//*[@role='presentation']") is not None or bool(
        body.xpath(".//*[contains(@class, 'textLayer')]")
    )
    for container in [e for e in body.iter() if e.tag in _CONTAINERS | {"p"}]:
        _paragraphs(container, pdf=pdf)
    _collapse_layout_space(body)
    return _serialized(body)


# libxml2 percent-encodes these attributes when it writes HTML ("java&#9;script:" would become
# the harmless-looking "java%09script:"); they go to the allow-list exactly as they were read.
_URI_ATTRIBUTES = ("href", "src", "action", "name")


def _serialized(body: etree._Element) -> str:
    token = f"digest-uri-{secrets.token_hex(8)}-"
    values: list[str] = []
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        for name in _URI_ATTRIBUTES:
            if name in element.attrib:
                values.append(element.attrib[name])
                element.attrib[name] = f"{token}{len(values) - 1}"
    written = "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
    return re.sub(
        rf"{token}(\d+)", lambda m: html_lib.escape(values[int(m[1])], quote=True), written
    )


def _word_lists(body: etree._Element) -> None:
    """Word and WPS write a list as paragraphs styled ``mso-list`` whose bullet or number is text
    inside ``<![if !supportLists]>``; make each run of them one ``<ol>`` or ``<ul>``."""
    markers: dict[etree._Element, str] = {}
    for comment in body.xpath(".//comment()[contains(., 'supportLists')]"):
        texts = []
        node = comment.getnext()
        while node is not None and not (node.tag is etree.Comment and "endif" in (node.text or "")):
            texts.append(node.text_content() if isinstance(node.tag, str) else "")
            following = node.getnext()
            node.drop_tree()
            node = following
        parent = comment.getparent()
        if parent is not None:
            markers[parent] = "".join(texts)
        if node is not None:
            node.drop_tree()
        comment.drop_tree()
    for paragraph in body.xpath(".//p[contains(@style, 'mso-list')]"):
        previous = paragraph.getprevious()
        ordered = bool(_ORDERED_MARKER.match(markers.get(paragraph, "")))
        tag = "ol" if ordered else "ul"
        if previous is not None and previous.tag == tag and previous.get("data-word-list"):
            target = previous
        else:
            target = etree.Element(tag, {"data-word-list": "1"})
            paragraph.addprevious(target)
        item = etree.SubElement(target, "li")
        item.text = paragraph.text
        item.extend(list(paragraph))
        item.tail = None
        target.tail = paragraph.tail
        paragraph.getparent().remove(paragraph)


def _is_block(node: object) -> bool:
    return isinstance(node, etree._Element) and node.tag in _BLOCKS


def _paragraphs(container: etree._Element, *, pdf: bool) -> None:
    """Split ``container``'s inline content into paragraphs at runs of ``<br>`` (at every
    ``<br>`` a PDF viewer's line does not continue), leaving its blocks where they are."""
    children = list(container)
    if container.tag == "p" and not any(c.tag == "br" for c in children):
        return
    runs: list[list[object]] = [[]]
    if container.text:
        runs[-1].append(container.text)
    for child in children:
        if _is_block(child):
            runs.append([child])
            runs.append([])
        else:
            runs[-1].append(child)
        if child.tail:
            runs[-1].append(child.tail)
            child.tail = None
    container.text = None
    for child in children:
        container.remove(child)
    keep_p = container.tag == "p"
    for run in runs:
        if len(run) == 1 and _is_block(run[0]):
            container.append(run[0])  # type: ignore[arg-type]
            continue
        for lines in _split_at_breaks(run, pdf=pdf):
            paragraph = etree.SubElement(container, "p")
            _fill(paragraph, lines, pdf=pdf)
    if keep_p:
        container.drop_tag()


def _split_at_breaks(run: list[object], *, pdf: bool) -> list[list[list[object]]]:
    """The run as paragraphs, each a list of lines (lists of nodes and strings)."""
    paragraphs: list[list[list[object]]] = [[[]]]
    breaks = 0
    for node in run:
        if isinstance(node, etree._Element) and node.tag == "br":
            breaks += 1
            continue
        if breaks and isinstance(node, str) and not node.strip(" \t\r\n\f"):
            continue  # the source's line wrapping between two <br>
        if breaks:
            line_text = _text(paragraphs[-1][-1])
            if breaks > 1 or (pdf and _ends_paragraph(line_text, _text([node]))):
                paragraphs.append([[]])
            else:
                paragraphs[-1].append([])
            breaks = 0
        paragraphs[-1][-1].append(node)
    return [p for p in paragraphs if _text([n for line in p for n in line]).strip(" \xa0\u3000")]


def _ends_paragraph(line: str, following: str) -> bool:
    line = line.strip()
    heading = bool(_NUMBERED_HEADING.match(line)) and len(line) <= _HEADING_MAX
    return (
        heading
        or bool(_SENTENCE_END.search(line))
        or bool(_NUMBERED_HEADING.match(following.strip()))
    )


def _text(nodes: list[object]) -> str:
    """The text of nodes and strings (a comment has none)."""
    return "".join(
        n if isinstance(n, str) else n.text_content() if isinstance(n.tag, str) else ""  # type: ignore[attr-defined]
        for n in nodes
    )


def _fill(paragraph: etree._Element, lines: list[list[object]], *, pdf: bool) -> None:
    """Put the lines into ``paragraph``: a PDF's lines joined (a space only between Latin
    letters or digits), other single ``<br>`` kept."""
    for index, line in enumerate(lines):
        if index:
            if pdf:
                before = _text(lines[index - 1]).rstrip()
                after = _text(line).lstrip()
                _append_text(paragraph, " " if _latin(before[-1:]) and _latin(after[:1]) else "")
            else:
                etree.SubElement(paragraph, "br")
        for node in line:
            if isinstance(node, str):
                _append_text(paragraph, node.strip("\r\n") if pdf else node)
            else:
                paragraph.append(node)  # type: ignore[arg-type]


def _latin(character: str) -> bool:
    return character.isascii() and character.isalnum()


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _collapse_layout_space(body: etree._Element) -> None:
    """Source line wrapping is not spacing: whitespace between blocks goes, a wrapped line's
    break becomes one space (none between two CJK characters)."""
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        block = _is_block(element)
        if block and element.tail and not element.tail.strip(" \t\r\n\f"):
            element.tail = None
        if block and len(element) and element.text and not element.text.strip(" \t\r\n\f"):
            element.text = None
        for attribute in ("text", "tail"):
            if value := getattr(element, attribute):
                setattr(element, attribute, _LAYOUT_SPACE.sub(" ", _BETWEEN_CJK.sub("", value)))


_EMPTY_BLOCK = re.compile(r"<(p|h[2-4])>(?:\s|&nbsp;|\u3000|<br>)*</\1>")
_EMPTY_MARK = re.compile(r"<(strong|b|em|i|u|s|sub|sup)>((?:\s|&nbsp;)*)</\1>")
_EDGE_SPACE_OPEN = re.compile(r"(<(?:p|h[2-4]|li|td|th)(?: [^>]*)?>)(?: |&nbsp;|\u3000|<br>)+")
_EDGE_SPACE_CLOSE = re.compile(r"(?: |&nbsp;|<br>)+(</(?:p|h[2-4]|li|td|th)>)")
_NBSP_RUN = re.compile(r"(?:&nbsp;){2,}")
_SPAN_OF_ONE = re.compile(r' (?:colspan|rowspan)="1"')
_EMPTY_TITLE = re.compile(r'(<a [^>]*?) title=""')
# The editor's schema puts a list item's and a cell's text in a paragraph; the renderers indent
# paragraphs, so a single one is unwrapped (as Markdown writes them).
_ONLY_PARAGRAPH = re.compile(
    r"(<(li|td|th)(?: [^>]*)?>)<p>((?:(?!</?p>).)*)</p>(?=</\2>|<ul>|<ol[ >])", re.DOTALL
)


def tidy_blocks(html: str) -> str:
    """Allow-listed HTML without empty paragraphs, indenting spaces at the edges of blocks, runs
    of non-breaking spaces, a paragraph wrapped alone in a list item or a cell, a cell's span
    of one, or a link's empty title. Changes nothing in HTML that has none of these."""
    html = _SPAN_OF_ONE.sub("", html)
    html = _EMPTY_TITLE.sub(r"\1", html)
    html = _EMPTY_MARK.sub(r"\2", html)
    html = _ONLY_PARAGRAPH.sub(r"\1\3", html)
    html = _EDGE_SPACE_OPEN.sub(r"\1", html)
    html = _EDGE_SPACE_CLOSE.sub(r"\1", html)
    html = _NBSP_RUN.sub(" ", html)
    previous = None
    while previous != html:
        previous, html = html, _EMPTY_BLOCK.sub("", html)
    return html.strip()
