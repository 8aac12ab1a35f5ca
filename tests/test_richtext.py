"""Rich text helpers: Markdown input, plain text, and placing figures at their markers."""

import pytest

from editorial.richtext import markdown_to_html, place_figures, plain_text, quoted_title

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
