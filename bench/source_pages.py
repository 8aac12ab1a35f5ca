"""Benchmark: how many fields of each 采编 draft the editor still corrects, against trafilatura
alone on the same pages, and how long a draft takes.

Standalone and offline: reads the fixture pages (tests/samples/source_pages/: a gov.cn policy
page, a MIIT-style ministry page, a WeChat article) and judges each draft field by field
against what the page says (tests/test_source_pages.py holds the truth): title, 发布日期, 来源,
the body's text, the body's structure (its sequence of paragraphs, headings, lists, tables and
figures), the number of figures and each caption. The baseline is trafilatura by itself
(``extract_metadata`` for title, date and site name, ``extract(output_format="html")`` for the
body, sanitized the same way).

    .venv/bin/python bench/source_pages.py [--runs 20]

Prints ``name = value unit`` lines; target: source_page_corrections_vs_baseline well under 1.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
URL = "https://example.gov.cn"
NAMES = ("gov", "ministry", "wechat")


def _structure(html: str) -> list[str]:
    return re.findall(r"<(p|h[2-4]|ul|ol|table|figure|blockquote)\b", html)


def _judge(
    name: str, title: str, published: object, source: str, body: str, captions: list[str]
) -> list[str]:
    from editorial.richtext import plain_text
    from tests.test_source_pages import FIELDS, expected_body, expected_figures

    truth = FIELDS[name]
    expected = expected_body(name, URL)
    wrong = [
        f
        for f, value in (("title", title), ("published", published), ("source", source))
        if truth[f] != value
    ]
    if plain_text(body) != plain_text(expected):
        wrong.append("body text")
    if _structure(body) != _structure(expected):
        wrong.append("body structure")
    figures = expected_figures(name, URL)
    if len(captions) != len(figures):
        wrong.append("figures")
    for index, figure in enumerate(figures):
        # A figure the page does not caption needs one from the editor either way.
        if not figure.caption or index >= len(captions) or captions[index] != figure.caption:
            wrong.append(f"图 {figure.number} 图题")
    return wrong


def _ours(name: str, page: bytes) -> list[str]:
    from editorial.source_pages import page_draft

    draft = page_draft(page, url=f"{URL}/p/{name}")
    captions = [figure.caption for figure in draft.figures]
    return _judge(name, draft.title, draft.published, draft.source, draft.body, captions)


def _trafilatura(name: str, page: bytes) -> list[str]:
    import datetime

    import trafilatura

    from editorial.richtext import sanitize_html

    url = f"{URL}/p/{name}"
    html = page.decode("utf-8")
    metadata = trafilatura.extract_metadata(html, default_url=url)
    body = (
        trafilatura.extract(
            html,
            url=url,
            output_format="html",
            include_formatting=True,
            include_tables=True,
            include_images=True,
            include_links=True,
            include_comments=False,
        )
        or ""
    )
    published = datetime.date.fromisoformat(metadata.date) if metadata and metadata.date else None
    images = re.findall(r"<img\b", body)
    return _judge(
        name,
        (metadata.title if metadata else "") or "",
        published,
        (metadata.sitename if metadata else "") or "",
        sanitize_html(body),
        ["" for _ in images],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="drafts timed per page")
    args = parser.parse_args()
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings.local")
    import django

    django.setup()
    from tests.integrations.page_server import PAGES

    pages = {name: (PAGES / f"{name}.html").read_bytes() for name in NAMES}
    ours_total = baseline_total = 0
    for name, page in pages.items():
        ours, baseline = _ours(name, page), _trafilatura(name, page)
        ours_total += len(ours)
        baseline_total += len(baseline)
        print(f"# {name}: {'、'.join(ours) or '—'}; trafilatura alone: {'、'.join(baseline)}")
        print(f"source_page_corrections_{name} = {len(ours)} fields")
        print(f"source_page_corrections_trafilatura_alone_{name} = {len(baseline)} fields")
    print(f"source_page_corrections_total = {ours_total} fields")
    print(f"source_page_corrections_trafilatura_alone_total = {baseline_total} fields")
    print(f"source_page_corrections_vs_baseline = {ours_total / max(baseline_total, 1):.2f}")
    from editorial.source_pages import page_draft

    times = []
    for _ in range(args.runs):
        for name, page in pages.items():
            start = time.perf_counter()
            page_draft(page, url=f"{URL}/p/{name}")
            times.append(time.perf_counter() - start)
    print(f"source_page_draft_median = {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
