"""Search of published articles in Chinese: one interface over the database's full-text index.

Chinese has no spaces, so text is segmented with jieba before any database sees it
(docs/decisions/0020-search-in-chinese.md). An article is indexed with every dictionary word
that occurs anywhere in it (jieba's full mode), every Han character on its own, each run of
Latin letters or digits, and each 文号 (``国办发〔2024〕15号``) as one token. A query is cut the
way an editor reads it (jieba's precise mode); a query word that jieba knows is then always among
the tokens of every text that contains it, and a character it does not know is there too — so
whatever a plain substring match finds for a Chinese word, search finds. A query word that jieba
can only split into single characters must also occur as typed (``exact``), or 数谷 would match
any article with both 数 and 谷 somewhere.

    search_articles("算力", year=2024, section="guoce", limit=20, offset=0) -> SearchPage
    search_matches("算力") -> (SQL, params) selecting the ids of the articles found, unranked
    article_search_filter("算力") -> Q, the admin's changelist: the index, and drafts by text

Both backends read the same ``SearchEntry`` rows (``services/search_index.py`` writes them on
publication): PostgreSQL through a tsvector column with a GIN index, SQLite (the embedded
default) through an FTS5 table (migration 0013). They find the same articles, ranked by how well
the title matches (``ts_rank`` of the title's own small vector, FTS5's ``bm25`` on the title
column), then newest first: ranking by the body's vector would read every match's whole vector,
~90 ms at 8,000 matches on PostgreSQL (docs/decisions/0020).
"""

import datetime
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jieba
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from editorial.documents import article_path
from editorial.editions import Edition, EditionArticle
from editorial.models import SearchEntry
from editorial.richtext import plain_text

USER_DICTIONARY = Path(__file__).with_name("search_terms.txt")
MAX_QUERY = 100  # characters of a query that count
MAX_TERMS = 8
MAX_LIMIT = 50
SNIPPET = 120  # characters of text around the first match
SNIPPET_BEFORE = 30

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_HAN}]+|[a-z0-9]+")
# Full-width Latin letters and digits as editors sometimes type them (ＡＩ, ５Ｇ).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
# 文号: an issuer's code, the year in brackets of any kind, a number and 号. The issuer's code is
# indexed as words; the year and number become one token, so that 〔2024〕15号 is not 2024 and 15.
_DOCUMENT_NUMBER = re.compile(
    r"[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(\d{1,4})\s*号"
)


def _document_number_token(match: re.Match[str]) -> str:
    return f"wh{match.group(1)}n{int(match.group(2))}"


def canonical(text: str) -> str:
    """Full-width Latin letters and digits as ASCII, every 文号 as 〔2024〕15号: what is stored
    and what is matched."""
    folded = text.translate(_FULL_WIDTH)
    return _DOCUMENT_NUMBER.sub(lambda m: f"〔{m.group(1)}〕{int(m.group(2))}号", folded)


@cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba with the digest's words (search_terms.txt), loaded once per process."""
    jieba.setLogLevel(60)  # jieba logs its dictionary loading at INFO on the root logger's level
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(USER_DICTIONARY))
    return tokenizer


def tokenizer_load() -> None:
    """Load jieba's dictionary now rather than in a reader's first search (a second of work):
    the web server calls it as each worker starts (``digest/wsgi.py``)."""
    _tokenizer().initialize()


def index_tokens(text: str) -> str:
    """The tokens of ``text`` for the full-text index, space-separated: every 文号, every word
    jieba knows anywhere in it (overlapping), each Han character once, each Latin or digit run."""
    text = canonical(text)
    tokens = [_document_number_token(m) for m in _DOCUMENT_NUMBER.finditer(text)]
    characters: dict[str, None] = {}
    for run in _RUN.finditer(text.lower()):
        word = run.group()
        if word[0].isascii():
            tokens.append(word)
            continue
        tokens.extend(w for w in _tokenizer().cut(word, cut_all=True) if len(w) > 1)
        characters.update(dict.fromkeys(word))
    return " ".join([*tokens, *characters])


@dataclass(frozen=True)
class Term:
    """One space-separated part of a query."""

    text: str  # as typed, canonical
    tokens: tuple[str, ...]  # all must be in the article
    exact: bool  # a 文号, or jieba split a Chinese part into characters: it must occur as typed

    @property
    def marks(self) -> tuple[str, ...]:
        """What the snippet highlights for this term."""
        if self.exact:
            return (self.text,)
        words = tuple(t for t in self.tokens if not t.startswith("wh") or not t[2:3].isdigit())
        return (self.text, *words)


def parse_query(query: str) -> tuple[Term, ...]:
    """The terms of a query, each cut the way jieba reads a phrase (precise mode, no guessing
    of unknown words, so that only dictionary words and single characters come out)."""
    terms = []
    for part in canonical(query[:MAX_QUERY]).split()[:MAX_TERMS]:
        tokens = [_document_number_token(m) for m in _DOCUMENT_NUMBER.finditer(part)]
        exact = bool(tokens)  # a 文号 is the whole number, issuer's code included
        for run in _RUN.finditer(_DOCUMENT_NUMBER.sub(" ", part).lower()):
            word = run.group()
            if word[0].isascii():
                tokens.append(word)
                continue
            words = list(_tokenizer().cut(word, HMM=False))
            exact = exact or (len(word) > 1 and any(len(w) == 1 for w in words))
            tokens.extend(words)
        if tokens:
            terms.append(Term(text=part, tokens=tuple(dict.fromkeys(tokens)), exact=exact))
    return tuple(terms)


# What is indexed, from the Edition -------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """What the index holds for one article: its text and tokens, from the Edition."""

    article_id: int
    position: int
    section_slug: str
    section_name: str
    title: str
    text: str
    title_tokens: str
    tokens: str


def search_documents(edition: Edition) -> list[SearchDocument]:
    """The index's documents for an issue's Edition: title, 来源, body and notes as shown."""
    return [
        _document(article, position)
        for position, article in enumerate(edition.articles, start=1)
        if article.id is not None
    ]


def _document(article: EditionArticle, position: int) -> SearchDocument:
    parts = [plain_text(article.body), plain_text(article.notes), article.source]
    text = canonical("\n".join(p for p in parts if p))
    title = canonical(article.title)
    assert article.id is not None  # noqa: S101 - filtered by the caller
    return SearchDocument(
        article_id=article.id,
        position=position,
        section_slug=article.section.slug,
        section_name=article.section.name,
        title=title,
        text=text,
        title_tokens=index_tokens(title),
        tokens=index_tokens(text),
    )


# The backends ----------------------------------------------------------------------------------

TABLE = SearchEntry._meta.db_table
FTS_TABLE = f"{TABLE}_fts"  # SQLite's FTS5 table (migration 0013)


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    section: str | None = None  # a section's slug
    publication: str | None = None  # a publication's slug


def _where(terms: Sequence[Term], filters: Filters) -> tuple[list[str], list[Any]]:
    """The conditions both backends share: the filters and the exact terms."""
    where: list[str] = []
    params: list[Any] = []
    if filters.year is not None:
        where.append("e.date >= %s AND e.date < %s")
        params += [datetime.date(filters.year, 1, 1), datetime.date(filters.year + 1, 1, 1)]
    if filters.section:
        where.append("e.section_slug = %s")
        params.append(filters.section)
    if filters.publication:
        where.append("e.publication_id IN (SELECT id FROM editorial_publication WHERE slug = %s)")
        params.append(filters.publication)
    for term in terms:
        if term.exact:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term.text.upper()) + "%"
            # Upper-casing every candidate's body costs more than matching it (17 against 7 ms
            # for 900 bodies on PostgreSQL): a term without cased letters is matched as it is.
            cased = term.text.upper() != term.text.lower()
            title, text = ("UPPER(e.title)", "UPPER(e.text)") if cased else ("e.title", "e.text")
            where.append(f"({title} LIKE %s ESCAPE '\\' OR {text} LIKE %s ESCAPE '\\')")
            params += [pattern, pattern]
    return where, params


def _tokens(terms: Sequence[Term]) -> list[str]:
    return list(dict.fromkeys(t for term in terms for t in term.tokens))


def _postgresql(terms: Sequence[Term], filters: Filters) -> tuple[str, list[Any], str]:
    """FROM … WHERE … on PostgreSQL and the rank expression: the GIN-indexed tsvector."""
    where, params = _where(terms, filters)
    sql = (
        f"FROM {TABLE} e, plainto_tsquery('simple', %s) q "  # noqa: S608 - constant names
        f"WHERE e.vector @@ q" + "".join(f" AND {w}" for w in where)
    )
    return sql, [" ".join(_tokens(terms)), *params], "ts_rank(e.title_vector, q)"


def _sqlite(terms: Sequence[Term], filters: Filters) -> tuple[str, list[Any], str]:
    """FROM … WHERE … on SQLite and the rank expression: the FTS5 table."""
    where, params = _where(terms, filters)
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in _tokens(terms))
    # bm25() is only defined in the query that matches; that query must stay a query of its own.
    sql = (
        f"FROM (SELECT rowid AS article_id, -bm25({FTS_TABLE}, 1.0, 0.0) AS score "  # noqa: S608
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) m "
        f"JOIN {TABLE} e ON e.article_id = m.article_id WHERE 1 = 1"
        + "".join(f" AND {w}" for w in where)
    )
    return sql, [match, *params], "m.score"


def _backend(terms: Sequence[Term], filters: Filters) -> tuple[str, list[Any], str]:
    if connection.vendor == "postgresql":
        return _postgresql(terms, filters)
    if connection.vendor == "sqlite":
        return _sqlite(terms, filters)
    raise NotImplementedError(f"search has no backend for {connection.vendor}")


def search_matches(query: str, filters: Filters = Filters()) -> tuple[str, list[Any]] | None:
    """``SELECT article_id …`` of every published article the query finds (unranked), for a
    subquery; ``None`` for a query with nothing to search for."""
    terms = parse_query(query)
    if not terms:
        return None
    sql, params, _rank = _backend(terms, filters)
    return f"SELECT e.article_id {sql}", params


def article_search_filter(query: str) -> Q:
    """The admin's article search: published articles through the index, and the articles it
    does not hold — the issues still in the works and superseded revisions, a few dozen rows —
    by their text, word by word."""
    found = search_matches(query)
    if found is None:
        return Q(pk__in=[])
    unindexed = Q(search_entry__isnull=True)
    for word in query.split()[:MAX_TERMS]:
        unindexed &= Q(title__icontains=word) | Q(body__icontains=word) | Q(source__icontains=word)
    return Q(pk__in=RawSQL(*found)) | unindexed  # noqa: S611 - parameters bound


# Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    """One article found, as published: plain values, so that a page of them can be cached."""

    article_id: int
    title: str
    section_slug: str
    section_name: str
    date: datetime.date
    issue_id: int
    issue_label: str  # 第16期 总第179期
    publication_slug: str
    publication_name: str
    url: str  # where readers read the article: its page on the reading site
    rank: float
    title_html: SafeString  # escaped, the matches in <mark>
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchPage:
    query: str
    terms: tuple[Term, ...]
    total: int
    results: list[SearchResult]
    limit: int
    offset: int

    @property
    def last(self) -> int:
        """The position of the page's last result among all (1-based; ``offset`` when none)."""
        return self.offset + len(self.results)

    @property
    def next_offset(self) -> int | None:
        return self.last if self.last < self.total else None


def search_articles(
    query: str,
    *,
    year: int | None = None,
    section: str | None = None,
    publication: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Published articles that contain every term of ``query``, best first (a match in the
    title weighs more), newest first among equals: two queries whatever the archive's size."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    terms = parse_query(query)
    if not terms:
        return SearchPage(query=query, terms=terms, total=0, results=[], limit=limit, offset=offset)
    sql, params, rank = _backend(
        terms, Filters(year=year, section=section, publication=publication)
    )
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # A scan of the table reads every row's whole vector out of TOAST, which the planner
            # does not count: 70 ms at 8,000 rows where the GIN index takes 10 ms, however many
            # rows match. This transaction's plan only.
            cursor.execute("SET LOCAL enable_seqscan = off")
        # The rank is computed below the count: COUNT(*) OVER () keeps every match's row, and
        # rows still holding the title's vector spill to disk (13 against 6 ms for 8,000 matches
        # on PostgreSQL, where OFFSET 0 keeps the planner from merging the two).
        cursor.execute(
            "SELECT article_id, rank, COUNT(*) OVER () FROM "  # noqa: S608 - constant names
            f"(SELECT e.article_id, e.date, e.position, {rank} AS rank {sql}"
            f"{' OFFSET 0' if postgresql else ''}) m "
            "ORDER BY rank DESC, date DESC, position, article_id LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        if rows or not offset:
            total = rows[0][2] if rows else 0
        else:  # past the last page: the window had no row to count on
            cursor.execute(f"SELECT COUNT(*) {sql}", params)  # noqa: S608
            total = cursor.fetchone()[0]
    entries = (
        SearchEntry.objects.select_related("issue__publication")
        .defer("title_tokens", "tokens")
        .in_bulk([row[0] for row in rows])
    )
    marks = [mark for term in terms for mark in term.marks]
    results = [
        _result(entries[article_id], float(score), marks)
        for article_id, score, _total in rows
        if article_id in entries
    ]
    return SearchPage(
        query=query, terms=terms, total=total, results=results, limit=limit, offset=offset
    )


def _result(entry: SearchEntry, rank: float, marks: Sequence[str]) -> SearchResult:
    issue = entry.issue
    return SearchResult(
        article_id=entry.article_id,
        title=entry.title,
        section_slug=entry.section_slug,
        section_name=entry.section_name,
        date=entry.date,
        issue_id=issue.pk,
        issue_label=issue.label,
        publication_slug=issue.publication.slug,
        publication_name=issue.publication.name,
        url=article_path(
            issue.publication.slug, issue.total_number, issue.revision, entry.position
        ),
        rank=rank,
        title_html=highlight(entry.title, marks),
        snippet_html=snippet(entry.text, marks),
    )


@dataclass(frozen=True)
class SearchFacets:
    """What the index can be filtered by: its years, newest first, and its sections."""

    years: list[int]
    sections: list[tuple[str, str]]  # (slug, name), by slug


def search_facets() -> SearchFacets:
    years = SearchEntry.objects.dates("date", "year", order="DESC")
    sections = (
        SearchEntry.objects.order_by("section_slug")
        .values_list("section_slug", "section_name")
        .distinct()
    )
    return SearchFacets(years=[d.year for d in years], sections=list(dict(sections).items()))


def _marks_pattern(marks: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({m for m in marks if m}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None


def highlight(text: str, marks: Iterable[str]) -> SafeString:
    """``text`` escaped, every mark in ``<mark>``."""
    pattern = _marks_pattern(marks)
    if pattern is None:
        return escape(text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


def snippet(text: str, marks: Sequence[str]) -> SafeString:
    """About SNIPPET characters of ``text`` around the first match of the first mark found (a
    term as typed comes before its words), highlighted."""
    first = next(
        (m for m in map(_marks_pattern, ([m] for m in marks)) if m and m.search(text)), None
    )
    found = first.search(text) if first else None
    start = max(0, found.start() - SNIPPET_BEFORE) if found else 0
    window = " ".join(text[start : start + SNIPPET].split())
    if start > 0:  # begin with a word, not the end of the sentence before
        window = window.lstrip("，。；：、！？）」』” ")
    lead = "…" if start > 0 else ""
    tail = "…" if start + SNIPPET < len(text) else ""
    return mark_safe(escape(lead) + highlight(window, marks) + escape(tail))  # noqa: S308


def unescaped(fragment: str) -> str:
    """A highlighted fragment as text (the API's plain form)."""
    return html.unescape(re.sub(r"</?mark>", "", fragment))
