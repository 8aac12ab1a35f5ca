"""Benchmark: search in Chinese on the generated archive, against ``icontains`` (the admin's old
search) over the same queries in the same run, and its recall.

Runs on PostgreSQL (``--database-url``, default $DATABASE_URL): if the database has no generated
archive, it is migrated and ``generate_archive --years N`` fills it (≈ 8,300 articles for 10
years, two minutes here); an existing one is reused whatever its size. Each query of QUERIES and
three 文号 found in the archive is searched ``--runs`` times (the first result page of 20, as
the site asks for it) and the same with ``icontains`` over title, body and 来源 (the count and
the first 20 rows, as the admin's changelist asks).

    .venv/bin/python bench/search.py [--years 10] [--runs 5] [--database-url postgres://…]

Prints ``name = value unit`` lines: search_p50, search_p95, icontains_p50, icontains_p95,
search_vs_baseline (search p95 / icontains p95), search_recall (of all the articles a substring
match finds for the Chinese words, the share search finds) and the archive's size. Targets:
search_p95 <= 100 ms with search_recall = 1. Wall-clock figures suffer when other processes
share the cores.
"""

import argparse
import functools
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
QUERIES = [
    "算力",
    "数据",
    "数据要素",
    "人工智能",
    "大模型",
    "数谷",
    "基础",
    "安全",
    "试点",
    "授权运营",
    "协同发展",
    "典型场景",
    "示范企业",
    "收益分配",
    "应急处置",
    "量子计算",
    "卫星互联网",
    "区块链",
    "AI大模型",
    "5G网络",
    "5G",
    "OECD",
    "数",
    "人工智能 安全",
    "推动公共数据授权运营",
]
HAN_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,5}〔\d{4}〕\d+号")


def _setup(database_url: str, years: int) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "digest.settings.local"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    from editorial.management.commands.generate_archive import PUBLICATION
    from editorial.models import Publication

    call_command("migrate", verbosity=0, interactive=False)
    if not Publication.objects.filter(slug=PUBLICATION["slug"]).exists():
        call_command("generate_archive", "--years", str(years))


def _timed(run: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="archive to generate if none")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/digest_bench"),
    )
    args = parser.parse_args()
    _setup(args.database_url, args.years)

    from django.db import connection
    from django.db.models import Q

    from editorial.models import Article, SearchEntry
    from editorial.search import search_articles, search_matches
    from editorial.workflow import IssueStatus

    texts = SearchEntry.objects.order_by("article_id").values_list("text", flat=True)[:50]
    numbers = list(dict.fromkeys(n for t in texts for n in DOCUMENT_NUMBER.findall(t)))[:3]
    queries = QUERIES + numbers
    published = Article.objects.filter(issue__status=IssueStatus.PUBLISHED)

    def icontains(query: str) -> None:
        rows = published.filter(
            Q(title__icontains=query) | Q(body__icontains=query) | Q(source__icontains=query)
        ).order_by("issue", "position", "id")
        rows.count()
        list(rows.values_list("pk", "title")[:20])

    search_articles("预热")  # jieba's dictionary loads once per process
    searched, baseline = [], []
    for query in queries:
        searched += _timed(functools.partial(search_articles, query, limit=20), args.runs)
        baseline += _timed(functools.partial(icontains, query), args.runs)

    wanted = found = 0
    for query in [q for q in queries if HAN_WORD.match(q)]:
        matches = search_matches(query)
        assert matches is not None
        with connection.cursor() as cursor:
            cursor.execute(*matches)
            ids = {row[0] for row in cursor.fetchall()}
        substring = set(
            published.filter(
                Q(title__contains=query)
                | Q(body__contains=query)
                | Q(source__contains=query)
                | Q(notes__contains=query)
            ).values_list("pk", flat=True)
        )
        wanted += len(substring)
        found += len(substring & ids)

    print(f"search_archive_articles = {SearchEntry.objects.count()} articles")
    print(f"search_queries = {len(queries)} queries")
    print(f"search_p50 = {statistics.median(searched):.1f} ms")
    print(f"search_p95 = {_p95(searched):.1f} ms")
    print(f"icontains_p50 = {statistics.median(baseline):.1f} ms")
    print(f"icontains_p95 = {_p95(baseline):.1f} ms")
    print(f"search_vs_baseline = {_p95(searched) / _p95(baseline):.3f}")
    print(f"search_recall = {found / wanted if wanted else 0:.3f} ({found}/{wanted} articles)")


if __name__ == "__main__":
    main()
