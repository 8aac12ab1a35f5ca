"""Pre-flight checks before an issue goes to the board: blocking problems and warnings.

Pure functions over an issue loaded by ``selectors.issue_for_edition``; the submit service refuses
on blocking checks and records the warnings with the submission.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from editorial.models import Article, Issue
from editorial.rendering.wechat import sent_wechat_title
from editorial.richtext import figure_numbers, plain_text, quoted_title
from editorial.wechat_limits import TITLE_MAX
from editorial.workflow import ArticleStatus

_CJK = r"[\u3400-\u9fff]"
# ASCII punctuation written against Chinese text, where full-width punctuation belongs.
_HALF_WIDTH = re.compile(rf"(?<={_CJK})[,;:?!()]|[,;:?!()](?={_CJK})")
# A policy document named after 印发/发布 without 《》 around it.
_UNQUOTED_DOCUMENT = re.compile(
    rf"(?:印发|发布|出台|公布)(?!《)({_CJK}{{2,30}}?(?:条例|办法|方案|规划|计划|意见|通知|要点|法案|战略|指南|规定|细则))"
)


class Level(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class Check:
    level: Level
    code: str
    message: str
    article_id: int | None = None


@dataclass(frozen=True)
class Finding:
    """One distinct reason: a check, or the same check failed by several articles, told once."""

    level: Level
    code: str
    message: str
    article_ids: tuple[int, ...] = ()


# The checks an article can fail, as said of several articles at once ("16 篇文章尚未定稿").
_SAID_OF_SEVERAL = {
    "missing_title": "缺少标题",
    "missing_body": "缺少正文",
    "missing_source": "缺少来源",
    "not_ready": "尚未定稿",
    "bad_url": "原文链接格式不正确",
    "figure_numbers": "图号未从 1 连续编号",
    "figure_caption": "有图缺少图题",
    "figure_marker": "正文放置了不存在的图",
    "section_split": "与同栏目的文章不相邻",
    "wechat_title": f"标题超过微信的 {TITLE_MAX} 字上限",
    "half_width": "中文里有半角标点",
    "book_title_marks": "文件名未加书名号",
}


def preflight_findings(checks: list[Check]) -> list[Finding]:
    """Each distinct reason once, in the order first met: a check that several articles fail
    becomes one finding naming how many ("16 篇文章尚未定稿。") and which."""
    groups: dict[tuple[Level, str], list[Check]] = {}
    for check in checks:
        groups.setdefault((check.level, check.code), []).append(check)
    findings = []
    for (level, code), group in groups.items():
        articles = tuple(dict.fromkeys(c.article_id for c in group if c.article_id is not None))
        if code in _SAID_OF_SEVERAL and len(articles) > 1:
            message = f"{len(articles)} 篇文章{_SAID_OF_SEVERAL[code]}。"
            findings.append(Finding(level, code, message, articles))
            continue
        for check in group:
            ids = () if check.article_id is None else (check.article_id,)
            findings.append(Finding(level, code, check.message, ids))
    return findings


def issue_preflight(issue: Issue) -> list[Check]:
    checks: list[Check] = []
    if not issue.notice_id:
        checks.append(Check(Level.BLOCK, "notice", "未设置版权声明。"))
    if not issue.masthead_organisations.all() or not issue.masthead_members.all():
        checks.append(Check(Level.BLOCK, "masthead", "报头未设置（机构和人员）。"))
    articles = list(issue.articles.all())
    if not articles:
        checks.append(Check(Level.BLOCK, "no_articles", "本期没有文章。"))
    seen_sections: list[int] = []
    for article in articles:
        if seen_sections and article.section_id != seen_sections[-1]:
            if article.section_id in seen_sections:
                checks.append(
                    Check(
                        Level.BLOCK,
                        "section_split",
                        f"{quoted_title(article.title)}：栏目“{article.section.name}”的文章不相邻。",
                        article.pk,
                    )
                )
        seen_sections.append(article.section_id)
        checks += article_preflight(article)
    return checks


def article_preflight(article: Article) -> list[Check]:
    checks: list[Check] = []
    name = quoted_title(article.title) if article.title else f"第{article.position}篇"

    def add(level: Level, code: str, message: str) -> None:
        checks.append(Check(level, code, f"{name}：{message}", article.pk))

    for field, label in (("title", "标题"), ("body", "正文"), ("source", "来源")):
        if not getattr(article, field).strip():
            add(Level.BLOCK, f"missing_{field}", f"缺少{label}。")
    if article.status != ArticleStatus.READY:
        add(Level.BLOCK, "not_ready", f"尚未定稿（{article.get_status_display()}）。")
    if article.original_url:
        try:
            URLValidator(schemes=["http", "https"])(article.original_url)
        except ValidationError:
            add(Level.BLOCK, "bad_url", f"原文链接格式不正确：{article.original_url}")
    figures = list(article.figures.all())
    numbers = [f.number for f in figures]
    if numbers != list(range(1, len(numbers) + 1)):
        add(Level.BLOCK, "figure_numbers", f"图号应从 1 连续编号（现为 {numbers}）。")
    for figure in figures:
        if not figure.caption.strip():
            add(Level.BLOCK, "figure_caption", f"图 {figure.number} 缺少图题。")
    for n in figure_numbers(article.body):
        if n not in numbers:
            add(Level.BLOCK, "figure_marker", f"正文放置了图 {n}，但没有这张图。")
    # The title WeChat receives: the editor's 公众号标题, or the proposal made from the title.
    sent = sent_wechat_title(article.title, article.wechat_title)
    if article.wechat_title.strip() and len(sent) > TITLE_MAX:
        add(
            Level.BLOCK,
            "wechat_title",
            f"公众号标题 {len(sent)} 字，超过微信的 {TITLE_MAX} 字上限，推送会被拒绝。",
        )
    elif not article.wechat_title.strip() and len(article.title) > TITLE_MAX:
        add(
            Level.WARN,
            "wechat_title",
            f"标题 {len(article.title)} 字，超过微信的 {TITLE_MAX} 字上限；"
            f"推送时使用“{sent}”（可在公众号标题中修改）。",
        )
    text = "\n".join([article.title, plain_text(article.body)])
    half_width = sorted(set(_HALF_WIDTH.findall(text)))
    if half_width:
        add(Level.WARN, "half_width", f"中文里有半角标点 {' '.join(half_width)}，应为全角。")
    # Each document once, though the title and the body both name it.
    for document in dict.fromkeys(_UNQUOTED_DOCUMENT.findall(text)):
        add(Level.WARN, "book_title_marks", f"文件名“{document}”应加书名号《》。")
    return checks
