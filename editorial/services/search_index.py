"""The search index (``SearchEntry``), kept by publication: an issue's articles are indexed from
the Edition it ships when it is published, and its predecessor's leave the index when a correction
supersedes it, so that search finds only what readers can read (editorial/search.py). Each
write gives the index a new generation, which makes every cached page of results stale
(editorial/search_cache.py)."""

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from editorial.editions import Edition
from editorial.models import Issue, SearchEntry, SearchGeneration
from editorial.search import search_documents
from editorial.selectors import issue_edition
from editorial.workflow import IssueStatus


def search_entries(issue: Issue, edition: Edition) -> list[SearchEntry]:
    """Unsaved index rows for ``edition``, the Edition ``issue`` ships (articles it names that no
    longer exist are left out)."""
    return [
        SearchEntry(
            article_id=document.article_id,
            issue_id=issue.pk,
            publication_id=issue.publication_id,
            date=edition.date,
            position=document.position,
            section_slug=document.section_slug,
            section_name=document.section_name,
            title=document.title,
            text=document.text,
            title_tokens=document.title_tokens,
            tokens=document.tokens,
        )
        for document in search_documents(edition)
    ]


def search_index_publish(*, issue: Issue, edition: Edition) -> int:
    """Index a just-published issue from the Edition it ships, and take the issue it corrects
    out of the index; in the publishing transaction. Running it again changes nothing."""
    existing = set(issue.articles.values_list("pk", flat=True))
    SearchEntry.objects.filter(issue_id__in=[issue.pk, issue.corrects_id]).delete()
    entries = [e for e in search_entries(issue, edition) if e.article_id in existing]
    SearchEntry.objects.bulk_create(entries)
    search_generation_bump()
    return len(entries)


@transaction.atomic
def search_index_rebuild(*, progress: Callable[[Iterable[int]], Any] = iter) -> int:
    """The whole index again from the Editions of the published issues (after the tokenizer or
    its dictionary changed, or for issues published before search existed); all or nothing."""
    SearchEntry.objects.all().delete()
    search_generation_bump()  # changed even if no issue is published any more
    ids = Issue.objects.filter(status=IssueStatus.PUBLISHED).values_list("pk", flat=True)
    indexed = 0
    for issue_id in progress(list(ids)):
        issue = Issue.objects.get(pk=issue_id)
        indexed += search_index_publish(issue=issue, edition=issue_edition(issue_id))
    return indexed


def search_generation_bump() -> None:
    """A new generation of the index, in the transaction that writes it: every page of results
    cached before is stale once it commits (and stays valid if it rolls back)."""
    SearchGeneration.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})
