"""Rebuild the search index from the Editions of the published issues."""

from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from editorial.services.search_index import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index (搜索索引) from the Edition of every published issue, in one "
        "transaction: after the tokenizer or its dictionary (editorial/search_terms.txt) changed, "
        "or for issues published before search existed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(items: Iterable[int]) -> Iterable[int]:
            return tqdm(items, desc="重建索引", unit="期", file=self.stderr)

        indexed = search_index_rebuild(progress=progress)
        self.stdout.write(f"已重建搜索索引：{indexed} 篇文章。")
