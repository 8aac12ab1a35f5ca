"""Benchmark: the reading site, the API and search as readers meet them, against a static file.

On PostgreSQL: makes an archive (``manage.py generate_archive --years N`` when the project has
it; otherwise ``generate_issues`` with every issue but the last published as publishing keeps it),
builds the site's stored documents (``build_site``, what publication does), starts gunicorn with
2 workers and persistent database connections on a free port of 127.0.0.1 with the production
settings, and runs wrk, bounded in time, at 20 connections against each endpoint of ``TARGETS``
and against the ceiling: WhiteNoise serving a static file of the same size as the issue page.
Article save is measured in-process through the service layer (time and queries). The search
targets rotate over ``bench/search.py``'s queries (a wrk ``request`` function); before their run
the index's generation is bumped, so each query is first answered uncached: that first answer of
each query is printed as ``<name>_cold_p50`` / ``_cold_p95``, the run itself mostly hits the
results cache, as readers repeating common searches do. wrk asks
for ``Accept-Encoding: gzip`` as every browser and feed reader does, on the ceiling as on every
endpoint: WhiteNoise answers the ceiling from its compressed copy, the site its stored documents
compressed, the views uncompressed.

    .venv/bin/python bench/serve.py [--years 10] [--duration 10] [--reuse] [--only issue_page,feed]
        [--database-url postgres://postgres@127.0.0.1:5432/digest_bench]

Prints ``name = value unit`` lines: for each endpoint ``<name>_rps``, ``<name>_p50``,
``<name>_p95``, ``<name>_p99`` and ``<name>_vs_baseline`` (its req/s over that of the ceiling
run just before it; ``ceiling_*`` is the median ceiling run), and ``<name>_target = met|missed``.
An endpoint that does not answer 200 is reported ``<name> = skipped (HTTP <status>)``. Compare
ratios, not absolute figures, across runs: the machine is shared.
"""

import argparse
import gzip
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import QUERIES as SEARCH_QUERIES  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/digest_bench"
# wrk's Lua hooks: latency percentiles (µs) and the non-2xx count, on one parseable line.
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
end
"""
# A wrk script's ``request`` function that asks for each of ``paths`` in turn.
WRK_ROTATE = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Target:
    """One endpoint: how to find its path in the archive, and what it must reach on this
    machine (req/s as a share of the ceiling; latency in ms at the percentile named)."""

    name: str
    path: Callable[["Archive"], str]
    min_vs_baseline: float | None = None
    max_latency_ms: float | None = None
    percentile: int = 99
    queries: tuple[str, ...] = ()  # rotated over, each appended to the path (quoted)


@dataclass(frozen=True)
class Archive:
    slug: str
    total: int
    issue_id: int
    article_number: int

    @property
    def issue(self) -> str:
        return f"/archive/{self.slug}/{self.total}/"


# The lead extends this table: one row per endpoint (paths of endpoints other branches own are
# those their URLs give; a missing one is reported and skipped).
TARGETS: tuple[Target, ...] = (
    Target("issue_page", lambda a: a.issue, 0.7, 20),
    Target("article_page", lambda a: f"{a.issue}{a.article_number}/", 0.7, 20),
    Target("archive_page", lambda a: "/archive/", 0.7, 20),
    Target("feed", lambda a: f"/feeds/{a.slug}/atom.xml", 0.7, 20),
    Target("issue_detail_api", lambda a: f"/api/v1/issues/{a.issue_id}/", 0.12, 100),
    # A query string is not a stored document: the view renders the Edition on every request.
    Target(
        "issue_detail_api_uncached",
        lambda a: f"/api/v1/issues/{a.issue_id}/?format=html",
        0.12,
        100,
    ),
    Target("article_list_api", lambda a: "/api/v1/articles/", None, 100),
    Target(
        "search_site",
        lambda a: "/archive/search/?q=",
        None,
        100,
        percentile=95,
        queries=tuple(SEARCH_QUERIES),
    ),
    Target(
        "search_api",
        lambda a: "/api/v1/search/?q=",
        None,
        100,
        percentile=95,
        queries=tuple(SEARCH_QUERIES),
    ),
)
SAVE_TARGET_MS, SAVE_TARGET_QUERIES = 50.0, 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def setup_environment(database_url: str, static_root: Path, port: int) -> dict[str, str]:
    """The production settings on this machine, without HTTPS (wrk speaks plain HTTP)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "digest.settings.production",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bench-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        # wrk is one client: the anonymous rate limit would answer it 429 within a second.
        "DIGEST_API_ANON_RATE": "100000000/min",
        "DIGEST_SITE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
    }
    os.environ.update(env)
    return env


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def make_archive(years: int) -> None:
    """The archive to serve: ``generate_archive`` when there is one, else generated issues
    published as publishing keeps them (status and approved Edition)."""
    from django.core.management import call_command, get_commands

    if "generate_archive" in get_commands():
        call_command("generate_archive", years=years)
        return
    print(f"# generate_archive missing: generate_issues --count {years * 52}", file=sys.stderr)
    from django.utils import timezone

    from editorial.editions import edition_to_data
    from editorial.models import ApprovedEdition, Issue
    from editorial.selectors import issue_live_edition
    from editorial.workflow import IssueStatus

    call_command("generate_issues", count=years * 52)
    now = timezone.now()
    for issue in Issue.objects.filter(status=IssueStatus.DRAFT).order_by("date"):
        edition = issue_live_edition(issue.pk)
        ApprovedEdition.objects.create(
            issue=issue,
            fingerprint=edition.fingerprint,
            data=edition_to_data(edition),
            approved_at=now,
        )
        Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED, published_at=now)


def archive_facts() -> Archive:
    from editorial.models import Issue
    from editorial.workflow import IssueStatus

    latest = (
        Issue.objects.filter(status=IssueStatus.PUBLISHED)
        .select_related("publication")
        .order_by("-date", "-pk")
        .first()
    )
    if latest is None:
        raise SystemExit("no published issue to serve")
    count = latest.articles.count()
    return Archive(latest.publication.slug, latest.total_number, latest.pk, max(1, count // 2))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def wrk(url: str, *, duration: int, connections: int, script: Path) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - our own command line
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "-H",
            "Accept-Encoding: gzip",
            "--timeout",
            "5s",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, micros, p50, p95, p99, errors = (int(v) for v in line.split()[1:])
    return {
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": errors,
    }


def measure_save(runs: int = 30) -> tuple[float, int]:
    """Median milliseconds and queries of ``article_save`` on an article of a draft issue."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from editorial.management.commands.generate_issues import generate_issues
    from editorial.models import Article
    from editorial.services.articles import article_save

    actor, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    from editorial.models import Issue
    from editorial.workflow import IssueStatus

    issue = Issue.objects.filter(status=IssueStatus.DRAFT).first() or generate_issues(1, seed=99)[0]
    article = Article.objects.filter(issue=issue).order_by("position").first()
    assert article is not None
    times, queries = [], []
    for n in range(runs):
        article = Article.objects.get(pk=article.pk)
        article.title = f"基准测试保存第{n}次"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            article_save(actor=actor, article=article, base_version=article.lock_version)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    return statistics.median(times), int(statistics.median(queries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="years of weekly issues")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per endpoint")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--reuse", action="store_true", help="serve the archive already in the database"
    )
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help="measure these endpoints of TARGETS only (and the ceiling, and article save)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make debs installs it)")

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="digest-serve-") as tmp:
        static_root = Path(tmp) / "static"
        env = setup_environment(args.database_url, static_root, port)
        ensure_database(args.database_url)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        from editorial.models import Issue

        call_command("migrate", verbosity=0, interactive=False)
        if not (args.reuse and Issue.objects.exists()):
            make_archive(args.years)
        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name them
        call_command("build_site")
        archive = archive_facts()
        from django.db import connection

        from editorial.selectors import published_document

        stored = published_document(archive.issue)
        if stored is None:
            raise SystemExit("the issue page was not stored")
        # The ceiling: the same server answering a static file of the issue page's bytes
        # (WhiteNoise indexes the static files when it starts, so it is written before).
        (static_root / "ceiling.html").write_bytes(bytes(stored[1]))
        (static_root / "ceiling.html.gz").write_bytes(gzip.compress(bytes(stored[1]), mtime=0))
        print(f"# {Issue.objects.count()} issues; issue page {len(stored[1])} bytes")

        connection.close()
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "digest.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
        )
        try:
            run(args, archive, f"http://127.0.0.1:{port}", Path(tmp))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def run(args: Any, archive: Archive, base: str, tmp: Path) -> None:
    for _ in range(100):
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    if fetch(f"{base}/static/ceiling.html")[0] != 200:
        raise SystemExit("the ceiling file is not served")
    script = tmp / "report.lua"
    script.write_text(WRK_REPORT)
    print(f"# wrk {args.duration} s at {args.connections} connections per endpoint")

    def load(path: str, lua: Path = script) -> dict[str, float]:
        return wrk(base + path, duration=args.duration, connections=args.connections, script=lua)

    # The machine is shared: each endpoint is compared with a ceiling run just before it.
    ceilings: list[dict[str, float]] = []
    only = set(args.only.split(",")) if args.only else None
    if only and only - {t.name for t in TARGETS}:
        raise SystemExit(f"no such endpoint: {', '.join(sorted(only - {t.name for t in TARGETS}))}")
    for target in TARGETS:
        if only and target.name not in only:
            continue
        paths = [target.path(archive) + quote(q) for q in target.queries] or [target.path(archive)]
        if target.queries:
            from editorial.services.search_index import search_generation_bump

            search_generation_bump()  # every cached page of results is stale: a cold start
            cold = []
            for path in paths:
                started = time.perf_counter()
                status = fetch(base + path)[0]
                cold.append((time.perf_counter() - started) * 1000)
            cold.sort()
            print(f"{target.name}_cold_p50 = {statistics.median(cold):.2f} ms")
            print(f"{target.name}_cold_p95 = {cold[int(len(cold) * 0.95)]:.2f} ms")
        status = fetch(base + paths[0])[0]
        if status != 200:
            print(f"{target.name} = skipped (HTTP {status} at {paths[0]})")
            continue
        lua = script
        if target.queries:
            lua = tmp / f"{target.name}.lua"
            lua.write_text(WRK_ROTATE % ", ".join(f'"{p}"' for p in paths) + WRK_REPORT)
        ceilings.append(load("/static/ceiling.html"))
        report(target.name, load(paths[0], lua), ceilings[-1], target)
    if ceilings:
        report("ceiling", sorted(ceilings, key=lambda c: c["rps"])[len(ceilings) // 2], None, None)
    save_ms, save_queries = measure_save()
    print(f"article_save_median = {save_ms:.1f} ms")
    print(f"article_save_queries = {save_queries} queries")
    met = save_ms <= SAVE_TARGET_MS and save_queries <= SAVE_TARGET_QUERIES
    print(f"article_save_target = {'met' if met else 'missed'}")


def report(
    name: str, figures: dict[str, float], ceiling: dict[str, float] | None, target: Target | None
) -> None:
    print(f"{name}_rps = {figures['rps']:.0f} req/s")
    for key in ("p50", "p95", "p99"):
        print(f"{name}_{key} = {figures[key]:.2f} ms")
    if figures["errors"]:
        print(f"{name}_errors = {figures['errors']:.0f} responses")
    if ceiling is None or target is None:
        return
    ratio = figures["rps"] / ceiling["rps"]
    print(f"{name}_vs_baseline = {ratio:.2f}")
    met = (target.min_vs_baseline is None or ratio >= target.min_vs_baseline) and (
        target.max_latency_ms is None or figures[f"p{target.percentile}"] <= target.max_latency_ms
    )
    print(f"{name}_target = {'met' if met else 'missed'}")


if __name__ == "__main__":
    main()
