"""Diffs mark what changed inside a paragraph, character by character, escaped; paragraphs that
have little in common are shown as one removed and one added."""

from editorial.diffs import _line_diff


def test_a_changed_figure_is_marked_inside_its_paragraph() -> None:
    html = str(_line_diff("第一段。\n同比增长 13.8%。", "第一段。\n同比增长 13.9%。"))

    edited = '<span class="edited">同比增长 13.<del>8</del><ins>9</ins>%。</span>'
    assert html == f"<span>第一段。</span><br>{edited}"


def test_a_rewritten_paragraph_is_one_removed_and_one_added() -> None:
    assert str(_line_diff("甲乙丙丁", "戊己庚辛")) == "<del>甲乙丙丁</del><br><ins>戊己庚辛</ins>"


def test_added_and_removed_paragraphs_and_escaping() -> None:
    html = str(_line_diff("a <b> 1\nkept", "a <b> 2\nkept\n<script>x</script>"))

    assert html == (
        '<span class="edited">a &lt;b&gt; <del>1</del><ins>2</ins></span><br>'
        "<span>kept</span><br><ins>&lt;script&gt;x&lt;/script&gt;</ins>"
    )
    assert str(_line_diff("one\ntwo", "one")) == "<span>one</span><br><del>two</del>"
