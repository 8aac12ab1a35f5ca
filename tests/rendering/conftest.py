"""The sample issue's real print edition, rendered once per test session.

Rendering takes about a second per edition, so the PDF checks share one set: the sample bundle is
imported inside a transaction that is rolled back afterwards (the database is as it was), into a
media folder of its own, and the PDFs, their text per page (poppler's ``pdftotext -layout``) and
what the issue says they must contain are kept as plain values.
"""

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from editorial.rendering.print import RenderedPdf, render_issue_pdf
from editorial.selectors import issue_edition
from tests.workflow_helpers import SAMPLE, sample_issue


@dataclass(frozen=True)
class PrintedArticle:
    pk: int
    title: str
    section: str
    source: str
    original_url: str


@dataclass(frozen=True)
class SampleEdition:
    pdf: RenderedPdf
    proof: RenderedPdf
    again: RenderedPdf  # a second render, of the issue loaded afresh
    path: Path
    proof_path: Path
    pages: list[str]  # pdftotext -layout, one string per page
    articles: list[PrintedArticle]
    sections: list[str]
    chief_editor: str
    cover_headline: str
    wechat_qr: Path


def run_tool(*args: str, check: bool = True) -> str:
    """Run a poppler or zbar command (fixed arguments, no shell) and return what it printed."""
    executable = shutil.which(args[0])
    if executable is None:
        raise RuntimeError(f"{args[0]} is not installed (Debian: poppler-utils, zbar-tools)")
    result = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
        [executable, *args[1:]], check=check, capture_output=True, text=True, encoding="utf-8"
    )
    return result.stdout


def page_texts(path: Path) -> list[str]:
    """The text of every page, laid out as printed (columns kept apart)."""
    pages = run_tool("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="session")
def sample_edition(
    django_db_setup: None,
    django_db_blocker: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SampleEdition]:
    folder = tmp_path_factory.mktemp("print")
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        override_settings(MEDIA_ROOT=str(folder / "media")),
        transaction.atomic(),
    ):
        issue_id = sample_issue().pk
        edition = issue_edition(issue_id)
        pdf = render_issue_pdf(edition, proof=False)
        proof = render_issue_pdf(edition, proof=True)
        again = render_issue_pdf(issue_edition(issue_id), proof=False)
        articles = [
            PrintedArticle(a.id or 0, a.title, a.section.name, a.source, a.original_url)
            for a in edition.articles
        ]
        chief_editor = edition.organisations_in("chief_editor")[0].name
        cover_headline = edition.cover_headline
        transaction.set_rollback(True)
    path = folder / pdf.filename
    path.write_bytes(pdf.data)
    proof_path = folder / proof.filename
    proof_path.write_bytes(proof.data)
    yield SampleEdition(
        pdf=pdf,
        proof=proof,
        again=again,
        path=path,
        proof_path=proof_path,
        pages=page_texts(path),
        articles=articles,
        sections=list(dict.fromkeys(a.section for a in articles)),
        chief_editor=chief_editor,
        cover_headline=cover_headline,
        wechat_qr=SAMPLE / "images" / "wechat-qr.png",
    )
