"""The print edition of the real sample issue, checked in the PDF itself.

Text comes from poppler (``pdftotext -layout``), structure and metadata from pypdf, fonts from
``pdffonts``, QR codes from ``pdftoppm`` + ``zbarimg``: what a reader, a printer and a phone see.
"""

import io
import re
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from tests.rendering.conftest import SampleEdition, run_tool

# The PDFs are rendered once per session (conftest); the mark makes pytest-django set up the test
# database that the session fixture imports the sample into.
pytestmark = pytest.mark.django_db

CLOSING_PUNCTUATION = "，。、；：！？）》」』”’】〕"


def squash(text: str) -> str:
    """Text without any whitespace: lines of a wrapped title or URL join up again."""
    return re.sub(r"\s+", "", text)


def first_article_page(edition: SampleEdition) -> int:
    """Index of the first page after 本期要目 (cover, colophon and TOC carry no number)."""
    return toc_page(edition) + 1


def toc_page(edition: SampleEdition) -> int:
    return next(i for i, text in enumerate(edition.pages) if "本期要目" in squash(text))


def footer_number(text: str) -> int:
    """The page number printed in the footer: the last non-empty line of the page."""
    last = [line.strip() for line in text.splitlines() if line.strip()][-1]
    assert re.fullmatch(r"\d{2,3}", last), last
    return int(last)


def title_page(edition: SampleEdition, title: str) -> int:
    """Index of the article page where ``title`` is printed."""
    start = first_article_page(edition)
    return next(
        i
        for i, text in enumerate(edition.pages[start:], start=start)
        if squash(title) in squash(text)
    )


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) for every bookmark, depth first."""
    entries: list[tuple[int, str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                page = reader.get_destination_page_number(item)
                assert page is not None, item.title
                entries.append((level, str(item.title), page))

    walk(reader.outline, 1)
    return entries


def test_toc_numbers_are_the_pages_the_titles_are_on(sample_edition: SampleEdition) -> None:
    toc = squash(sample_edition.pages[toc_page(sample_edition)])
    for article in sample_edition.articles:
        match = re.search(r"(\d{2,3})" + re.escape(squash(article.title)), toc)
        assert match, f"{article.title} is not in 本期要目"
        printed = footer_number(sample_edition.pages[title_page(sample_edition, article.title)])
        assert int(match[1]) == printed, article.title
        assert sample_edition.pdf.article_pages[article.pk] == printed
    # Numbering starts at the first article page, two digits as in the printed issue.
    first = first_article_page(sample_edition)
    assert footer_number(sample_edition.pages[first]) == 1
    assert sample_edition.pages[first].splitlines()[-1].strip() == "01"


def test_sections_in_the_toc_in_order(sample_edition: SampleEdition) -> None:
    toc = squash(sample_edition.pages[toc_page(sample_edition)])
    positions = [toc.index(section) for section in sample_edition.sections]
    assert sample_edition.sections == ["国策要论", "地方新政", "产业前沿", "数谷动态"]
    assert positions == sorted(positions)


def test_every_title_source_line_and_link_is_printed(sample_edition: SampleEdition) -> None:
    start = first_article_page(sample_edition)
    text = squash("".join(sample_edition.pages[start:]))
    linked = 0
    for article in sample_edition.articles:
        assert squash(article.title) in text, article.title
        if article.source:
            assert squash(f"（来源：{article.source}）") in text, article.title
        if article.original_url:
            linked += 1
            assert "原文链接：" + article.original_url in text, article.original_url
    assert linked == 10
    assert text.count("（来源：") == 15  # article 13 (软件业) has no source, as in the sample


def test_every_qr_code_decodes_to_its_link(sample_edition: SampleEdition, tmp_path: Path) -> None:
    """Pages rasterised at 150 dpi as a phone camera would see them; grey PGM rather than PNG
    only because it is five times faster to write, and zbar reads both."""
    run_tool("pdftoppm", "-r", "150", "-gray", str(sample_edition.path), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) == sample_edition.pdf.page_count
    # zbarimg exits non-zero on pages without a code; what it printed is what counts.
    decoded = run_tool("zbarimg", "--raw", "-q", *map(str, pages), check=False).split()
    wechat = run_tool("zbarimg", "--raw", "-q", str(sample_edition.wechat_qr)).split()
    links = [a.original_url for a in sample_edition.articles if a.original_url]
    assert sorted(decoded) == sorted(links + wechat)


def test_fonts_are_embedded(sample_edition: SampleEdition) -> None:
    listing = run_tool("pdffonts", str(sample_edition.path)).splitlines()[2:]
    assert listing
    for line in listing:
        name, emb = line.split()[0], line.split()[-5]
        assert emb == "yes", line
        assert re.fullmatch(r"[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC(-Bold)?", name), line
    families = {line.split()[0].split("+")[1] for line in listing}
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= families


def test_outline_has_each_section_with_its_articles(sample_edition: SampleEdition) -> None:
    reader = PdfReader(io.BytesIO(sample_edition.pdf.data))
    entries = outline(reader)
    assert [title for level, title, _ in entries if level == 1] == [
        "版权页",
        "本期要目",
        *sample_edition.sections,
        "主编简介",
    ]
    by_section: dict[str, list[str]] = {}
    section = ""
    for level, title, page in entries:
        if level == 1:
            section = title
        else:
            assert level == 2
            by_section.setdefault(section, []).append(title)
            assert page == title_page(sample_edition, title), title
    assert by_section == {
        name: [a.title for a in sample_edition.articles if a.section == name]
        for name in sample_edition.sections
    }


def test_metadata(sample_edition: SampleEdition) -> None:
    reader = PdfReader(io.BytesIO(sample_edition.pdf.data))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "大数据发展动态 2024年第16期（总第179期）"
    assert meta.author == sample_edition.chief_editor == "贵阳智能大数据战略研究院"
    assert meta.subject == "国家发展改革委办公厅 国家数据局综合司印发 《数字经济2024年工作要点》"
    assert meta["/Keywords"] == "国策要论, 地方新政, 产业前沿, 数谷动态"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20240506"
    assert reader.root_object["/Lang"] == "zh-CN"
    assert sample_edition.pdf.filename == "dsjfzdt-2024-16-179.pdf"
    assert sample_edition.proof.filename == "dsjfzdt-2024-16-179-proof.pdf"


def test_cover(sample_edition: SampleEdition) -> None:
    lines = [squash(line) for line in sample_edition.pages[0].splitlines() if line.strip()]
    text = "".join(lines)
    for printed in (
        "为数字创新领导者提供更新、更重要、更有用的决策参考信息",
        "大数据发展动态",
        "以战略视角解读数字中国",
        "2024年5月6日",
        "第16期总第179期",
    ):
        assert printed in text, printed
    assert text.index("为数字创新") < text.index("大数据发展动态") < text.index("以战略视角")
    # The headline keeps its stored line break: each line is a line of its own.
    headline = sample_edition.cover_headline.split("\n")
    assert [squash(line) for line in headline] == [
        "国家发展改革委办公厅国家数据局综合司印发",
        "《数字经济2024年工作要点》",
    ]
    assert all(squash(line) in lines for line in headline)


def test_colophon(sample_edition: SampleEdition) -> None:
    text = squash(sample_edition.pages[1])
    in_order = [
        "大数据发展动态",
        "2024年5月6日",
        "第16期总第179期",
        "指导单位贵阳市大数据发展管理局贵安新区大数据和科技创新局",
        "主编贵阳智能大数据战略研究院",
        "联合主编贵州省大数据发展促进会",
        "学术支持大数据战略重点实验室贵州领新咨询有限公司",
        "编委会宋希贤程茹杨婷熊灵犀陈贝杨洲钟新敏莫星星",
        "总编辑宋希贤",
        "副总编辑程茹",
        "执行编辑杨婷",
        "责任编辑熊灵犀陈贝杨洲钟新敏莫星星",
        "美术编辑杨婷莫星星",
        "咨询电话0851-86798090(传真)",
        "邮箱GIDI2018@163.com",
        "编辑地址贵阳市观山湖区长岭南路160号高科一号",
        "新媒体",
        "关注公众号可订阅本刊",
        squash("声明: 本信息产品为内部交流学习资料, 选编内容及图片来自网络公开信息"),
    ]
    positions = [text.find(part) for part in in_order]
    assert -1 not in positions, [p for p, at in zip(in_order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    assert "传真" not in text.replace("(传真)", "")  # same number: no separate 传真 line


def test_figures_are_numbered_with_captions(sample_edition: SampleEdition) -> None:
    text = squash("".join(sample_edition.pages))
    for caption in (
        "图1电子信息制造业和工业增加值累计增速",
        "图7副省级中心城市软件业务收入增长情况",
        "图6" + squash("2024 年一季度收入居前 5 名省市互联网业务收入增长情况"),
    ):
        assert caption in text
    reader = PdfReader(io.BytesIO(sample_edition.pdf.data))
    images = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"])
        for ref in cast(DictionaryObject, resources.get("/XObject", {})).values():
            if ref.get_object()["/Subtype"] == "/Image":
                images.add(ref.idnum)
    assert len(images) == 18 + 2 + 1  # figures, two logos, the WeChat QR — each embedded once


def test_profiles(sample_edition: SampleEdition) -> None:
    closing = squash("".join(sample_edition.pages[-2:]))
    assert "主编简介" in closing
    for printed in (
        "贵阳智能大数据战略研究院",
        squash("Guiyang Artificial Intelligence and Big Data Strategy Institute, GIDI"),
        "贵州省大数据发展促进会",
        squash("GuiZhou Big Data Development Promotion Association, GZBDDPA"),
    ):
        assert printed in closing, printed


def test_running_header_and_footer_only_on_numbered_pages(
    sample_edition: SampleEdition,
) -> None:
    start = first_article_page(sample_edition)
    running = "大数据发展动态第16期总第179期"
    for index, text in enumerate(sample_edition.pages):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if index < start:  # cover, colophon, 本期要目
            assert squash(lines[0]) != running, index
            assert not re.fullmatch(r"\d{2,3}", lines[-1]), index
        else:
            assert squash(lines[0]) == running, index
            assert footer_number(text) == index - start + 1


def test_no_line_starts_with_closing_punctuation(sample_edition: SampleEdition) -> None:
    offenders = [
        line.strip()
        for text in sample_edition.pages
        for line in text.splitlines()
        if line.strip() and line.strip()[0] in CLOSING_PUNCTUATION
    ]
    assert offenders == []


def test_proof_has_the_watermark_on_every_page(sample_edition: SampleEdition) -> None:
    """pypdf reads the rotated mark in drawing order (poppler's layout splits it by glyph)."""
    proof = PdfReader(io.BytesIO(sample_edition.proof.data))
    final = PdfReader(io.BytesIO(sample_edition.pdf.data))
    assert len(proof.pages) == len(final.pages) == sample_edition.pdf.page_count
    assert all("样稿" in page.extract_text() for page in proof.pages)
    assert not any("样稿" in page.extract_text() for page in final.pages)
    assert sample_edition.proof.proof and not sample_edition.pdf.proof


def test_same_content_gives_the_same_bytes(sample_edition: SampleEdition) -> None:
    assert sample_edition.again.data == sample_edition.pdf.data
    assert sample_edition.again.sha256 == sample_edition.pdf.sha256
    reader = PdfReader(io.BytesIO(sample_edition.pdf.data))
    identifier = cast(ArrayObject, reader.trailer["/ID"])
    assert identifier[0] == identifier[1]  # derived from the content, not random


def test_page_count(sample_edition: SampleEdition) -> None:
    """Pinned so that a layout change that moves pages shows up in review."""
    assert sample_edition.pdf.page_count == len(sample_edition.pages) == 28  # with 参考链接
