"""What editors copy — Word/WPS, a WeChat article, a government page, a PDF viewer (fixtures in
tests/fixtures/paste/) — comes out of the sanitizer as exactly the allowed structure, with the
junk gone; HTML that is already allowed (every existing body) comes out byte for byte."""

from pathlib import Path

import pytest

from editorial.richtext import markdown_to_html, sanitize_html
from editorial.source_html import restructure, tidy_blocks
from tests.builders import FILES

PASTE = Path(__file__).parent / "fixtures" / "paste"
SAMPLE = Path(__file__).parents[1] / "samples" / "digest-2024-16"
FIXTURES = {
    name: (PASTE / f"{name}.html").read_text() for name in ("word", "wechat", "government", "pdf")
}

CLEAN = {
    "word": (
        "<h2>一、总体要求</h2>"
        "<p><strong>一是开展“数商强基”行动</strong>，提出培育创新主体、夯实产业基础等举措。"
        "2024年，数字商务将“提质扩面”。</p>"
        "<ol><li>培育数字商务企业</li><li>建设数字商务平台</li></ol>"
        "<table><tbody><tr><td><strong>指标</strong></td><td><strong>增速</strong></td></tr>"
        "<tr><td>软件业务收入</td><td>13.3%</td></tr></tbody></table>"
        '<p>详见<a href="https://www.mofcom.gov.cn/" rel="noopener noreferrer">商务部网站</a>。</p>'
    ),
    "wechat": (
        "<p>近日，贵州省知识产权局等五部门签署合作协议，共同推进数据知识产权工作。</p>"
        "<p><strong>一、明确合作内容</strong></p>"
        "<p><strong>一是</strong>建立数据知识产权登记互认机制；</p>"
        "<ul><li>数据登记</li><li>质押融资</li></ul>"
        '<p>来源：人民日报客户端贵州频道（<a href="https://mp.weixin.qq.com/s/AbCdEf" '
        'rel="noopener noreferrer">原文链接</a>）</p>'
    ),
    "government": (
        "<p><strong>河南省加快数字化转型推动制造业高质量发展行动方案</strong></p>"
        "<p>为深入贯彻落实党中央、国务院决策部署，加快推进制造业数字化转型，制定本方案。</p>"
        "<p>一、总体要求</p>"
        "<p>到2025年，全省规模以上工业企业数字化改造全覆盖，“上云用数赋智”企业达到 8 万家。</p>"
        "<p><strong>（一）</strong>实施智能工厂建设行动。</p>"
        "<table><tbody><tr><td><strong>指 标</strong></td><td><strong>2025年目标</strong></td></tr>"
        "<tr><td>智能工厂</td><td>200 个</td></tr></tbody></table>"
        '<p>附件：<a href="http://www.henan.gov.cn/2024/05-06/2965000.html" '
        'rel="noopener noreferrer">重点任务分工表</a></p>'
    ),
    "pdf": (
        "<p>一季度，我国电子信息制造业生产稳步增长，出口持续回升，效益继续改善，投资保持较高"
        "增速。规模以上电子信息制造业增加值同比增长 13%，增速分别比同期工业、高技术制造业高 "
        "6.9 个和 5.5 个百分点。</p>"
        "<p>二、出口持续回升</p>"
        "<p>据海关统计，一季度我国出口笔记本电脑 3232 万台，同比增长 11.5%；"
        "出口手机 1.81 亿台，同比增长 6.3%。</p>"
    ),
}
# What each source carries that must not survive.
JUNK = {
    "word": ["MsoNormal", "<o:p>", "mso-list", "仿宋_GB2312", "熊灵犀", "1.<span", "<span", "<b>"],
    "wechat": ["rich_media_content", "<section", "style=", "data-src", "<img", "<br>", "&nbsp;"],
    "government": ["<font", "&nbsp;&nbsp;", "<br><br>", "　　", 'align="center"', "class="],
    "pdf": ["<span", "<br", "textLayer", "font-family", "效</span>"],
}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_each_source_keeps_its_structure_and_loses_its_junk(name: str) -> None:
    clean = sanitize_html(FIXTURES[name])
    assert clean == CLEAN[name]
    for junk in JUNK[name]:
        assert junk in FIXTURES[name], junk
        assert junk not in clean, junk
    assert sanitize_html(clean) == clean


def test_full_width_punctuation_and_the_texts_own_spaces_are_kept() -> None:
    html = "<div><span>数据“上云”：增长 8 万家（同比）；</span><br><br>第二段。</div>"
    assert sanitize_html(html) == "<p>数据“上云”：增长 8 万家（同比）；</p><p>第二段。</p>"


def test_every_existing_body_is_kept_byte_for_byte() -> None:
    bodies = [markdown_to_html(path.read_text()) for path in sorted(SAMPLE.glob("articles/*.md"))]
    bodies += [
        markdown_to_html(data.decode()) if name.endswith(".md") else data.decode()
        for name, data in FILES.items()
        if name.startswith("articles/")
    ]
    assert len(bodies) == 21
    for body in bodies:
        assert sanitize_html(body) == body


def test_the_editors_own_wrapping_is_unwrapped_and_empty_blocks_go() -> None:
    editor_html = (
        "<ul><li><p>甲</p></li><li><p>乙</p><ul><li><p>丙</p></li></ul></li></ul>"
        '<table><tbody><tr><th colspan="1" rowspan="1"><p>指标</p></th>'
        '<td colspan="2" rowspan="1"><p>一</p><p>二</p></td></tr></tbody></table>'
        "<p></p><p>&nbsp;</p><h3> </h3><p><strong> </strong>尾</p>"
    )
    assert tidy_blocks(editor_html) == (
        "<ul><li>甲</li><li>乙<ul><li>丙</li></ul></li></ul>"
        '<table><tbody><tr><th>指标</th><td colspan="2"><p>一</p><p>二</p></td></tr>'
        "</tbody></table><p>尾</p>"
    )


def test_links_reach_the_allow_list_as_written() -> None:
    # Restructuring writes no URL of its own: a tab hidden in a scheme is still seen (and the
    # URL dropped), and a Chinese path is not percent-encoded.
    html = (
        '<div><a href="java&#x09;script:alert(1)">甲</a><br><br>'
        '<a href="https://www.gov.cn/政策/">乙</a></div>'
    )
    assert sanitize_html(html) == (
        '<p><a rel="noopener noreferrer">甲</a></p>'
        '<p><a href="https://www.gov.cn/政策/" rel="noopener noreferrer">乙</a></p>'
    )


def test_nothing_to_restructure_gives_nothing() -> None:
    assert restructure(" \n ") == ""
    assert sanitize_html("<div>\x00\x07</div>") == ""
