"""Issue 13: the print edition passes a proofreader's line-by-line check (tests/rendering/
typesetting.py), and the typography rules hold on their own (editorial/rendering/typography.py)."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from PIL import Image, ImageChops

from editorial.management.commands.generate_issues import PORTRAIT, chart_png, generate_issues
from editorial.rendering.print import FIGURE_HEIGHT_MM, render_issue_pdf
from editorial.rendering.typography import (
    GAP,
    balanced_lines,
    body_html,
    mixed_spacing,
    title_html,
)
from editorial.selectors import issue_edition
from tests import factories
from tests.rendering.conftest import SampleEdition, run_tool
from tests.rendering.typesetting import (
    TEXT_BOTTOM,
    TEXT_LEFT,
    TEXT_RIGHT,
    TEXT_TOP,
    faults,
    read_lines,
)

pytestmark = pytest.mark.django_db

GENERATED = 20
PARAGRAPHS = 4


@pytest.fixture(scope="module")
def generated_faults(
    django_db_setup: None,
    django_db_blocker: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, list[str]]]:
    """PDF file name -> its faults, for issues of every kind of content (rolled back after)."""
    folder = tmp_path_factory.mktemp("generated")
    found: dict[str, list[str]] = {}
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        override_settings(MEDIA_ROOT=str(folder / "media")),
        transaction.atomic(),
    ):
        for issue in generate_issues(GENERATED, seed=1):
            pdf = render_issue_pdf(issue_edition(issue.pk), proof=False)
            path = folder / pdf.filename
            path.write_bytes(pdf.data)
            found[pdf.filename] = faults(path)
        transaction.set_rollback(True)
    yield found


def test_the_sample_has_no_typesetting_fault(sample_edition: SampleEdition) -> None:
    found = faults(sample_edition.path)
    print(f"typesetting faults in the sample: {len(found)}")  # noqa: T201 - the figure reviewed
    assert found == []


def test_generated_issues_have_no_typesetting_fault(
    generated_faults: dict[str, list[str]],
) -> None:
    counts = {name: len(found) for name, found in generated_faults.items()}
    print(f"typesetting faults in {len(counts)} generated issues: {counts}")  # noqa: T201
    assert len(counts) == GENERATED
    assert {name: found for name, found in generated_faults.items() if found} == {}


def test_a_portrait_figure_prints_whole_in_the_text_block(tmp_path: Path) -> None:
    """An 800×1200 chart after half a page of text: no room below the text for 110 mm, so it is
    shrunk to the space left rather than pushed to the next page with the page left empty."""
    paragraph = "<p>" + "一季度，规模以上电子信息制造业增加值同比增长 13%，增速较快。" * 6 + "</p>"
    article = factories.ArticleFactory.create(
        title="电子信息制造业运行情况",
        body=paragraph * PARAGRAPHS + '<figure data-figure="1"></figure>' + paragraph,
    )
    chart = chart_png(random.Random(0), PORTRAIT)  # noqa: S311
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        factories.FigureFactory.create(
            article=article,
            number=1,
            caption="电子信息制造业和工业增加值累计增速",
            image=ContentFile(chart, name="portrait.png"),
        )
        pdf = render_issue_pdf(issue_edition(article.issue_id), proof=False)
    path = tmp_path / "portrait.pdf"
    path.write_bytes(pdf.data)
    assert faults(path) == []  # no page more than a third empty before the figure
    caption = next(
        line
        for blocks in read_lines(path)
        for lines in blocks
        for line in lines
        if line.text.startswith("图1")
    )
    page = str(caption.page + 1)
    run_tool(
        "pdftoppm", "-r", "60", "-png", "-f", page, "-singlefile", str(path), str(tmp_path / "page")
    )
    left, top, right, bottom = _tinted_box(tmp_path / "page.png", 72 / 60)
    assert TEXT_LEFT <= left < right <= TEXT_RIGHT
    assert TEXT_TOP <= top < bottom < caption.y0 < caption.y1 <= TEXT_BOTTOM
    assert (bottom - top) * 25.4 / 72 < FIGURE_HEIGHT_MM  # shrunk to the space left


def _tinted_box(png: Path, scale: float) -> tuple[float, ...]:
    """The box (pt) of the chart's tinted ground on a page picture (chart_png's background)."""
    with Image.open(png) as page:
        bands = page.convert("RGB").split()
    near = [
        band.point(lambda v, value=value: 255 if abs(v - value) <= 4 else 0)
        for band, value in zip(bands, (232, 240, 250), strict=True)
    ]
    box = ImageChops.multiply(ImageChops.multiply(near[0], near[1]), near[2]).getbbox()
    assert box is not None, "the chart is not on the page"
    return tuple(value * scale for value in box)


def test_mixed_spacing_is_one_quarter_em_gap() -> None:
    assert mixed_spacing("增长 13%，总第180期") == f"增长{GAP}13%，总第{GAP}180{GAP}期"
    assert mixed_spacing("Dlapiper 官网") == f"Dlapiper{GAP}官网"
    assert mixed_spacing("https://example.org/a b") == "https://example.org/a b"


def test_a_book_title_that_fits_is_never_split() -> None:
    title = "中国网络安全产业联盟发布《美国对全球网络空间安全与发展的威胁和破坏》"
    lines = ["".join(line) for line in balanced_lines(title, 28)]
    assert lines == ["中国网络安全产业联盟发布", "《美国对全球网络空间安全与发展的威胁和破坏》"]


def test_no_lone_last_character_or_latin_word() -> None:
    titles = ("河北印发工业和信息化领域数字人民币试点工作实施方案二", "大模型发布多模态产品 GPT")
    for title in titles:
        lines = balanced_lines(mixed_spacing(title), 14)
        assert len("".join(lines[-1]).strip()) > 3, lines


def test_title_html_escapes_and_binds() -> None:
    html = title_html("《A&B》发布（2024—2026年）", 40)
    assert html == (
        f'<span class="nobr">《A&amp;B》</span>发布<span class="nobr">（2024—2026{GAP}年）</span>'
    )


def test_body_binds_ranges_and_paragraph_ends() -> None:
    assert body_html("<p>较 1—2 月份提高，事业发展。</p>") == (
        f'<p>较{GAP}<span class="nobr">1—2{GAP}月份</span>提高，'
        '事业<span class="nobr">发展。</span></p>'
    )


def test_no_space_beside_full_width_punctuation() -> None:
    assert mixed_spacing("增长 13% ，较（ 试行 ）") == f"增长{GAP}13%，较（试行）"


def test_a_negative_number_has_a_minus_sign_and_a_range_keeps_its_dash() -> None:
    assert body_html("<td>-12.8%</td><td>2024-2026</td>") == (
        '<td>\u221212.8%</td><td><span class="nobr">2024-2026</span></td>'
    )


def test_a_book_title_wider_than_the_line_is_set_smaller_not_broken() -> None:
    book = "《关于加快推进中小企业数字化转型的若干措施（2024—2026年）》"
    html = title_html(f"工业和信息化部等7部门联合印发{book}", 28)
    assert html.startswith('<span style="font-size: 91%">')
    assert html.split("<br>")[-1].startswith('<span class="nobr">《')
    assert "《" not in html.split("<br>")[0]
