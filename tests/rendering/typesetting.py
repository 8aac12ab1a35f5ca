"""A proofreader's line-by-line check of a rendered PDF, from the words and their positions.

Kept under tests/ because it judges output through poppler (``pdftotext -bbox-layout``, what a
reader's viewer extracts) rather than the renderer's own boxes: a check that reused the layout
code would share its mistakes. ``faults(path)`` returns one message per fault.
"""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - poppler's own output, not untrusted input
from dataclasses import dataclass
from pathlib import Path

CLOSING = "，。、；：！？）》」』”’】〕"
OPENING = "（《「『“‘【〔"
PUNCTUATION = CLOSING + OPENING + "—…·,.;:!?()%"
NS = "{http://www.w3.org/1999/xhtml}"
TEXT_LEFT, TEXT_RIGHT = 77.1, 518.2  # the text block of an A4 page (print.css), in pt
TEXT_TOP, TEXT_BOTTOM = 70.9, 779.5
BODY_SIZE = 10.5
LINE_HEIGHT_RATIO = 1.437  # poppler's word box height over the font size (Noto CJK)
_HAN = re.compile("[\u3400-\u9fff]")


@dataclass(frozen=True)
class Word:
    x0: float
    x1: float
    text: str


@dataclass(frozen=True)
class Line:
    page: int
    y0: float
    y1: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    @property
    def size(self) -> float:
        return (self.y1 - self.y0) / LINE_HEIGHT_RATIO

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1


def read_lines(path: Path) -> list[list[list[Line]]]:
    """Pages -> blocks -> lines, as poppler groups them."""
    executable = shutil.which("pdftotext") or "pdftotext"
    listing = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [executable, "-bbox-layout", str(path), "-"], check=True, capture_output=True
    ).stdout
    root = ET.fromstring(listing)  # noqa: S314
    pages = []
    for number, page in enumerate(root.iter(f"{NS}page")):
        blocks = []
        for block in page.iter(f"{NS}block"):
            lines = []
            for line in block.iter(f"{NS}line"):
                words = tuple(
                    Word(float(w.get("xMin", 0)), float(w.get("xMax", 0)), w.text or "")
                    for w in line.iter(f"{NS}word")
                )
                if words:
                    lines.append(
                        Line(number, float(line.get("yMin", 0)), float(line.get("yMax", 0)), words)
                    )
            blocks.append(lines)
        pages.append(blocks)
    return pages


def faults(path: Path) -> list[str]:
    """Every fault a proofreader marks on the printed page."""
    pages = read_lines(path)
    found: list[str] = []
    for blocks in pages:
        # The 本期要目 page lists titles in a smaller size: each of its entries is a title too.
        toc = any(line.text.startswith("本期要目") for lines in blocks for line in lines)
        for lines in blocks:
            found.extend(_line_faults(lines, titles=toc))
        found.extend(_page_faults(_body_lines(blocks)))
    found.extend(_empty_before_figures(pages))
    return found


def _where(line: Line) -> str:
    return f"p{line.page + 1} “{line.text[:24]}”"


def _line_faults(lines: list[Line], *, titles: bool = False) -> list[str]:
    found = []
    title = bool(lines) and (titles or lines[0].size > BODY_SIZE + 0.8)
    for i, line in enumerate(lines):
        text = line.text
        if text[0] in CLOSING:
            found.append(f"行首标点：{_where(line)}")
        if text[-1] in OPENING:
            found.append(f"行末开口标点：{_where(line)}")
        if title and i + 1 < len(lines) and _open_book_title(text):
            found.append(f"标题书名号断开：{_where(line)}")
        found.extend(_stretched(line))
    return found


def _page_faults(lines: list[Line]) -> list[str]:
    """Faults between a line and the one above it (poppler may put them in different blocks)."""
    found = []
    for previous, line in zip(lines, lines[1:], strict=False):
        if line.y0 - previous.y1 > line.size:  # not the next line of the same paragraph
            continue
        if re.match(r"[—–\-~～]\d", line.text) and re.search(r"\d$", previous.text):
            found.append(f"数字范围断行：{_where(line)}")
        if _lone(line, previous, title=line.size > BODY_SIZE + 0.8):
            found.append(f"末行孤字：{_where(line)}")
    return found


def _open_book_title(text: str) -> bool:
    return text.rfind("《") > text.rfind("》")


def _lone(line: Line, previous: Line, *, title: bool) -> bool:
    """A last line of one character (one Latin word in a Chinese title) under a longer line."""
    core = line.text.strip(PUNCTUATION)
    if abs(line.size - previous.size) > 0.5 or line.x0 > previous.x0 + 2:
        return False
    if previous.x1 - previous.x0 < 0.6 * (TEXT_RIGHT - TEXT_LEFT):
        return False
    if len(core) == 1 and _HAN.match(core):
        return True
    chinese = bool(_HAN.search(previous.text))
    return title and chinese and bool(re.fullmatch(r"[A-Za-z][A-Za-z.\-']*", core))


def _stretched(line: Line) -> list[str]:
    """Gaps wider than half an em beside a digit: a justified line stretching its spaces."""
    found: list[str] = []
    if line.x1 < TEXT_RIGHT - 2:  # not justified to the measure: gaps are as set
        return found
    for before, after in zip(line.words, line.words[1:], strict=False):
        gap = after.x0 - before.x1
        beside_digit = before.text[-1].isdigit() or after.text[0].isdigit()
        if beside_digit and gap > 0.5 * line.size and gap < 3 * line.size:
            found.append(f"数字旁空隙过宽（{gap:.1f}pt）：{_where(line)}")
    return found


def _empty_before_figures(pages: list[list[list[Line]]]) -> list[str]:
    """A page more than a third empty before a figure moved to the top of the next page."""
    found = []
    for number in range(1, len(pages)):
        body = _body_lines(pages[number])
        previous = _body_lines(pages[number - 1])
        if not body or not previous or not re.match(r"图\s*\d", body[0].text):
            continue
        empty = TEXT_BOTTOM - max(line.y1 for line in previous)  # the caption is the first
        if empty > (TEXT_BOTTOM - TEXT_TOP) / 3:  # text: the figure is on top of the page
            found.append(f"图前留白过多（{empty:.0f}pt）：p{number} → p{number + 1}")
    return found


def _body_lines(blocks: list[list[Line]]) -> list[Line]:
    """The page's lines inside the text block (no running header or folio)."""
    return sorted(
        (line for lines in blocks for line in lines if TEXT_TOP < line.y0 < TEXT_BOTTOM),
        key=lambda line: line.y0,
    )
