"""Pages of search results kept in Django's cache until the index changes.

The index changes only when an issue is published or corrected (``services/search_index.py``),
and everything in it is public, so a page of results — for the query's terms, the filters, the
limit and the offset — and the filters' choices are the same for every reader until then. They
are cached under the index's generation (``SearchGeneration``: a new token in the transaction
that writes the index), so a publication makes every cached page stale at once, in every process,
the moment it commits. The generation is read before the results: a page computed while a
publication commits is at worst newer than its key, never older.

    search = SearchCache.now()  # one query: the generation
    search.articles("算力", year=2024, limit=20, offset=0) -> SearchPage
    search.facets() -> SearchFacets
    search.html([...], render) -> bytes  # the site's whole page of results
"""

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache

from editorial.models import SearchGeneration
from editorial.search import (
    SearchFacets,
    SearchPage,
    SearchResult,
    Term,
    parse_query,
    search_articles,
    search_facets,
)

# A page stays at most this long: a bound on memory, not on staleness (the generation is that).
TIMEOUT = 60 * 60
# What is pickled: a change of these classes' fields is a new key, not an old object misread.
_PICKLED = (SearchPage, SearchResult, Term, SearchFacets)
FORMAT = hashlib.sha256(
    repr([[f.name for f in dataclasses.fields(c)] for c in _PICKLED]).encode()
).hexdigest()[:8]

Cached = TypeVar("Cached")


@dataclass(frozen=True)
class SearchCache:
    """The cache of the index as it is now: one query for its generation, then the pages."""

    generation: str | None  # None: a database emptied since it was migrated, its index too

    @classmethod
    def now(cls) -> "SearchCache":
        token = SearchGeneration.objects.values_list("token", flat=True).first()
        return cls(token.hex if token else None)

    def articles(
        self,
        query: str,
        *,
        year: int | None = None,
        section: str | None = None,
        publication: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """``search_articles``, from the cache when the same terms were asked for with the same
        filters and page since the index last changed; the page shows ``query`` as typed."""
        terms = [term.text for term in parse_query(query)]
        page = self._get(
            "page",
            [terms, year, section, publication, limit, offset],
            lambda: search_articles(
                query,
                year=year,
                section=section,
                publication=publication,
                limit=limit,
                offset=offset,
            ),
        )
        return dataclasses.replace(page, query=query)

    def html(self, parts: list[object], render: Callable[[], bytes]) -> bytes:
        """A whole page of results as ``render`` makes it, under ``parts`` (what it shows: the
        query as typed, the filters, the page, the site's version)."""
        return self._get("html", parts, render)

    def facets(self) -> SearchFacets:
        """The index's years and sections, for the filters."""
        return self._get("facets", [], search_facets)

    def _get(self, what: str, parts: object, compute: Callable[[], Cached]) -> Cached:
        if self.generation is None:
            return compute()
        digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
        key = f"search:{FORMAT}:{self.generation}:{what}:{digest}"
        found: Cached | None = cache.get(key)
        if found is None:
            found = compute()
            cache.set(key, found, TIMEOUT)
        return found
