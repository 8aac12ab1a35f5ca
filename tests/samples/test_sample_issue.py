"""The committed sample bundle holds the whole real issue: checked against its source text."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from editorial.models import Article, Figure, Issue, Organisation
from editorial.richtext import plain_text
from editorial.services.bundles import issue_import

pytestmark = pytest.mark.django_db

SAMPLES = Path(settings.BASE_DIR) / "samples"
SOURCE = (SAMPLES / "digest-2024-16.txt").read_text(encoding="utf-8")
# The source is text extracted from a PDF: paragraphs broken by a page end continue after a blank
# line, so text is compared with every line break removed; article 01 marks its bold leads **…**.
FLAT = re.sub(r"\s*\n\s*", "", SOURCE).replace("**", "")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def issue() -> Issue:
    return issue_import(actor=None, source=SAMPLES / "digest-2024-16")


def toc_entries() -> list[tuple[str, str, str]]:
    """(section, page, title) for every line of the printed 本期要目."""
    toc = SOURCE[
        SOURCE.index("本期要目") : SOURCE.index("国家发展改革委办公厅 国家数据局综合司 印发")
    ]
    entries, section = [], ""
    for line in toc.splitlines()[1:]:
        line = line.strip()
        if match := re.fullmatch(r"- (\d\d) (.+)", line):
            entries.append((section, match[1], match[2]))
        elif line:
            section = line
    return entries


def test_cover_and_numbers(issue: Issue) -> None:
    publication = issue.publication
    assert (issue.date.isoformat(), issue.number, issue.total_number) == ("2024-05-06", 16, 179)
    assert "2024年5月6日 第16期 总第179期" in SOURCE
    for text in (publication.tagline, publication.slogan, publication.name):
        assert f"\n{text}\n" in SOURCE
    assert issue.cover_headline.split("\n") == [
        "国家发展改革委办公厅 国家数据局综合司印发",
        "《数字经济2024年工作要点》",
    ]
    for line in issue.cover_headline.split("\n"):
        assert f"\n{line}\n" in SOURCE


def test_articles_match_the_table_of_contents_in_order(issue: Issue) -> None:
    articles = list(issue.articles.select_related("section").order_by("position"))
    assert [(a.section.name, a.title) for a in articles] == [
        (section, title) for section, _, title in toc_entries()
    ]
    assert Counter(a.section.name for a in articles) == {
        "国策要论": 3,
        "地方新政": 5,
        "产业前沿": 6,
        "数谷动态": 2,
    }


def test_every_body_paragraph_is_the_source_text(issue: Issue) -> None:
    for article in issue.articles.all():
        paragraphs = plain_text(article.body).splitlines()
        assert paragraphs, article.title
        for paragraph in paragraphs:
            assert squash(paragraph) in squash(FLAT), (article.title, paragraph)


def test_nothing_of_the_articles_pages_is_lost(issue: Issue) -> None:
    """Every line printed between the first article and 主编简介 is held by some field."""
    held = []
    for article in issue.articles.prefetch_related("figures"):
        held += [article.title, plain_text(article.body), plain_text(article.notes)]
        held += [
            f"（来源：{article.source}）",
            article.original_url,
            article.qr_caption,
        ]
        held += [f"图{f.number}{f.caption}" for f in article.figures.all()]
    corpus = squash("".join(held))
    pages = SOURCE[SOURCE.index("近日，国家发展改革委办公厅") : SOURCE.index("主编简介")]
    # Titles print with an em dash and full-width brackets where the table of contents has not.
    fold = str.maketrans({"—": "-", "（": "(", "）": ")"})
    titles = {squash(a.title).translate(fold) for a in issue.articles.all()}
    for line in pages.splitlines():
        text = squash(line.replace("原文链接：", "").replace("**", "")).strip("<>")
        if not text or text.translate(fold) in titles:
            continue
        assert text in corpus, line


def test_sources_links_and_qr_captions(issue: Issue) -> None:
    articles = list(issue.articles.all())
    sources = [a.source for a in articles if a.source]
    assert len(sources) == SOURCE.count("（来源：") == 15
    for source in sources:
        assert f"（来源：{source}）" in FLAT
    urls = [a.original_url for a in articles if a.original_url]
    assert len(urls) == SOURCE.count("原文链接：") == 10
    for url in urls:
        assert f"原文链接：{url}" in SOURCE or f"原文链接：<{url}>" in SOURCE
    captions = Counter(a.qr_caption for a in articles if a.qr_caption)
    assert captions == {
        "扫描二维码可阅读或下载全文": SOURCE.count("扫描二维码可阅读或下载全文"),
        "扫描二维码可阅读或下载原文件": SOURCE.count("扫描二维码可阅读或下载原文件"),
    }


def test_all_eighteen_figures_with_their_captions(issue: Issue) -> None:
    figures = Figure.objects.filter(article__issue=issue).select_related("article")
    assert figures.count() == 18
    printed = re.findall(r"^图 ?(\d+) ?(.+)$", SOURCE, flags=re.MULTILINE)
    assert sorted((f.number, squash(f.caption)) for f in figures) == sorted(
        (int(n), squash(c)) for n, c in printed
    )
    for article in Article.objects.filter(issue=issue):
        numbers = [f.number for f in article.figures.all()]
        assert numbers == list(range(1, len(numbers) + 1))
        assert sorted(re.findall(r'data-figure="(\d+)"', article.body)) == sorted(
            str(n) for n in numbers
        )


def test_bold_leads_sub_headings_and_notes(issue: Issue) -> None:
    first = issue.articles.get(position=1)
    leads = re.findall(r"<strong>(.+?)</strong>", first.body)
    assert leads == re.findall(r"\*\*(.+?)\*\*", SOURCE)
    assert len(leads) == 9
    italy = issue.articles.get(title__startswith="意大利发布")
    assert re.findall(r"<h3>(.+?)</h3>", italy.body) == [
        "一、战略目标",
        "二、战略计划",
        "三、配套措施",
    ]
    noted = issue.articles.exclude(notes="").order_by("position")
    assert [plain_text(a.notes) for a in noted] == [
        "（注：1.文中统计数据除注明外，其余均为国家统计局数据或据此测算。\n"
        "2.文中“电子信息制造业”与国民经济行业分类中的“计算机、通信和其他电子设备制造业”为同一口径。）",
        "附注：\n1.规模以上互联网和相关服务企业口径为上年互联网和相关服务收入 2000 万元及以上，"
        "文中所有同比增速均按可比口径计算。",
    ]


def test_masthead_notice_and_contact(issue: Issue) -> None:
    def names(rows: object, attr: str) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for row in rows:  # type: ignore[attr-defined]
            grouped.setdefault(row.get_role_display(), []).append(getattr(row, attr).name)
        return grouped

    organisations = names(
        issue.masthead_organisations.select_related("organisation").order_by("role", "position"),
        "organisation",
    )
    assert organisations == {
        "指导单位": ["贵阳市大数据发展管理局", "贵安新区大数据和科技创新局"],
        "主编": ["贵阳智能大数据战略研究院"],
        "联合主编": ["贵州省大数据发展促进会"],
        "学术支持": ["大数据战略重点实验室", "贵州领新咨询有限公司"],
    }
    people = names(
        issue.masthead_members.select_related("person").order_by("role", "position"), "person"
    )
    printed = {
        "编委会": "编 委 会 宋希贤 程 茹 杨 婷 熊灵犀\n\n陈 贝 杨 洲 钟新敏 莫星星",
        "总编辑": "总 编 辑 宋希贤",
        "副总编辑": "副总编辑 程 茹",
        "执行编辑": "执行编辑 杨 婷",
        "责任编辑": "责任编辑 熊灵犀 陈 贝 杨 洲 钟新敏\n\n莫星星",
        "美术编辑": "美术编辑 杨 婷 莫星星",
    }
    assert sorted(people) == sorted(printed)
    for role, text in printed.items():
        assert text in SOURCE
        assert squash(text) == squash(role) + "".join(people[role])
    assert issue.notice is not None and issue.notice.text in SOURCE
    publication = issue.publication
    assert f"咨询电话 {publication.phone} (传真)" in SOURCE
    assert f"邮 箱 {publication.email}" in SOURCE
    assert f"编辑地址 {publication.address}" in SOURCE
    assert f"\n{publication.wechat_caption}\n" in SOURCE
    assert publication.wechat_qr.name


def test_organisation_profiles(issue: Issue) -> None:
    profiled = Organisation.objects.exclude(profile="").order_by("name")
    assert [o.acronym for o in profiled] == ["GZBDDPA", "GIDI"]
    for organisation in profiled:
        assert f"{organisation.name_en}, {organisation.acronym}" in SOURCE
        assert organisation.logo.name
        for paragraph in plain_text(organisation.profile).splitlines():
            assert paragraph in SOURCE
    profiles_text = SOURCE[SOURCE.index("主编简介") :]
    paragraphs = [p for p in profiles_text.split("\n\n") if len(p) > 60 and not p.isascii()]
    held = squash("".join(plain_text(o.profile) for o in profiled))
    assert len(paragraphs) >= 2
    for paragraph in paragraphs:
        assert squash(paragraph) in held
