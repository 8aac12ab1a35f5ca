"""采编 drafts read from source pages (no network): for each fixture the exact fields and the
exact body — structure kept (bold leads, sub-headings, lists, tables, links, figures in place
with their captions) and the page's furniture gone."""

import datetime

import pytest

from editorial.source_pages import FigureRef, page_draft
from tests.integrations.page_server import PAGES

BASE = "https://example.gov.cn"

# What no body may keep: navigation, toolbars, share buttons, editors' credits, footers,
# styles, classes and the "follow us" block.
JUNK = [
    "首页",
    "字号",
    "打印",
    "分享到",
    "责任编辑",
    "【我要纠错】",
    "相关",
    "版权所有",
    "ICP",
    "微信扫一扫",
    "编辑：",
    "来源：",
    "style=",
    "class=",
    "span",
    "section",
    "<img",
    "<br",
    "javascript:",
    "阅读",
    "DIGESTFIGURE",
]


def between_blocks(body: str) -> str:
    """The body without the line breaks between its blocks: they are layout of the HTML text
    (the sanitizer keeps or drops them as it restructures), not structure."""
    return body.replace(">\n<", "><")


def expected_body(name: str, base: str) -> str:
    return {
        "gov": (
            "<p>国办发〔2024〕18号</p>\n"
            "<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>\n"
            "<p>《数字经济促进行动方案》已经国务院同意，现印发给你们，请认真贯彻执行。</p>\n"
            "<p>国务院办公厅</p>\n<p>2024年4月20日</p>\n<p>（此件公开发布）</p>\n"
            "<h3>一、总体要求</h3>\n"
            "<p>以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，"
            "加快发展数字经济，促进数字技术和实体经济深度融合。</p>\n"
            "<p><strong>（一）夯实数字基础设施。</strong>加快5G网络和千兆光网建设，"
            "2025年底前实现城市和乡镇全面覆盖。</p>\n"
            "<p><strong>（二）培育数据要素市场。</strong>建立数据产权、流通交易、收益分配、"
            "安全治理制度。</p>\n"
            '<figure data-figure="1"></figure>\n'
            "<h3>二、重点任务</h3>\n"
            "<ol><li>推进产业数字化转型，实施中小企业数字化赋能专项行动。</li>"
            "<li>推动数字产业化发展，培育一批具有国际竞争力的数字产业集群。</li></ol>\n"
            f'<p>附件：<a href="{base}/zhengce/202404/P020240425.pdf" rel="noopener noreferrer">'
            "数字经济促进行动方案重点任务分工</a></p>"
        ),
        "ministry": (
            "<p>一季度，我国软件和信息技术服务业（以下简称“软件业”）运行态势良好，"
            "软件业务收入稳步增长，利润总额保持两位数增长。</p>\n"
            "<p><strong>一、总体运行情况</strong></p>\n"
            "<p><strong>软件业务收入稳步增长。</strong>一季度，我国软件业务收入28176亿元，"
            "同比增长11.9%。</p>\n"
            "<p><strong>利润总额较快增长。</strong>一季度，软件业利润总额3318亿元，"
            "同比增长16.2%。</p>\n"
            '<figure data-figure="1"></figure>\n'
            "<p><strong>二、分领域运行情况</strong></p>\n"
            "<table><thead><tr><th>领域</th><th>收入（亿元）</th><th>同比增长</th></tr></thead>"
            "<tbody><tr><td>软件产品</td><td>6346</td><td>9.8%</td></tr>"
            "<tr><td>信息技术服务</td><td>18840</td><td>12.8%</td></tr>"
            "<tr><td>信息安全产品和服务</td><td>383</td><td>8.2%</td></tr></tbody></table>\n"
            '<figure data-figure="2"></figure>\n'
            "<p>注：本文统计数据均为快报数据。</p>"
        ),
        "wechat": (
            "<p>近日，国家数据局等17部门联合印发《“数据要素×”三年行动计划（2024—2026年）》，"
            "提出到2026年底，数据要素应用广度和深度大幅拓展。</p>\n"
            "<p><strong>一是</strong>发挥数据要素乘数效应，赋能经济社会发展。</p>\n"
            "<p><strong>二是</strong>聚焦工业制造、现代农业、商贸流通等12个行业和领域。</p>\n"
            '<figure data-figure="1"></figure>\n'
            "<h2>主要目标</h2>\n"
            "<ul><li>打造300个以上示范性强、显示度高、带动性广的典型应用场景；</li>"
            "<li>数据产业年均增速超过20%。</li></ul>\n"
            '<figure data-figure="2"></figure>'
        ),
    }[name]


# What each page says, field by field (the source page is the truth an editor checks against).
FIELDS = {
    "gov": {
        "title": "国务院办公厅关于印发《数字经济促进行动方案》的通知",
        "published": datetime.date(2024, 4, 25),
        "source": "国务院办公厅",
    },
    "ministry": {
        "title": "2024年一季度软件业经济运行情况",
        "published": datetime.date(2024, 4, 24),
        "source": "工业和信息化部运行监测协调局",
    },
    "wechat": {
        "title": "一图读懂｜数据要素×三年行动计划",
        "published": datetime.date(2024, 4, 25),
        "source": "国家数据局",
    },
}


def expected_figures(name: str, base: str) -> list[FigureRef]:
    return {
        "gov": [FigureRef(1, f"{base}/images/20240425/fig1.png", "2019—2023年我国数字经济规模")],
        "ministry": [
            FigureRef(
                1,
                f"{base}/cms_files/filemanager/1226211233/attach/20244/fig1.jpg",
                "2023年—2024年一季度软件业务收入增长情况",
            ),
            FigureRef(
                2,
                f"{base}/cms_files/filemanager/1226211233/attach/20244/fig2.png",
                "2024年一季度软件业分领域收入占比",
            ),
        ],
        "wechat": [
            FigureRef(
                1, f"{base}/mmbiz_png/AbCdEf/640?wx_fmt=png&from=appmsg", "“数据要素×”行动重点领域"
            ),
            FigureRef(2, f"{base}/mmbiz_jpg/GhIjKl/640?wx_fmt=jpeg", ""),
        ],
    }[name]


@pytest.mark.parametrize("name", ["gov", "ministry", "wechat"])
def test_each_fixture_yields_its_fields_and_clean_structure(name: str) -> None:
    url = f"{BASE}/p/{name}"
    draft = page_draft((PAGES / f"{name}.html").read_bytes(), url=url)
    fields = {"title": draft.title, "published": draft.published, "source": draft.source}
    assert fields == FIELDS[name]
    assert draft.original_url == url
    assert between_blocks(draft.body) == between_blocks(expected_body(name, BASE))
    assert list(draft.figures) == expected_figures(name, BASE)
    assert [junk for junk in JUNK if junk in draft.body] == []
    assert not draft.removed  # what the mapping emits is allowed already


def test_a_saved_page_takes_its_canonical_link_and_resolves_images_against_it() -> None:
    html = (
        (PAGES / "gov.html")
        .read_text()
        .replace(
            "<head>", '<head><link rel="canonical" href="https://www.gov.cn/zhengce/content/1.htm">'
        )
    )
    draft = page_draft(html)
    assert draft.original_url == "https://www.gov.cn/zhengce/content/1.htm"
    assert draft.figures[0].url == "https://www.gov.cn/images/20240425/fig1.png"


def test_a_page_without_a_known_container_is_left_to_trafilatura() -> None:
    html = (
        "<html><head><title>数据局发布通知 - 某省人民政府</title></head><body>"
        "<nav><a href='/'>首页</a> <a href='/a'>新闻</a></nav><main><h1>数据局发布通知</h1>"
        "<p>发布时间：2024-05-06</p>"
        "<p>近日，省数据局发布《关于推进公共数据开发利用的通知》，明确了公共数据授权运营的范围、"
        "程序和安全要求，推动数据资源持续释放价值。</p><h2>一、工作目标</h2>"
        "<p><b>到2025年</b>，建成全省一体化公共数据平台，开放数据集超过1000个，"
        "培育一批数据开发利用的典型场景。</p></main><footer>版权所有 某省人民政府</footer>"
        "</body></html>"
    )
    draft = page_draft(html, url="https://sjj.example.gov.cn/1.html")
    assert draft.title == "数据局发布通知"
    assert draft.published == datetime.date(2024, 5, 6)
    assert "<h2>一、工作目标</h2>" in draft.body
    assert "<p><strong>到2025年</strong>，建成全省一体化公共数据平台" in draft.body
    assert "版权所有" not in draft.body and "首页" not in draft.body


def test_latin_words_keep_their_space_and_layout_newlines_go() -> None:
    html = (
        '<html><body><div id="js_content"><p>推进\n   5G 网络与\n  <strong>AI\n agents'
        "</strong>\n 建设</p></div></body></html>"
    )
    assert page_draft(html).body == "<p>推进5G 网络与<strong>AI agents</strong>建设</p>"


def test_what_the_sanitizer_removes_from_a_hostile_page_is_reported() -> None:
    html = (
        '<html><body><div id="js_content"><p onclick="x()">正文<a href="javascript:alert(1)">'
        "链接</a><a href='data:text/html,x'>二</a></p><script>alert(2)</script></div></body></html>"
    )
    draft = page_draft(html)
    assert (
        draft.body
        == '<p>正文<a rel="noopener noreferrer">链接</a><a rel="noopener noreferrer">二</a></p>'
    )
    assert str(draft.removed) == "已移除：javascript: 链接 1 处，data: 链接 1 处"


@pytest.mark.parametrize(
    ("declared_in_page", "header"),
    [(True, None), (False, "GBK"), (False, None)],
)
def test_a_gbk_page_is_read_in_its_charset(declared_in_page: bool, header: str | None) -> None:
    html = (PAGES / "ministry.html").read_text()
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    html = html.replace(meta, meta.replace("utf-8", "gb2312") if declared_in_page else "")
    draft = page_draft(html.encode("gbk"), url=f"{BASE}/p/ministry", charset=header)
    assert (draft.title, draft.source) == (
        "2024年一季度软件业经济运行情况",
        "工业和信息化部运行监测协调局",
    )
    assert draft.body == expected_body("ministry", BASE)


def test_an_xhtml_page_with_an_xml_declaration_is_read() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + (PAGES / "gov.html").read_text()
    body = page_draft(html, url=f"{BASE}/p/gov").body
    assert between_blocks(body) == between_blocks(expected_body("gov", BASE))
