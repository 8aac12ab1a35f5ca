"""One side of the search parity test: what search finds, and what a plain substring match
finds, for each query, in whichever database this process uses. The test runs it in-process on
PostgreSQL and as ``python -m tests.search_sides SEED ISSUES`` on a fresh SQLite database (the
embedded default), which prints the same as JSON."""

import json
import os
import re
import sys
from typing import Any

from django.db.models import Q

ISSUES = 6
SEED = 7
# (query, filters): two-character words, words inside a clause, mixed Chinese and English,
# single characters, several words, filters; the 文号 come from the archive (document_numbers).
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("算力", {}),
    ("数据", {}),
    ("基础", {}),
    ("数谷", {}),
    ("安全", {}),
    ("试点", {}),
    ("授权运营", {}),
    ("协同发展", {}),
    ("公共数据", {}),
    ("典型场景", {}),
    ("示范企业", {}),
    ("收益分配", {}),
    ("应急处置", {}),
    ("数据要素", {}),
    ("人工智能", {}),
    ("量子计算", {}),
    ("AI大模型", {}),
    ("5G网络", {}),
    ("5G", {}),
    ("OECD", {}),
    ("数", {}),
    ("谷", {}),
    ("人工智能 安全", {}),
    ("数谷 区块链", {}),
    ("算力", {"year": 2025}),
    ("算力", {"year": 2024}),
    ("算力", {"section": "guoce"}),
    ("“算力”", {}),
]
HAN_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,5}〔\d{4}〕\d+号")


def document_numbers() -> list[str]:
    """Three 文号 printed in the archive, as printed and as typed with other brackets."""
    from editorial.models import SearchEntry

    found: list[str] = []
    for text in SearchEntry.objects.order_by("article_id").values_list("text", flat=True)[:20]:
        found += [n for n in DOCUMENT_NUMBER.findall(text) if n not in found]
    chosen = found[:3]
    return chosen + [n.replace("〔", "[").replace("〕", "]") for n in chosen[:1]]


def substring_keys(word: str) -> list[str]:
    """The pages of the published articles whose title, 来源, body or notes contain ``word``,
    by plain LIKE."""
    from editorial.documents import article_path
    from editorial.models import Article
    from editorial.workflow import IssueStatus

    rows = Article.objects.filter(issue__status=IssueStatus.PUBLISHED).filter(
        Q(title__contains=word)
        | Q(body__contains=word)
        | Q(source__contains=word)
        | Q(notes__contains=word)
    )
    return sorted(
        article_path(a.issue.publication.slug, a.issue.total_number, a.issue.revision, a.position)
        for a in rows.select_related("issue__publication")
    )


def side() -> dict[str, Any]:
    """For each query: the articles found (all pages, by their page's path, which both
    databases give alike) and, for a Chinese word or a 文号, the articles a substring match
    finds."""
    from editorial.search import MAX_LIMIT, search_articles

    out: dict[str, Any] = {}
    for query, filters in QUERIES + [(n, {}) for n in document_numbers()]:
        found, offset = [], 0
        while True:
            page = search_articles(query, limit=MAX_LIMIT, offset=offset, **filters)
            found += [r.url for r in page.results]
            if page.next_offset is None:
                break
            offset = page.next_offset
        name = json.dumps([query, filters], ensure_ascii=False)
        printed = query.replace("[", "〔").replace("]", "〕")
        kind = (
            "word"
            if HAN_WORD.match(query)
            else "number"
            if DOCUMENT_NUMBER.fullmatch(printed)
            else None
        )
        out[name] = {
            "found": sorted(found),
            "total": page.total,
            "kind": kind,
            "substring": substring_keys(printed) if kind and not filters else None,
        }
    return out


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings.local")
    django.setup()
    from django.core.management import call_command

    from editorial.management.commands.generate_archive import generate_archive

    call_command("migrate", verbosity=0)
    generate_archive(int(sys.argv[2]), int(sys.argv[1]))
    print(json.dumps(side(), ensure_ascii=False))
