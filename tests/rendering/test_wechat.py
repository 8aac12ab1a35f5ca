"""The WeChat (公众号) edition: the sample issue end to end, one article's HTML exactly, the
title and digest proposals, images, the cover, and hostile bodies.

The sample issue is imported and rendered once per module inside a transaction that is rolled
back (the database is as it was); the articles are frozen dataclasses, so the tests read them
as plain values. Image URLs are fake ones on WeChat's host, as the push service would return.
"""

import datetime
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from PIL import Image

from editorial.models import Article, Figure, Issue, MastheadOrganisation
from editorial.rendering import RenderError
from editorial.rendering.typography import GAP
from editorial.rendering.wechat import (
    ImageSource,
    WechatArticle,
    _shorten,
    clean_wechat_html,
    propose_wechat_digest,
    propose_wechat_title,
    qr_png,
    render_wechat_cover,
    render_wechat_issue,
    validate_wechat_article,
    wechat_image,
)
from editorial.rendering.wechat_validation import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from editorial.selectors import issue_edition
from tests import factories
from tests.rendering.conftest import run_tool
from tests.workflow_helpers import sample_issue

# A Latin word or a number, as a reader sees one.
LATIN_WORD = re.compile(r"[0-9A-Za-z]+(?:[-'.,%][0-9A-Za-z]+)*")

VOID = {"br", "hr", "img"}


def fake_wechat_url(image: ImageSource) -> str:
    """What media/uploadimg answers: a URL on mmbiz.qpic.cn, here derived from the checksum."""
    kind = "png" if image.content_type == "image/png" else "jpeg"
    return f"https://mmbiz.qpic.cn/mmbiz_{kind}/{image.checksum[:32]}/0?wx_fmt={kind}"


# ---------- a small DOM for exact checks ----------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str) -> list["Node"]:
        return [node for node in self.iter() if node.tag == tag]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.comments == []
    return builder.root


def styles(node: Node) -> dict[str, str]:
    declarations = [d.split(":", 1) for d in node.attrs.get("style", "").split(";") if d]
    return {name: value for name, value in declarations}


# ---------- the sample issue ----------


@dataclass(frozen=True)
class SampleWechat:
    articles: list[WechatArticle]
    titles: list[str]  # Article.title in issue order
    original_urls: list[str]
    leads: list[str]
    cover: ImageSource
    requested: list[ImageSource]  # what image_url was called with, in order


@pytest.fixture(scope="module")
def sample_wechat(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> SampleWechat:
    requested: list[ImageSource] = []

    def image_url(image: ImageSource) -> str:
        requested.append(image)
        return fake_wechat_url(image)

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("wechat-media"))),
        transaction.atomic(),
    ):
        issue = issue_edition(sample_issue().pk)
        articles = render_wechat_issue(issue, image_url=image_url)
        cover = render_wechat_cover(issue)
        sources = list(issue.articles)
        titles = [a.title for a in sources]
        original_urls = [a.original_url for a in sources]
        leads = [propose_wechat_digest(a.body) for a in sources]
        transaction.set_rollback(True)
    return SampleWechat(articles, titles, original_urls, leads, cover, requested)


def test_the_digest_comes_first_then_every_article_in_issue_order(
    sample_wechat: SampleWechat,
) -> None:
    articles = sample_wechat.articles
    assert len(articles) == 17
    assert articles[0].article_id is None
    assert [a.article_id for a in articles[1:]] == sorted(a.article_id or 0 for a in articles[1:])
    headings = [parse(a.content).find_all("h1")[0].text for a in articles[1:]]
    assert headings == sample_wechat.titles


def test_every_sample_article_passes_the_validator(sample_wechat: SampleWechat) -> None:
    for article in sample_wechat.articles:
        assert validate_wechat_article(article, local_images_allowed=False) == [], article.title


def test_the_quarter_em_gap_between_scripts_passes_the_validator(
    sample_wechat: SampleWechat,
) -> None:
    """typography.mixed_spacing's U+2005 replaces the typed space and WeChat accepts it."""
    spaced = [a for a in sample_wechat.articles if GAP in a.content]
    assert any(f"同比增长{GAP}13%" in a.content for a in spaced)
    assert not any("同比增长 13%" in a.content for a in sample_wechat.articles)
    assert len(spaced) >= 10
    for article in spaced:
        assert validate_wechat_article(article, local_images_allowed=False) == [], article.title


def test_every_field_is_within_wechat_limits(sample_wechat: SampleWechat) -> None:
    for article in sample_wechat.articles:
        assert 0 < len(article.title) <= 32
        assert article.author == "大数据发展动态"
        assert 0 < len(article.digest) <= 128
        assert len(article.content) < 20_000
        assert len(article.content.encode()) < 1_000_000
    assert [a.content_source_url for a in sample_wechat.articles] == [
        "",
        *sample_wechat.original_urls,
    ]


def test_long_sample_titles_get_sensible_proposals(sample_wechat: SampleWechat) -> None:
    titles = {
        t: a.title for t, a in zip(sample_wechat.titles, sample_wechat.articles[1:], strict=True)
    }
    # The sample has two titles over 32 characters; the third-longest is exactly 32 and fits.
    assert [t for t in titles if len(t) > 32] == [
        "国家发展改革委办公厅 国家数据局综合司印发《数字经济2024年工作要点》",
        "中国网络安全产业联盟发布《美国对全球网络空间安全与发展的威胁和破坏》",
    ]
    assert titles["国家发展改革委办公厅 国家数据局综合司印发《数字经济2024年工作要点》"] == (
        "《数字经济2024年工作要点》印发"
    )
    assert titles["中国网络安全产业联盟发布《美国对全球网络空间安全与发展的威胁和破坏》"] == (
        "《美国对全球网络空间安全与发展的威胁和破坏》发布"
    )
    exactly_32 = "财政部 交通运输部印发通知支持引导水路交通基础设施数字化转型升级"
    assert len(exactly_32) == 32 and titles[exactly_32] == exactly_32
    assert all(wechat == title for title, wechat in titles.items() if len(title) <= 32)


@pytest.mark.parametrize(
    ("title", "proposal"),
    [
        (
            "国家发展改革委办公厅 国家数据局综合司印发《数字经济2024年工作要点》",
            "《数字经济2024年工作要点》印发",
        ),
        (
            "工业和信息化部 国家发展改革委 财政部联合印发《关于加快推进数字化转型的若干意见》",
            "《关于加快推进数字化转型的若干意见》印发",
        ),
        # no document to lead with: cut at the last clause that keeps half the room
        (
            "贵州省大数据发展管理局召开全省数据要素市场化配置改革推进会议 部署下一阶段重点工作任务",
            "贵州省大数据发展管理局召开全省数据要素市场化配置改革推进会议…",
        ),
        # never inside 《》 when a cut before it keeps enough
        (
            "国务院常务会议审议通过《关于进一步优化营商环境降低市场主体制度性交易成本的意见》草案",
            "国务院常务会议审议通过…",
        ),
        ("  河南发布 2024年数字化转型战略工作方案 ", "河南发布 2024年数字化转型战略工作方案"),
    ],
)
def test_propose_wechat_title(title: str, proposal: str) -> None:
    assert propose_wechat_title(title) == proposal
    assert len(proposal) <= 32


def test_digests_are_the_leads_within_128_characters(sample_wechat: SampleWechat) -> None:
    digests = [a.digest for a in sample_wechat.articles[1:]]
    assert digests == sample_wechat.leads
    assert all(0 < len(d) <= 128 for d in digests)
    # （以下简称…） is dropped from the lead
    assert digests[0] == (
        "近日，国家发展改革委办公厅、国家数据局综合司印发《数字经济 2024 年工作要点》，"
        "对 2024 年数字经济重点工作作出部署。"
    )
    # a lead that introduces a list ends with …
    assert digests[4].endswith("明确 2024 年 41 项重点工作，其中包括…")
    # a lead over 128 characters ends at its last whole sentence that fits …
    assert digests[6] == (
        "杭州市人民政府办公厅日前印发了《杭州市推进数字贸易强市三年行动计划（2024—2026年）》。"
        "提出目标到2026年，全市实现数字贸易额4300亿元，数字贸易领域出海品牌300个以上，"
        "规模以上企业1500家以上，具有全球竞争力的平台企业30家以上。"
    )
    # … or, with no sentence end in reach, at a clause, marked with …
    assert digests[9].endswith("加强公私部门与国内外政府之间的合作…")


ENGLISH_LEAD = (
    "The Ministry of Industry and Information Technology has issued guidelines that encourage "
    "local governments to open public data to companies only when the data has been reviewed "
    "for security risks by an approved body."
)
MIXED_LEAD = (
    "全国数据交易规模在2024年达到约1600亿元人民币，同比增长约30%，Shanghai Data Exchange、"
    "Shenzhen Data Exchange和Guiyang Big Data Exchange三家交易所的交易额合计占全国的六成以上"
    "并继续保持快速增长的势头和良好的发展前景以及广阔的市场空间"
)


@pytest.mark.parametrize(
    ("lead", "digest"),
    [
        # the measured case ("…only when th…"): no sentence or clause in reach, so the last
        # whole word
        (
            ENGLISH_LEAD,
            "The Ministry of Industry and Information Technology has issued guidelines that "
            "encourage local governments to open public data…",
        ),
        # an English sentence ends at a full stop before a space, not inside "3.5"
        (
            "The State Council approved the national plan for building data markets on Friday, "
            "3 May 2024. It sets targets of 3.5 trillion yuan for data markets and cross-border "
            "flows and security reviews of data.",
            "The State Council approved the national plan for building data markets on Friday, "
            "3 May 2024.",
        ),
        (
            MIXED_LEAD,
            "全国数据交易规模在2024年达到约1600亿元人民币，同比增长约30%，Shanghai Data Exchange、"
            "Shenzhen Data Exchange和Guiyang Big Data Exchange三家交易所的交易额合计占全国的"
            "六成以上并…",
        ),
    ],
)
def test_digests_are_cut_between_words(lead: str, digest: str) -> None:
    assert propose_wechat_digest(f"<p>{lead}</p>") == digest
    assert len(digest) <= 128


@pytest.mark.parametrize("text", [ENGLISH_LEAD, MIXED_LEAD])
def test_no_limit_cuts_a_latin_word_or_a_number(text: str) -> None:
    words = set(LATIN_WORD.findall(text))
    for limit in range(8, len(text)):
        shortened = _shorten(text, limit)
        assert len(shortened) <= limit and shortened.endswith("…")
        assert set(LATIN_WORD.findall(shortened)) <= words, shortened


@pytest.mark.parametrize(
    ("title", "proposal"),
    [
        (
            "Guidelines on Opening Public Data to Companies under Security Reviews",
            "Guidelines on Opening Public…",
        ),
        (
            "关于推进IPv6规模部署和应用的通知及配套实施方案与2024年IPv6+重点任务",
            "关于推进IPv6规模部署和应用的通知及配套实施方案与2024年…",
        ),
        (
            "数字中国建设工作要点及重点任务分工方案和配套措施的通知附件12345678",
            "数字中国建设工作要点及重点任务分工方案和配套措施的通知附件…",
        ),
    ],
)
def test_title_proposals_are_cut_between_words(title: str, proposal: str) -> None:
    assert propose_wechat_title(title) == proposal
    assert len(proposal) <= 32


def test_wechat_fields_set_by_editors_win(db: None) -> None:
    issue = make_issue(wechat_title="编辑写的标题", wechat_digest="编辑写的摘要。")
    article = render(issue)[1]
    assert (article.title, article.digest) == ("编辑写的标题", "编辑写的摘要。")


def test_the_digest_article_lists_every_article_by_section(sample_wechat: SampleWechat) -> None:
    digest = sample_wechat.articles[0]
    assert digest.title == "大数据发展动态｜2024年第16期（总第179期）本期要目"
    assert digest.digest.startswith("本期要目：《数字经济2024年工作要点》印发；商务部印发")
    assert len(digest.digest) <= 128 and digest.digest.endswith("…")
    assert digest.images == ()
    tree = parse(digest.content)
    paragraphs = [p.text for p in tree.find_all("p")]
    assert paragraphs[:4] == [
        "为数字创新领导者提供更新、更重要、更有用的决策参考信息",
        "大数据发展动态",
        "以战略视角解读数字中国",
        "2024年5月6日　第16期 总第179期",
    ]
    assert "本期要目" in paragraphs
    banners = [s.text for s in tree.find_all("span") if "background-color" in styles(s)]
    assert banners == ["国策要论", "地方新政", "产业前沿", "数谷动态"]
    entries = [
        p.text
        for p in tree.find_all("p")
        if isinstance(p.children[0], Node) and re.fullmatch(r"\d\d", p.children[0].text)
    ]
    assert entries == [f"{i:02d}{t}" for i, t in enumerate(sample_wechat.titles, start=1)]
    for lead in sample_wechat.leads:
        assert lead in paragraphs
    assert "主编　贵阳智能大数据战略研究院" in paragraphs
    assert any(p.startswith("声明: 本信息产品为内部交流学习资料") for p in paragraphs)


def test_sample_images_are_scaled_and_listed_in_content_order(
    sample_wechat: SampleWechat,
) -> None:
    by_id = {a.article_id: a for a in sample_wechat.articles}
    figures_article = sample_wechat.articles[12]  # 2024年一季度电子信息制造业运行情况
    assert [i.name for i in figures_article.images] == [f"12-fig{n}.png" for n in range(1, 6)]
    srcs = [img.attrs["src"] for img in parse(figures_article.content).find_all("img")]
    assert srcs == [fake_wechat_url(i) for i in figures_article.images]
    for image in (i for a in by_id.values() for i in a.images):
        assert image.checksum == hashlib.sha256(image.data).hexdigest()
        assert image.content_type == "image/png" and len(image.data) < 1_000_000
        with Image.open(io.BytesIO(image.data)) as opened:
            assert opened.format == "PNG" and opened.width <= 677
    with Image.open(io.BytesIO(figures_article.images[0].data)) as chart:
        assert chart.size == (677, 381)  # the 1200×675 sample chart, scaled
    qr_names = [i.name for a in sample_wechat.articles for i in a.images if i.name.startswith("qr")]
    assert qr_names == [f"qr-{n:02d}.png" for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)]
    assert sample_wechat.requested == [i for a in sample_wechat.articles for i in a.images]


def test_qr_png_encodes_the_original_link(tmp_path: Path) -> None:
    url = "http://gxj.sjz.gov.cn/columns/e8ed6023-e0fc-422c-8ef9-fe72cdc8d2f8/202404/27/x.html"
    path = tmp_path / "qr.png"
    path.write_bytes(qr_png(url))
    assert run_tool("zbarimg", "--raw", "-q", str(path)).strip() == url
    with Image.open(path) as image:
        assert 300 <= image.width <= 677


def test_the_cover_is_a_900_by_383_png(sample_wechat: SampleWechat) -> None:
    cover = sample_wechat.cover
    assert cover.name == "cover-179.png" and cover.content_type == "image/png"
    assert cover.checksum == hashlib.sha256(cover.data).hexdigest()
    with Image.open(io.BytesIO(cover.data)) as image:
        assert (image.format, image.size) == ("PNG", (900, 383))
        # drawn, not blank: the headline's gold and the name's white are both there
        colours = {colour for _, colour in image.convert("RGB").getcolors(1_000_000) or []}
        assert (255, 255, 255) in colours and (246, 214, 140) in colours


# ---------- one article, exactly ----------


def make_issue(**article: Any) -> Issue:
    """An issue of 大数据发展动态 with one article in 国策要论 (``article`` overrides fields)."""
    publication = factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")
    issue = factories.IssueFactory.create(
        publication=publication, date=datetime.date(2024, 5, 6), number=16, total_number=179
    )
    chief = factories.OrganisationFactory.create(name="贵阳智能大数据战略研究院", acronym="GIDI")
    MastheadOrganisation.objects.create(issue=issue, role="chief_editor", organisation=chief)
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    factories.ArticleFactory.create(
        issue=issue, section=section, **{"title": "测试文章", "position": 1, **article}
    )
    return issue


def render(issue: Issue) -> list[WechatArticle]:
    return render_wechat_issue(issue_edition(issue.pk), image_url=fake_wechat_url)


EXACT_BODY = (
    '<p>据<a href="https://www.ndrc.gov.cn/a?x=1&amp;y=2">国家发展改革委</a>消息，'
    "<strong>一是适度超前布局</strong>，详见"
    '<a href="https://mp.weixin.qq.com/s/abc">公众号文章</a>。</p>'
    "<h3>一、生产稳步增长</h3>"
    '<figure data-figure="2"></figure>'
    '<p>另见<a href="https://example.org/b">示例</a>与'
    '<a href="https://www.ndrc.gov.cn/a?x=1&amp;y=2">同一链接</a>。</p>'
)


@pytest.fixture
def exact_article(db: None) -> WechatArticle:
    issue = make_issue(
        body=EXACT_BODY,
        notes='<p>注：数据来自<a href="https://stats.gov.cn/">国家统计局</a>。</p>',
        source="国家数据局",
        original_url="https://www.gov.cn/zhengce/zhengceku/202404/content_6947800.htm",
        qr_caption="扫描二维码可阅读或下载全文",
    )
    article = issue.articles.get()
    factories.FigureFactory.create(
        article=article,
        number=1,
        caption="未放置的图",
        image=factories.png_file(width=1200, height=600),
    )
    factories.FigureFactory.create(article=article, number=2, caption="电子信息制造业增加值")
    return render(issue)[1]


def test_article_html_exactly(exact_article: WechatArticle) -> None:
    tree = parse(exact_article.content)
    # the section banner and the title block open the article
    banner = tree.find_all("span")[0]
    assert banner.text == "国策要论" and styles(banner)["background-color"] == "#16407a"
    assert [h.text for h in tree.find_all("h1")] == ["测试文章"]
    assert [h.text for h in tree.find_all("h3")] == ["一、生产稳步增长"]
    assert styles(tree.find_all("h3")[0])["border-left"] == "4px solid #16407a"
    assert [s.text for s in tree.find_all("strong")] == ["一是适度超前布局"]
    # figures: placed one where its marker was, the other after the body; numbered captions
    assert [f.text for f in tree.find_all("figcaption")] == [
        "图 2 电子信息制造业增加值",
        "图 1 未放置的图",
    ]
    images = tree.find_all("img")
    assert [i.attrs.get("alt") for i in images] == ["图 2", "图 1", "原文二维码"]
    assert [i.attrs["src"] for i in images] == [fake_wechat_url(s) for s in exact_article.images]
    assert [s.name for s in exact_article.images] == ["01-fig2.png", "01-fig1.png", "qr-01.png"]
    for image in images:
        assert styles(image)["max-width"] == "100%"
    with Image.open(io.BytesIO(exact_article.images[1].data)) as wide:
        assert wide.size == (677, 338)  # 1200×600, scaled to WeChat's column
    paragraphs = [p.text for p in tree.find_all("p")]
    # outside links become numbered markers, the same URL keeps its number …
    assert paragraphs[1] == "据国家发展改革委[1]消息，一是适度超前布局，详见公众号文章。"
    assert paragraphs[2] == "另见示例[2]与同一链接[1]。"
    # … links to mp.weixin.qq.com stay links
    assert [(a.attrs, a.text) for a in tree.find_all("a")] == [
        ({"href": "https://mp.weixin.qq.com/s/abc"}, "公众号文章")
    ]
    # notes, 来源, QR with its caption and the link as text, then the references
    assert paragraphs[3:] == [
        "注：数据来自国家统计局[3]。",
        "（来源：国家数据局）",
        "扫描二维码可阅读或下载全文",
        "原文链接：https://www.gov.cn/zhengce/zhengceku/202404/content_6947800.htm",
        "参考链接",
        "[1] https://www.ndrc.gov.cn/a?x=1&y=2",
        "[2] https://example.org/b",
        "[3] https://stats.gov.cn/",
    ]
    assert [s.text for s in tree.find_all("sup")] == ["[1]", "[2]", "[1]", "[3]"]
    assert exact_article.content_source_url == (
        "https://www.gov.cn/zhengce/zhengceku/202404/content_6947800.htm"
    )
    # only inline styles: no class, no id, and every element that shows text is styled
    for node in tree.iter():
        if node.tag != "#root":
            assert set(node.attrs) <= {"style", "href", "src", "alt"}, node
    for paragraph in tree.find_all("p"):
        assert "font-size" in styles(paragraph)
    assert styles(tree.find_all("p")[1])["font-size"] == "15px"
    assert validate_wechat_article(exact_article) == []


def test_rendering_makes_no_queries(db: None, django_assert_num_queries: Any) -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="1"></figure>')
    factories.FigureFactory.create(article=issue.articles.get(), number=1)
    loaded = issue_edition(issue.pk)
    with django_assert_num_queries(0):
        render_wechat_issue(loaded, image_url=fake_wechat_url)


def test_a_marker_without_its_figure_is_refused(db: None) -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="3"></figure>')
    with pytest.raises(RenderError, match="《测试文章》：正文放置了图 3，但没有这张图"):
        render(issue)


def test_an_empty_body_is_refused(db: None) -> None:
    with pytest.raises(RenderError, match="《测试文章》：正文为空"):
        render(make_issue(body="<p> </p>"))


def test_a_broken_figure_is_refused_naming_it(db: None) -> None:
    issue = make_issue(body='<p>正文。</p><figure data-figure="1"></figure>')
    figure = factories.FigureFactory.create(article=issue.articles.get(), number=1)
    broken = b"\x89PNG\r\n\x1a\nnot really"
    Path(figure.image.path).write_bytes(broken)
    Figure.objects.filter(pk=figure.pk).update(image_checksum=hashlib.sha256(broken).hexdigest())
    with pytest.raises(RenderError, match="《测试文章》：图 1 图片无法读取"):
        render(issue)


# ---------- images ----------


def encoded(image: Image.Image, image_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def test_small_png_and_jpeg_pass_byte_for_byte() -> None:
    for image_format in ("PNG", "JPEG"):
        data = encoded(Image.new("RGB", (300, 200), "steelblue"), image_format)
        source = wechat_image(data, name_stem="x", label="图")
        assert source.data == data
        assert source.name == ("x.png" if image_format == "PNG" else "x.jpg")


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_gif_and_webp_become_png(image_format: str) -> None:
    data = encoded(Image.new("RGB", (800, 100), "red"), image_format)
    source = wechat_image(data, name_stem="x", label="图")
    assert (source.name, source.content_type) == ("x.png", "image/png")
    with Image.open(io.BytesIO(source.data)) as image:
        assert (image.format, image.size) == ("PNG", (677, 85))


def test_a_heavy_image_becomes_a_jpeg_under_1mb() -> None:
    noise = Image.frombytes("RGB", (677, 1600), os.urandom(677 * 1600 * 3))
    data = encoded(noise, "PNG")
    assert len(data) > 1_000_000
    source = wechat_image(data, name_stem="photo", label="图")
    assert source.content_type == "image/jpeg" and source.name == "photo.jpg"
    assert len(source.data) < 1_000_000
    with Image.open(io.BytesIO(source.data)) as image:
        assert image.format == "JPEG" and image.width <= 677


def test_a_transparent_png_flattens_on_white_when_it_must_become_jpeg() -> None:
    noise = Image.frombytes("RGBA", (677, 1200), os.urandom(677 * 1200 * 4))
    source = wechat_image(encoded(noise, "PNG"), name_stem="a", label="图")
    assert source.content_type == "image/jpeg" and len(source.data) < 1_000_000


# ---------- hostile input ----------

HOSTILE_BODY = """
<p>开头<script>alert('script')</script></p>
<p onclick="alert('click')" onmouseover="alert(2)">事件</p>
<p><a href="javascript:alert('href')">javascript 链接</a>
<a href="JaVaScRiPt:alert(1)">大小写</a><a href="java&#x09;script:alert(1)">制表符</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data 链接</a>
<a href="vbscript:msgbox(1)">vbscript</a></p>
<p style="position:fixed;top:0;background:url(javascript:alert('css'))">定位</p>
<style>@import url(https://evil.example/x.css); p { color: red }</style>
<p style="width: expression(alert('expr')); --x: red; color: var(--x)">表达式</p>
<p style="animation: spin 1s infinite; transition: all 1s; behavior: url(x.htc)">动画</p>
<svg><script>alert('svg script')</script></svg>
<svg onload="alert('svg onload')"><circle r="10"></circle></svg>
<math><mi xlink:href="javascript:alert('math')">数学</mi></math>
<svg><a xlink:href="javascript:alert('xlink')"><text>xlink</text></a></svg>
<iframe src="https://evil.example/"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>
<form action="https://evil.example/"><input name="q"><button>提交</button></form>
<!-- 注释 <script>alert('comment')</script> -->
<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
<img src="x" onerror="alert('img')"><img src="data:image/png;base64,iVBORw0KGgo=">
<object data="x.swf"></object><embed src="x.swf"><link rel="stylesheet" href="x.css">
<p id="x" class="y" data-x="1" title="t">属性</p><template><script>alert(1)</script></template>
<noscript><p>noscript</p></noscript><textarea><script>alert(1)</script></textarea>
<p>尾段<a href="https://evil.example/?q=&quot;&gt;&lt;script&gt;">外链</a></p>
"""

FORBIDDEN_IN_STYLE = (
    "position",
    "url(",
    "expression",
    "var(",
    "--",
    "@",
    "animation",
    "transition",
    "behavior",
    "javascript",
)


def assert_nothing_executable(html: str) -> None:
    """Structure a browser (or WeChat) would build from ``html`` holds nothing that can run."""
    lowered = html.lower()
    for marker in (
        "<script",
        "<svg",
        "<math",
        "<iframe",
        "<form",
        "<base",
        "<meta",
        "<style",
        "<object",
        "<embed",
        "<link",
        "<template",
        "<textarea",
        "<!--",
    ):
        assert marker not in lowered, marker
    for node in parse(html).iter():
        if node.tag == "#root":
            continue
        assert node.tag in ALLOWED_TAGS, node.tag
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(node.tag, frozenset())
        assert set(node.attrs) <= allowed, node
        for name, value in node.attrs.items():
            compact = re.sub(r"\s+", "", value).lower()
            for scheme in ("javascript:", "vbscript:", "data:"):
                assert scheme not in compact, (name, value)
            if name == "style":
                for forbidden in FORBIDDEN_IN_STYLE:
                    assert forbidden not in compact, (forbidden, value)
            if name == "href":
                assert value.startswith("https://mp.weixin.qq.com/"), value


def test_hostile_article_renders_harmless_and_valid(db: None) -> None:
    issue = make_issue(
        title="<script>alert('title')</script>标题",
        source='"><img src=x onerror=alert(1)>',
        original_url="https://www.gov.cn/?q=%22%3E%3Cscript%3E",
        qr_caption="扫描二维码可阅读或下载全文",
    )
    article = issue.articles.get()
    factories.FigureFactory.create(
        article=article, number=1, caption="<svg onload=alert('caption')>图题"
    )
    # Bypass the sanitizing field: the renderer must defend itself whatever is stored.
    Article.objects.filter(pk=article.pk).update(
        body=HOSTILE_BODY + '<figure data-figure="1"></figure>',
        notes="<p>注<script>alert('notes')</script><a href='javascript:x'>附注</a></p>",
    )
    rendered = render(issue)
    for item in rendered:
        assert_nothing_executable(item.content)
        assert validate_wechat_article(item) == [], item.title
    content = rendered[1].content
    tree = parse(content)
    texts = [p.text for p in tree.find_all("p")]
    assert '（来源："><img src=x onerror=alert(1)>）' in texts  # shown as text, not markup
    assert tree.find_all("h1")[0].text == "<script>alert('title')</script>标题"
    assert "图 1 <svg onload=alert('caption')>图题" in [f.text for f in tree.find_all("figcaption")]
    assert texts[-2:] == ["参考链接", '[1] https://evil.example/?q="><script>']  # as text
    assert "尾段外链[1]" in texts
    assert [img.attrs["src"] for img in tree.find_all("img")] == [
        fake_wechat_url(i) for i in rendered[1].images
    ]


@pytest.mark.parametrize(
    ("html", "cleaned"),
    [
        (
            '<p style="position:fixed;background:url(javascript:alert(1));color:red">x</p>',
            '<p style="color:red">x</p>',
        ),
        (
            '<p style="color: var(--x); --x: red; font-size: 15px">x</p>',
            '<p style="font-size:15px">x</p>',
        ),
        ('<p style="@import url(x.css); color:red">x</p>', '<p style="color:red">x</p>'),
        ('<p style="width:expression(alert(1))">x</p>', "<p>x</p>"),
        (
            '<p style="animation:spin 1s;-webkit-transition:all 1s;margin:0">x</p>',
            '<p style="margin:0">x</p>',
        ),
        ('<p style="behavior:url(x.htc);-moz-binding:url(x.xml#x)">x</p>', "<p>x</p>"),
        ('<p style="color:re\\64;background:u\\72l(x)">x</p>', "<p>x</p>"),
        ('<p style="color:/* */red">x</p>', "<p>x</p>"),
        (
            "<p style=\"font-family:'a;b';color:red\">x</p>",
            "<p style=\"font-family:'a;b';color:red\">x</p>",
        ),
        ('<a href="https://evil.example/">x</a>', "<a>x</a>"),
        (
            '<a href="https://mp.weixin.qq.com/s/x" target="_blank" rel="x">x</a>',
            '<a href="https://mp.weixin.qq.com/s/x">x</a>',
        ),
        ('<img src="javascript:alert(1)"><img src="data:image/png;base64,AA"><img alt="-">', ""),
        (
            '<img src="https://mmbiz.qpic.cn/a/0" alt="a&quot;>b" onerror="x">',
            '<img src="https://mmbiz.qpic.cn/a/0" alt="a&quot;b">',
        ),
        ("<section><svg><script>alert(1)</script></svg>ok</section>", "<section>ok</section>"),
        ("<div><p>x</p><!-- c --></div>", "<p>x</p>"),
    ],
)
def test_clean_wechat_html(html: str, cleaned: str) -> None:
    assert clean_wechat_html(html) == cleaned
    assert_nothing_executable(cleaned)


def test_clean_wechat_html_on_the_hostile_body() -> None:
    cleaned = clean_wechat_html(HOSTILE_BODY)
    assert_nothing_executable(cleaned)
    leftover = WechatArticle(None, "t", "a", "d", cleaned, "", ())
    rules = {v.rule for v in validate_wechat_article(leftover, local_images_allowed=True)}
    assert rules == set()


def test_a_long_issue_lists_titles_only_to_stay_under_20000_characters(db: None) -> None:
    issue = make_issue(title="第1篇")
    section = issue.articles.get().section
    lead = "近日，" + "有关部门印发实施方案，部署数字化转型重点任务，" * 4 + "推动高质量发展。"
    for n in range(2, 41):
        factories.ArticleFactory.create(
            issue=issue,
            section=section,
            position=n,
            title=f"第{n}篇：某省印发数字经济发展实施方案",
            body=f"<p>{lead}</p><p>正文。</p>",
        )
    digest = render(issue)[0]
    assert len(digest.content) < 20_000
    assert validate_wechat_article(digest) == []
    paragraphs = [p.text for p in parse(digest.content).find_all("p")]
    assert "40第40篇：某省印发数字经济发展实施方案" in paragraphs
    assert not any(p.startswith("近日，有关部门") for p in paragraphs)
