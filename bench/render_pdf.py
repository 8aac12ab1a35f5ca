"""Benchmark: the print edition of the sample issue, against bare WeasyPrint on the same HTML.

Standalone: imports samples/digest-2024-16 into a throwaway SQLite database and media folder in a
temporary directory, then renders the issue ``--runs`` times with ``render_issue_pdf`` and, in the
same process and interleaved, lays out the same pre-rendered HTML with WeasyPrint alone (same URL
fetcher and font configuration). The pipeline's overhead is the ratio of the two medians.

    .venv/bin/python bench/render_pdf.py [--runs 5] [--proof] [--out sample.pdf]

Prints ``name = value unit`` lines. Targets (2-core machine): render_pdf_median <= 2 s,
render_pdf_vs_baseline <= 1.1, peak_rss <= 300 MB. Wall-clock figures suffer when other processes
share the cores; the ``*_cpu_median`` lines show the CPU time the renders themselves took.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SAMPLE = BASE_DIR / "samples" / "digest-2024-16"


def _setup(workdir: Path) -> None:
    """Point Django at a database and media folder of our own, create the tables."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "digest.settings.local"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed renders of each kind")
    parser.add_argument("--proof", action="store_true", help="render with the 样稿 watermark")
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        _setup(Path(tmp))
        from weasyprint import HTML

        from editorial.rendering.fonts import font_config
        from editorial.rendering.print import prepare_edition, render_issue_pdf
        from editorial.selectors import issue_edition
        from editorial.services.bundles import issue_import

        issue = issue_edition(issue_import(actor=None, source=SAMPLE).pk)

        started = time.perf_counter()
        rendered = render_issue_pdf(issue, proof=args.proof)  # cold: fonts, templates, QR codes
        first = time.perf_counter() - started
        if args.out:
            args.out.write_bytes(rendered.data)

        edition = prepare_edition(issue, proof=args.proof)
        pipeline: list[float] = []
        bare: list[float] = []
        pipeline_cpu: list[float] = []
        bare_cpu: list[float] = []
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            render_issue_pdf(issue, proof=args.proof)
            pipeline.append(time.perf_counter() - started)
            pipeline_cpu.append(time.process_time() - cpu)

            started, cpu = time.perf_counter(), time.process_time()
            HTML(
                string=edition.html, base_url=edition.base_url, url_fetcher=edition.url_fetcher
            ).write_pdf(font_config=font_config())
            bare.append(time.perf_counter() - started)
            bare_cpu.append(time.process_time() - cpu)

    median = statistics.median(pipeline)
    bare_median = statistics.median(bare)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"render_pdf_first = {first:.3f} s")
    print(f"render_pdf_median = {median:.3f} s")
    print(f"pages = {rendered.page_count} pages")
    print(f"pages_per_second = {rendered.page_count / median:.1f} pages/s")
    print(f"pdf_size = {len(rendered.data) / 1024:.0f} KiB")
    print(f"peak_rss = {peak_rss_mb:.0f} MB")
    print(f"weasyprint_bare_median = {bare_median:.3f} s")
    print(f"render_pdf_vs_baseline = {median / bare_median:.2f}")
    # CPU time is what the render costs when other processes share the cores.
    print(f"render_pdf_cpu_median = {statistics.median(pipeline_cpu):.3f} s")
    print(f"weasyprint_bare_cpu_median = {statistics.median(bare_cpu):.3f} s")


if __name__ == "__main__":
    main()
