"""Pre-flight: each blocking rule and each warning with its exact message, on small issues."""

from typing import Any

import pytest

from editorial.models import Article, AuditEntry, Issue, QrCaption
from editorial.preflight import Check, Finding, Level, issue_preflight, preflight_findings
from editorial.rendering.wechat import propose_wechat_title
from editorial.selectors import issue_for_edition
from editorial.services import issue_transitions
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db

B, W = Level.BLOCK, Level.WARN
TITLE = "数据要素市场建设取得新进展"


def checks(issue: Issue) -> list[Check]:
    return issue_preflight(issue_for_edition(issue.pk))


def one_article(**changes: Any) -> tuple[Issue, Article]:
    """A clean issue whose only article is then changed by ``changes``."""
    issue = small_issue()
    article = issue.articles.get()
    article.title, article.position, article.body = TITLE, 3, "<p>正文。</p>"
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    return issue, article


def test_a_clean_issue_has_no_checks() -> None:
    issue, article = one_article(
        original_url="https://www.example.org/a?b=1", qr_caption=QrCaption.FULL_TEXT
    )
    factories.FigureFactory.create(article=article, number=1, caption="图一")
    factories.FigureFactory.create(article=article, number=2, caption="图二")
    article.body = '<p>正文，含“引号”和《数字经济发展规划》。</p><figure data-figure="2"></figure>'
    article.save()
    assert checks(issue) == []


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"title": ""}, "missing_title", "第3篇：缺少标题。"),
        ({"body": ""}, "missing_body", f"《{TITLE}》：缺少正文。"),
        ({"source": ""}, "missing_source", f"《{TITLE}》：缺少来源。"),
        ({"source": "  "}, "missing_source", f"《{TITLE}》：缺少来源。"),
        ({"status": ArticleStatus.DRAFT}, "not_ready", f"《{TITLE}》：尚未定稿（草稿）。"),
        ({"status": ArticleStatus.IN_EDIT}, "not_ready", f"《{TITLE}》：尚未定稿（编辑中）。"),
        (
            {"original_url": "www.example.org/a", "qr_caption": QrCaption.FULL_TEXT},
            "bad_url",
            f"《{TITLE}》：原文链接格式不正确：www.example.org/a",
        ),
        (
            {"original_url": "ftp://example.org/a.pdf", "qr_caption": QrCaption.ORIGINAL_FILE},
            "bad_url",
            f"《{TITLE}》：原文链接格式不正确：ftp://example.org/a.pdf",
        ),
    ],
)
def test_article_blocking_rules(changes: dict[str, Any], code: str, message: str) -> None:
    issue, article = one_article(**changes)
    assert checks(issue) == [Check(B, code, message, article.pk)]


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("《湖北省数据条例（草案）》发布", "《〈湖北省数据条例（草案）〉发布》"),
        ("《数字经济2024年工作要点》", "《数字经济2024年工作要点》"),
    ],
)
def test_messages_quote_a_title_once(title: str, named: str) -> None:
    issue, article = one_article(title=title, source="")
    assert checks(issue) == [Check(B, "missing_source", f"{named}：缺少来源。", article.pk)]


@pytest.mark.parametrize(
    ("numbers", "shown"), [([1, 3], "[1, 3]"), ([2], "[2]"), ([2, 3], "[2, 3]")]
)
def test_figures_must_be_numbered_from_one_without_gaps(numbers: list[int], shown: str) -> None:
    issue, article = one_article()
    for n in numbers:
        factories.FigureFactory.create(article=article, number=n)
    assert checks(issue) == [
        Check(
            B, "figure_numbers", f"《{TITLE}》：图号应从 1 连续编号（现为 {shown}）。", article.pk
        )
    ]


@pytest.mark.parametrize("caption", ["", "   "])
def test_a_figure_needs_a_caption(caption: str) -> None:
    issue, article = one_article()
    factories.FigureFactory.create(article=article, number=1, caption="有图题")
    factories.FigureFactory.create(article=article, number=2, caption=caption)
    assert checks(issue) == [
        Check(B, "figure_caption", f"《{TITLE}》：图 2 缺少图题。", article.pk)
    ]


def test_a_figure_marker_needs_its_figure() -> None:
    issue, article = one_article(
        body='<p>正文。</p><figure data-figure="1"></figure><figure data-figure="3"></figure>'
    )
    factories.FigureFactory.create(article=article, number=1)
    assert checks(issue) == [
        Check(B, "figure_marker", f"《{TITLE}》：正文放置了图 3，但没有这张图。", article.pk)
    ]


@pytest.mark.parametrize("missing", ["organisations", "members", "both"])
def test_the_masthead_needs_organisations_and_people(missing: str) -> None:
    issue = small_issue()
    if missing in ("organisations", "both"):
        issue.masthead_organisations.all().delete()
    if missing in ("members", "both"):
        issue.masthead_members.all().delete()
    assert checks(issue) == [Check(B, "masthead", "报头未设置（机构和人员）。")]


def test_the_notice_is_required() -> None:
    issue = small_issue()
    Issue.objects.filter(pk=issue.pk).update(notice=None)
    assert checks(issue) == [Check(B, "notice", "未设置版权声明。")]


def test_an_issue_needs_articles() -> None:
    issue = small_issue(articles=0)
    assert checks(issue) == [Check(B, "no_articles", "本期没有文章。")]


def test_an_empty_issue_reports_every_issue_level_problem_in_order() -> None:
    issue = factories.IssueFactory.create()
    assert [(c.level, c.code) for c in checks(issue)] == [
        (B, "notice"),
        (B, "masthead"),
        (B, "no_articles"),
    ]


def test_a_sections_articles_must_be_adjacent() -> None:
    issue = small_issue(articles=0)
    one, two = (factories.SectionFactory.create(publication=issue.publication) for _ in "12")
    layout = [(one, "甲"), (two, "乙"), (one, "丙"), (one, "丁"), (two, "戊")]
    made = [
        factories.ArticleFactory.create(
            issue=issue, section=s, title=t, position=i, status=ArticleStatus.READY
        )
        for i, (s, t) in enumerate(layout, start=1)
    ]
    assert checks(issue) == [
        Check(B, "section_split", f"《丙》：栏目“{one.name}”的文章不相邻。", made[2].pk),
        Check(B, "section_split", f"《戊》：栏目“{two.name}”的文章不相邻。", made[4].pk),
    ]


@pytest.mark.parametrize(("length", "warned"), [(32, False), (33, True), (40, True)])
def test_titles_longer_than_wechat_allows_are_warned_with_the_title_sent(
    length: int, warned: bool
) -> None:
    title = ("数据" * 20)[:length]
    issue, article = one_article(title=title)
    sent = propose_wechat_title(title)
    expected = [
        Check(
            W,
            "wechat_title",
            f"《{title}》：标题 {length} 字，超过微信的 32 字上限；"
            f"推送时使用“{sent}”（可在公众号标题中修改）。",
            article.pk,
        )
    ]
    assert checks(issue) == (expected if warned else [])
    assert len(sent) <= 32


@pytest.mark.parametrize(("wechat_title", "blocked"), [("短标题", False), ("标" * 33, True)])
def test_the_wechat_title_set_by_the_editor_is_the_one_checked(
    wechat_title: str, blocked: bool
) -> None:
    issue, article = one_article(title="数据" * 20, wechat_title=wechat_title)
    expected = [
        Check(
            B,
            "wechat_title",
            f"《{article.title}》：公众号标题 33 字，超过微信的 32 字上限，推送会被拒绝。",
            article.pk,
        )
    ]
    assert checks(issue) == (expected if blocked else [])


@pytest.mark.parametrize(
    ("title", "body", "marks"),
    [
        (TITLE, "<p>数据,治理(试行)</p>", "( ) ,"),
        ("数据:治理", "<p>正文。</p>", ":"),
        (TITLE, "<p>2024,全省数据交易额?增长</p>", ", ?"),
        (TITLE, "<p>是否;可行!</p>", "! ;"),
    ],
)
def test_half_width_punctuation_next_to_chinese_is_warned(
    title: str, body: str, marks: str
) -> None:
    issue, article = one_article(title=title, body=body)
    assert checks(issue) == [
        Check(W, "half_width", f"《{title}》：中文里有半角标点 {marks}，应为全角。", article.pk)
    ]


@pytest.mark.parametrize(
    "body",
    [
        "<p>GDP, CPI and PPI (2024).</p>",
        "<p>数据，治理（试行）：可行？</p>",
        "<p>增长 3.5%，共 1,200 家。</p>",
    ],
)
def test_half_width_punctuation_away_from_chinese_is_fine(body: str) -> None:
    issue, _ = one_article(body=body)
    assert checks(issue) == []


@pytest.mark.parametrize(
    ("title", "body", "document"),
    [
        (TITLE, "<p>国务院印发数字经济发展规划。</p>", "数字经济发展规划"),
        ("杭州印发数字贸易强市三年行动计划", "<p>正文。</p>", "数字贸易强市三年行动计划"),
        (
            TITLE,
            "<p>省政府发布数据要素市场培育实施方案，明确目标。</p>",
            "数据要素市场培育实施方案",
        ),
    ],
)
def test_a_document_named_after_yinfa_without_book_title_marks_is_warned(
    title: str, body: str, document: str
) -> None:
    issue, article = one_article(title=title, body=body)
    assert checks(issue) == [
        Check(W, "book_title_marks", f"《{title}》：文件名“{document}”应加书名号《》。", article.pk)
    ]


def test_a_document_named_in_the_title_and_the_body_is_warned_of_once() -> None:
    title = "多地出台公共数据授权运营管理办法"
    issue, article = one_article(title=title, body=f"<p>{title}。</p><p>{title}。</p>")
    assert checks(issue) == [
        Check(
            W,
            "book_title_marks",
            f"《{title}》：文件名“公共数据授权运营管理办法”应加书名号《》。",
            article.pk,
        )
    ]


@pytest.mark.parametrize(
    "body",
    ["<p>国务院印发《数字经济发展规划》。</p>", "<p>国务院印发了《数字经济发展规划》。</p>"],
)
def test_a_quoted_document_name_is_fine(body: str) -> None:
    issue, _ = one_article(body=body)
    assert checks(issue) == []


def test_one_article_with_many_problems_lists_them_in_rule_order() -> None:
    title = "省里印发数据条例,共计三十三个字的一个很长很长很长很长很长的标题啊"
    issue, article = one_article(title=title, source="", status=ArticleStatus.IN_EDIT)
    factories.FigureFactory.create(article=article, number=2, caption="")
    assert len(title) == 33
    assert [(c.level, c.code) for c in checks(issue)] == [
        (B, "missing_source"),
        (B, "not_ready"),
        (B, "figure_numbers"),
        (B, "figure_caption"),
        (W, "wechat_title"),
        (W, "half_width"),
        (W, "book_title_marks"),
    ]


def test_submit_records_the_warnings_it_let_through() -> None:
    title = "杭州印发数字贸易强市三年行动计划"
    issue, _ = one_article(title=title)
    bring_to(issue, IssueStatus.IN_REVIEW)
    entry = AuditEntry.objects.get(issue=issue, action="submit")
    assert entry.note == f"提醒：《{title}》：文件名“数字贸易强市三年行动计划”应加书名号《》。"


def test_the_sample_issue() -> None:
    """The printed 2024年第16期 as imported: one block (no 来源) and nine warnings."""
    issue = sample_issue()
    Article.objects.filter(issue=issue).update(status=ArticleStatus.READY)
    by_position: dict[int | None, int] = dict(issue.articles.values_list("pk", "position"))
    found = [(c.level, c.code, c.message, by_position[c.article_id]) for c in checks(issue)]
    assert found == [
        (
            W,
            "wechat_title",
            "《国家发展改革委办公厅 国家数据局综合司印发〈数字经济2024年工作要点〉》："
            "标题 36 字，超过微信的 32 字上限；推送时使用“《数字经济2024年工作要点》印发”"
            "（可在公众号标题中修改）。",
            1,
        ),
        (
            W,
            "half_width",
            "《商务部印发〈数字商务三年行动计划(2024-2026年)〉》：中文里有半角标点 ( )，应为全角。",
            2,
        ),
        (W, "half_width", "《〈湖北省数据条例(草案)〉发布》：中文里有半角标点 ( )，应为全角。", 4),
        (
            W,
            "book_title_marks",
            "《河北印发工业和信息化领域数字人民币试点工作实施方案》："
            "文件名“工业和信息化领域数字人民币试点工作实施方案”应加书名号《》。",
            6,
        ),
        (
            W,
            "book_title_marks",
            "《杭州印发数字贸易强市三年行动计划》：文件名“数字贸易强市三年行动计划”应加书名号《》。",
            7,
        ),
        (
            W,
            "half_width",
            "《〈石家庄市中小企业数字化转型赋能服务商管理办法(试行)〉印发》："
            "中文里有半角标点 ( )，应为全角。",
            8,
        ),
        (
            W,
            "wechat_title",
            "《中国网络安全产业联盟发布〈美国对全球网络空间安全与发展的威胁和破坏〉》："
            "标题 34 字，超过微信的 32 字上限；"
            "推送时使用“《美国对全球网络空间安全与发展的威胁和破坏》发布”（可在公众号标题中修改）。",
            9,
        ),
        (B, "missing_source", "《2024年一季度软件业经济运行情况》：缺少来源。", 13),
        (
            W,
            "half_width",
            "《2024年一季度软件业经济运行情况》：中文里有半角标点 ( )，应为全角。",
            13,
        ),
        (
            W,
            "half_width",
            "《2024年一季度互联网和相关服务业运行情况》：中文里有半角标点 ( )，应为全角。",
            14,
        ),
    ]
    # Only two titles are over the limit; the third longest is exactly 32 characters.
    lengths = sorted((len(a.title) for a in issue.articles.all()), reverse=True)
    assert lengths[:3] == [36, 34, 32]


def test_the_sample_issue_can_be_submitted_once_its_source_is_set() -> None:
    issue = sample_issue()
    Article.objects.filter(issue=issue).update(status=ArticleStatus.READY)
    Article.objects.filter(issue=issue, source="").update(source="工业和信息化部运行监测协调局")
    issue_transitions.issue_start_edit(actor=None, issue_id=issue.pk)
    issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    note = AuditEntry.objects.get(issue=issue, action="submit").note
    assert note.count("提醒：") == 9
    assert note.count("超过微信的 32 字上限") == 2


def test_findings_say_a_check_failed_by_several_articles_once_with_all_of_them() -> None:
    failed = [
        Check(B, "notice", "未设置版权声明。"),
        *(Check(B, "not_ready", f"《第{n}篇》：尚未定稿（草稿）。", n) for n in (4, 5, 6)),
        Check(B, "missing_source", "《第5篇》：缺少来源。", 5),
        Check(W, "half_width", "《第4篇》：中文里有半角标点 ,，应为全角。", 4),
        Check(W, "half_width", "《第6篇》：中文里有半角标点 (，应为全角。", 6),
    ]

    assert preflight_findings(failed) == [
        Finding(B, "notice", "未设置版权声明。"),
        Finding(B, "not_ready", "3 篇文章尚未定稿。", (4, 5, 6)),
        Finding(B, "missing_source", "《第5篇》：缺少来源。", (5,)),
        Finding(W, "half_width", "2 篇文章中文里有半角标点。", (4, 6)),
    ]


def test_a_refused_submission_gives_each_reason_once() -> None:
    issue = bring_to(small_issue(articles=3), IssueStatus.IN_EDIT)
    Article.objects.filter(issue=issue).update(status=ArticleStatus.DRAFT, source="")

    with pytest.raises(issue_transitions.PreflightRefused) as refused:
        issue_transitions.issue_submit(actor=None, issue_id=issue.pk)

    assert refused.value.messages == ["3 篇文章缺少来源。", "3 篇文章尚未定稿。"]
    ids = tuple(issue.articles.order_by("position").values_list("pk", flat=True))
    assert [f.article_ids for f in refused.value.findings] == [ids, ids]
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_EDIT
