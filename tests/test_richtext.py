"""Rich text helpers: Markdown input, plain text, and placing figures at their markers."""

import pytest

from editorial.richtext import (
    markdown_render,
    markdown_to_html,
    place_figures,
    plain_text,
    quoted_title,
    sanitize_html,
    sanitize_html_reporting,
)

BODY = '<p>甲。</p><figure data-figure="2"></figure><p>乙。</p><figure data-figure="9"></figure>'


def test_figures_go_to_their_markers_and_the_rest_to_the_end() -> None:
    figures = {1: "一", 2: "二"}
    body, rest = place_figures(BODY, figures, lambda f: f"[{f}]")
    assert body == "<p>甲。</p>[二]<p>乙。</p>"
    assert rest == ["[一]"]


def test_a_marker_without_its_figure_is_reported_by_the_caller() -> None:
    def missing(number: int) -> str:
        raise LookupError(f"图 {number}")

    with pytest.raises(LookupError, match="图 9"):
        place_figures(BODY, {2: "二"}, str, missing=missing)


def test_markdown_bold_leads_and_plain_text() -> None:
    html = markdown_to_html("**一是**，推进。\n\n### 一、目标\n\n正文。")
    assert html == "<p><strong>一是</strong>，推进。</p>\n<h3>一、目标</h3>\n<p>正文。</p>"
    assert plain_text(html) == "一是，推进。\n一、目标\n正文。"


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("数据要素市场建设取得新进展", "《数据要素市场建设取得新进展》"),
        ("  《数字经济2024年工作要点》 ", "《数字经济2024年工作要点》"),
        ("《湖北省数据条例(草案)》发布", "《〈湖北省数据条例(草案)〉发布》"),
        ("商务部印发《数字商务三年行动计划》", "《商务部印发〈数字商务三年行动计划〉》"),
        ("《甲》与《乙》", "《〈甲〉与〈乙〉》"),
    ],
)
def test_a_title_is_quoted_once(title: str, quoted: str) -> None:
    assert quoted_title(title) == quoted


# --- what the sanitizer removed, told to the editor ---------------------------------------------


def test_the_report_names_each_kind_removed_with_its_count() -> None:
    from tests.models.test_articles import HOSTILE

    _, removed = sanitize_html_reporting(HOSTILE)
    assert str(removed) == (
        "已移除：脚本 1 处，样式表 1 处，事件处理属性 4 个，javascript: 链接 1 处，内嵌图片 1 张，"
        "嵌入的网页或对象 1 处，SVG/MathML 图形 1 处，样式属性 1 个"
    )


def test_the_report_of_pasted_office_markup_names_the_tags_and_attributes() -> None:
    html = (
        '<p style="color:red" class="MsoNormal"><span lang=EN>甲</span><font face=x>乙</font>'
        '<img src="https://x.org/a.png"></p><!-- c --><ol start=2 type=a><li value=3>丙</li></ol>'
        '<p><a href="vbscript:msgbox(1)">丁</a><a href=" JaVa&#x09;Script:x()">戊</a></p>'
    )
    cleaned, removed = sanitize_html_reporting(html)
    assert cleaned == sanitize_html(html)
    assert str(removed) == (
        "已移除：javascript: 链接 1 处，不允许协议的链接 1 处，外部图片 1 张，样式属性 1 个，"
        "其他属性 3 个（class、type、value），其他标签（文字保留） 2 个（font、span），注释 1 处"
    )


def test_clean_text_reports_nothing() -> None:
    html = markdown_to_html("**一是**，推进。\n\n### 一、目标\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |")
    html += (
        '<p><a href="https://www.gov.cn/" title="t">链接</a></p><figure data-figure="1"></figure>'
    )
    _, removed = sanitize_html_reporting(html)
    assert not removed and str(removed) == ""
    _, removed = sanitize_html_reporting(markdown_render("<b>甲</b> <sup>2</sup> H<sub>2</sub>O"))
    assert not removed


def test_nothing_in_the_xss_corpus_is_dropped_silently() -> None:
    """Every vector the sanitizer changes is reported; the only silent ones are those it keeps
    as they are: text that is no markup, a percent-encoded "scheme" (a relative link), and
    markup inside the title attribute of an allowed element (text)."""
    from tests.security.xss_corpus import CORPUS

    silent = {v.id for v in CORPUS if not sanitize_html_reporting(f"<p>甲{v.payload}</p>")[1]}
    kept_as_is = {
        v.id
        for v in CORPUS
        if "<" not in v.payload
        or v.payload.startswith(('<a href="jav%61', "<a href='jav%61"))
        or v.payload.startswith(("<table><p title=", "<a><p title="))
    }
    assert silent == kept_as_is
    assert len(kept_as_is) == 16
