"""Chinese typesetting rules as pure functions over text and sanitized HTML (no layout engine).

WeasyPrint has no ``text-wrap: balance`` and breaks Chinese titles wherever UAX #14 allows, so
the rules a proofreader checks are made explicit in the HTML instead:

* ``mixed_spacing``: between Chinese and Latin letters or digits a fixed quarter-em gap (U+2005,
  which WeasyPrint's justification does not stretch, unlike the source's U+0020), and no space
  beside full-width punctuation (a line would break there) — used by the print edition, the
  WeChat articles and the web archive alike;
* ``title_html``: a heading broken into balanced lines (explicit ``<br>``), never inside a book
  title, a quotation, a number or a year range, no line starting with closing punctuation or
  ending with opening punctuation, no last line of one character (or one Latin word); a book
  title wider than the line is set smaller rather than broken;
* ``body_html``: number ranges kept on one line, a minus sign (U+2212) for a hyphen before a
  number that is not a range, and the last characters of every paragraph bound together, so that
  no paragraph ends with a line of a single character.
"""

import html as html_lib
import math
import re
import string
from collections.abc import Callable

GAP = "\u2005"  # FOUR-PER-EM SPACE: a quarter em, never stretched by justification
NOBR = '<span class="nobr">{}</span>'
MINUS = "\u2212"
# The smallest a heading is set to make its widest unbreakable run fit the line (15pt -> 12pt).
MIN_TITLE_SCALE = 0.8

# The Han characters (the unified ideographs, extension A, the compatibility ideographs), most
# used first, as ranges for the character tests and as a regular expression's class.
_HAN_RANGES = (("\u4e00", "\u9fff"), ("\u3400", "\u4dbf"), ("\uf900", "\ufaff"))
_HAN = "".join(f"{first}-{last}" for first, last in _HAN_RANGES)
_LATIN = "A-Za-z0-9"
CLOSING = "，。、；：！？）》」』”’】〕,.;:!?)%"
OPENING = "（《「『“‘【〔("
_TAG = re.compile(r"(<[^>]*>)")
_SPACES = f" \u00a0{GAP}"
# A run of Latin letters, digits, "%" and spaces: where Chinese can meet Latin, and where a
# typed space can sit beside full-width punctuation, which carries its own space (a line would
# start with "，" or end with "（" there).
_RUN = re.compile(f"([{_SPACES}{_LATIN}%]+)")
_LATIN_CHARS = frozenset(string.ascii_letters + string.digits)  # _LATIN's
_SPACE_BEFORE = frozenset("，。、；：！？）》」』”】〕")
_SPACE_AFTER = frozenset("（《「『“【〔")
# A hyphen before a number, not after a digit or letter: a negative number (-12.8%), not a range.
_NEGATIVE = re.compile("(?<![0-9A-Za-z.%])-(?=\\d)")
# 1—2月份, 2024-2026年, 3～5 月: a range printed as one unit.
_RANGE = re.compile(
    f"\\d[\\d.]*%?{GAP}?[—–\\-~～至]{GAP}?\\d[\\d.]*(?:%|{GAP}?[年月日](?:份|度)?)?"
)
# A Latin word or a number with its unit (2024年) and trailing space; bracketed runs on top.
_WORD = f"[{_LATIN}][{_LATIN}.,%·:/&+'\\-—–~～]*(?:{GAP}?[年月日号](?:份|度)?)?[ {GAP}]?"
_BRACKETED = "《[^《》]*》|“[^“”]*”|（[^（）]*）|\\([^()]*\\)"
_ATOM = re.compile(f"{_BRACKETED}|{_WORD}|.", re.DOTALL)
_SMALL_ATOM = re.compile(f"{_WORD}|.", re.DOTALL)
# Elements whose last line must not be a lone character.
_PARAGRAPH_END = re.compile(r"</(?:p|li)>")
_TAIL = 3  # characters bound at a paragraph's end: two and the closing mark


(_H1, _H2), (_H3, _H4), (_H5, _H6) = _HAN_RANGES  # unrolled below: a test per Latin run's side


def _han(char: str) -> bool:
    return _H1 <= char <= _H2 or _H3 <= char <= _H4 or _H5 <= char <= _H6


def mixed_spacing(text: str) -> str:
    """``text`` with exactly one quarter-em gap wherever Chinese meets a Latin letter or digit
    (after a "%" too), and no space beside full-width punctuation.

    Each run of Latin, digits and spaces is looked at with the characters on either side of it
    (one regular expression finds the runs; the rest is string tests): a policy text has a run
    every 15 characters, and four substitutions over the whole text cost twice as much."""
    parts = _RUN.split(text)  # odd indices: the runs; even: the text between them
    for i in range(1, len(parts), 2):
        run = parts[i]
        before, after = parts[i - 1][-1:], parts[i + 1][:1]
        core = run.strip(_SPACES)
        if not core:  # spaces only: kept, except beside full-width punctuation
            if after in _SPACE_BEFORE or before in _SPACE_AFTER:
                parts[i] = ""
            continue
        lead = run[: run.index(core[0])]
        trail = run[len(lead) + len(core) :]
        if before in _SPACE_AFTER:
            lead = ""
        elif before and core[0] in _LATIN_CHARS and _han(before):
            lead = GAP
        if after in _SPACE_BEFORE:
            trail = ""
        elif after and _han(after):
            trail = GAP
        parts[i] = lead + core + trail
    return "".join(parts)


def map_text(html: str, function: Callable[[str], str]) -> str:
    """Apply ``function`` to the text between tags only (attributes stay as they are)."""
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = function(parts[i])
    return "".join(parts)


def mixed_spacing_html(html: str) -> str:
    """``mixed_spacing`` on the text of sanitized HTML."""
    return map_text(html, mixed_spacing)


# Body text --------------------------------------------------------------------------------------


def body_html(html: str) -> str:
    """Sanitized HTML with mixed spacing, unbreakable number ranges and bound paragraph ends."""
    parts = _TAG.split(mixed_spacing_html(html))
    for i in range(0, len(parts), 2):
        ends_paragraph = i + 1 < len(parts) and bool(_PARAGRAPH_END.fullmatch(parts[i + 1]))
        parts[i] = _bind(html_lib.unescape(parts[i]), tail=ends_paragraph)
    return "".join(parts)


def _bind(text: str, *, tail: bool) -> str:
    """Escaped ``text`` with its number ranges (and its last characters) in no-break spans."""
    text = _NEGATIVE.sub(MINUS, text)
    spans = [[m.start(), m.end()] for m in _RANGE.finditer(text)]
    if tail:
        end = len(text.rstrip())
        start = end - _TAIL
        if start > 0:
            for span in spans:  # never cut a range: take it whole
                if span[0] < start < span[1]:
                    start = span[0]
            spans = [s for s in spans if s[1] <= start] + [[start, end]]
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(html_lib.escape(text[position:start], quote=False))
        out.append(NOBR.format(html_lib.escape(text[start:end], quote=False)))
        position = end
    out.append(html_lib.escape(text[position:], quote=False))
    return "".join(out)


# Titles -----------------------------------------------------------------------------------------


def _width(text: str) -> float:
    """Estimated advance in em: CJK characters one em, Latin about half, the gap a quarter."""
    total = 0.0
    for char in text:
        if char == GAP:
            total += 0.25
        elif char == " ":
            total += 0.3
        elif ord(char) < 0x2000:
            total += 0.55
        else:
            total += 1.0
    return total


def _atoms(text: str, pattern: re.Pattern[str] = _ATOM) -> list[str]:
    """Units no line break may split; punctuation stays with its neighbour."""
    atoms: list[str] = []
    pending_open = ""
    for atom in pattern.findall(text):
        if atom in OPENING:
            pending_open += atom
        elif atoms and not pending_open and (atom[0] in CLOSING or atom in (GAP, " ")):
            atoms[-1] += atom
        else:
            atoms.append(pending_open + atom)
            pending_open = ""
    if pending_open:
        atoms.append(pending_open)
    return atoms


def _lone(atom: str, *, chinese: bool) -> bool:
    """A last line a proofreader faults: one character, or one Latin word in a Chinese title."""
    core = atom.strip(CLOSING + OPENING + f" {GAP}")
    if len(core) <= 1:
        return True
    return chinese and bool(re.fullmatch(f"[{_LATIN}.,'\\-]+", core))


def balanced_lines(text: str, max_em: float) -> list[list[str]]:
    """The title's atoms in lines of about equal width, each at most ``max_em`` wide."""
    atoms: list[str] = []
    for atom in _atoms(text):
        atoms.extend([atom] if _width(atom) <= max_em else _atoms(atom, _SMALL_ATOM))
    widths = [_width(atom) for atom in atoms]
    total = sum(widths)
    if total <= max_em or len(atoms) < 2:
        return [atoms]
    chinese = bool(re.search(f"[{_HAN}]", text))
    best: list[list[str]] | None = None
    for count in range(math.ceil(total / max_em), len(atoms) + 1):
        best = _split(atoms, widths, count, max_em, chinese=chinese)
        if best is not None:
            break
    return best or [atoms]


def _split(
    atoms: list[str], widths: list[float], count: int, max_em: float, *, chinese: bool
) -> list[list[str]] | None:
    """``count`` lines minimising the squared deviation from the mean width (dynamic program)."""
    n = len(atoms)
    target = sum(widths) / count
    prefix = [0.0]
    for width in widths:
        prefix.append(prefix[-1] + width)

    def line_width(i: int, j: int) -> float:
        return prefix[j] - prefix[i] - (0.3 if atoms[j - 1].endswith((" ", GAP)) else 0.0)

    inf = float("inf")
    # cost[k][j]: best cost of the first j atoms in k lines; back[k][j]: where line k starts.
    cost = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                if cost[k - 1][i] == inf:
                    continue
                width = line_width(i, j)
                if width > max_em:
                    continue
                if j - i == 1 and _lone(atoms[i], chinese=chinese):
                    continue
                value = cost[k - 1][i] + (target - width) ** 2
                if value < cost[k][j]:
                    cost[k][j], back[k][j] = value, i
    if cost[count][n] == inf:
        return None
    lines: list[list[str]] = []
    j = n
    for k in range(count, 0, -1):
        i = back[k][j]
        lines.append(atoms[i:j])
        j = i
    return lines[::-1]


def title_scale(text: str, max_em: float) -> float:
    """How much smaller (at most to ``MIN_TITLE_SCALE``) a heading is set so that its widest
    unbreakable run, a long book title, fits one line."""
    widest = max((_width(atom) for atom in _atoms(text)), default=0.0)
    if widest <= max_em:
        return 1.0
    return max(MIN_TITLE_SCALE, math.floor(100 * max_em / widest) / 100)


def title_html(text: str, max_em: float) -> str:
    """An escaped heading in balanced lines joined by ``<br>``, its atoms in no-break spans."""
    text = mixed_spacing(" ".join(text.split()))
    scale = title_scale(text, max_em)
    html = "<br>".join(
        "".join(
            NOBR.format(html_lib.escape(atom)) if len(atom) > 1 else html_lib.escape(atom)
            for atom in _strip_end(line)
        )
        for line in balanced_lines(text, max_em / scale)
    )
    return html if scale == 1 else f'<span style="font-size: {scale:.0%}">{html}</span>'


def _strip_end(line: list[str]) -> list[str]:
    """The line without the space that ended its last atom (a line break replaces it)."""
    if line and line[-1].endswith((" ", GAP)):
        return [*line[:-1], line[-1].rstrip(f" {GAP}")]
    return line
