"""A published archive of weekly issues for benchmarks and search: years of plausible policy text.

``generate_issues`` imports a few varied issues through the bundle import, which is right for
checking the typesetting and far too slow for ten years. This command writes the same kind of
content (its vocabulary and sentences, plus 文号, 算力, 大模型, 5G …) straight into the tables
in bulk: each batch of issues is one transaction with their masthead, ~16 articles of ~1,500 字
each, the Edition kept as approved and the search index, so the archive reads as if every issue
had been approved and published; then the database's statistics are refreshed (``ANALYZE``).
The same seed always gives the same archive.
"""

import datetime
import random
from argparse import ArgumentParser
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from editorial.editions import edition_to_data
from editorial.models import (
    ApprovedEdition,
    Article,
    CopyrightNotice,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Organisation,
    Person,
    Publication,
    SearchEntry,
    Section,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.selectors import issue_live_edition
from editorial.services.search_index import search_entries, search_generation_bump
from editorial.workflow import ArticleStatus, IssueStatus

from .generate_issues import (
    AGENCIES,
    HEADINGS,
    INDICATORS,
    MEASURES,
    ORGANISATION,
    PLACES,
    PROFILE,
    PUBLICATION,
    SECTIONS,
    TOPICS,
    _paragraph,
    _sentence,
    _title,
)

LAST_DATE = datetime.date(2025, 12, 29)  # a Monday; the archive ends here
ISSUES_PER_YEAR = 52
ARTICLES = (12, 20)  # per issue
BODY_CHARACTERS = (1200, 1800)
BATCH = 26  # issues per transaction
BEIJING = ZoneInfo("Asia/Shanghai")
NOTICE = "声明：本刊为内部交流资料，选编内容来自公开信息，版权属于原作者。"
EDITORS_IN_CHIEF = ["林海"]
RESPONSIBLE_EDITORS = ["周敏", "王小川", "陈思远", "赵一鸣"]
# 文号 as the State Council and ministries print them: issuer's code, 〔year〕, number, 号.
ISSUER_CODES = ["国办发", "国发", "工信部联规", "发改高技", "国数发", "商电发", "财建", "国科发"]
TECHNOLOGIES = [
    "AI大模型",
    "5G网络",
    "算力网络",
    "智算中心",
    "工业互联网",
    "数据要素市场",
    "人工智能",
    "东数西算工程",
    "中国数谷",
    "区块链",
    "量子计算",
    "卫星互联网",
]
SOURCES = [*AGENCIES, *PLACES, "中国政府网", "“数据观”微信公众号", "新华社"]


def document_number(rng: random.Random, year: int) -> str:
    return f"{rng.choice(ISSUER_CODES)}〔{year}〕{rng.randint(1, 60)}号"


def _policy_sentence(rng: random.Random, year: int, theme: str) -> str:
    """Sentences of the archive's own about the article's ``theme`` (one of TECHNOLOGIES): 文号,
    computing power, models, mixed Chinese and English."""
    topic, measure = rng.choice(TOPICS), rng.choice(MEASURES)
    return rng.choice(
        [
            f"{rng.choice(AGENCIES)}印发《关于{topic}的指导意见》（{document_number(rng, year)}），"
            f"提出{measure}。",
            f"{rng.choice(PLACES)}加快建设{theme}，相关产业规模达到{rng.randint(2, 900)}亿元，"
            f"较上年增长{rng.randint(2, 40)}.{rng.randint(0, 9)}%。",
            f"文件明确，推动{theme}在政务、金融、制造等领域应用，培育一批行业应用标杆，"
            f"打造{rng.randint(3, 30)}个典型场景。",
            f"根据《{topic}行动计划》（{document_number(rng, year)}），到{year + 3}年，"
            f"{rng.choice(INDICATORS)}突破{rng.randint(100, 9000)}亿元。",
            f"专家认为，{theme}正在成为数字经济发展的新引擎，要{measure}。",
        ]
    )


def _article_body(rng: random.Random, year: int) -> str:
    """Paragraphs under sub-headings until the text is about 1,500 characters."""
    target = rng.randint(*BODY_CHARACTERS)
    theme = rng.choice(TECHNOLOGIES)
    parts: list[str] = []
    length = 0
    headings = iter(HEADINGS)
    while length < target:
        if parts and rng.random() < 0.25 and (heading := next(headings, None)):
            parts.append(f"<h3>{heading}</h3>")
        if rng.random() < 0.5:
            paragraph = "".join(_policy_sentence(rng, year, theme) for _ in range(3))
            paragraph = f"<p>{paragraph}</p>"
        else:
            paragraph = _paragraph(rng) if rng.random() < 0.5 else f"<p>{_sentence(rng)}</p>"
        parts.append(paragraph)
        length += len(paragraph) - 7
    return "\n".join(parts)


def _article_title(rng: random.Random, year: int) -> str:
    if rng.random() < 0.3:
        return (
            f"{rng.choice(AGENCIES)}印发《关于推进{rng.choice(TECHNOLOGIES)}发展的若干措施》"
            f"（{document_number(rng, year)}）"
        )
    return _title(rng)[:200]


def _notes(rng: random.Random) -> str:
    if rng.random() >= 0.2:
        return ""
    return (
        "<p>（注：1.文中数据除注明外均为初步统计数。</p>"
        f"<p>2.{rng.choice(INDICATORS)}按{rng.choice(TOPICS)}统计口径计算。）</p>"
    )


def issue_dates(count: int) -> list[datetime.date]:
    """``count`` weekly dates ending on LAST_DATE."""
    first = LAST_DATE - datetime.timedelta(weeks=count - 1)
    return [first + datetime.timedelta(weeks=i) for i in range(count)]


def published_at(date: datetime.date) -> datetime.datetime:
    """When a generated issue was approved and published: 9:00 Beijing time on its date."""
    return datetime.datetime.combine(date, datetime.time(9), tzinfo=BEIJING)


def generate_archive(
    issues: int,
    seed: int,
    *,
    progress: Callable[[range], Iterable[int]] = iter,
    articles: tuple[int, int] = ARTICLES,
) -> Publication:
    """``issues`` published weekly issues of a new publication (PUBLICATION), in bulk, each
    with between ``articles[0]`` and ``articles[1]`` articles."""
    if Publication.objects.filter(slug=PUBLICATION["slug"]).exists():
        raise CommandError(f"刊物“{PUBLICATION['name']}”已存在：请换一个空数据库再生成往期。")
    with transaction.atomic():
        publication = Publication.objects.create(**PUBLICATION)
        sections = [
            Section.objects.create(publication=publication, slug=slug, name=name, position=i)
            for i, (slug, name) in enumerate(SECTIONS)
        ]
        notice = CopyrightNotice.objects.create(publication=publication, version=1, text=NOTICE)
        organisation, _ = Organisation.objects.get_or_create(
            name=ORGANISATION, defaults={"acronym": "DGRC", "profile": PROFILE}
        )
        people = [
            Person.objects.get_or_create(name=name)[0]
            for name in [*EDITORS_IN_CHIEF, *RESPONSIBLE_EDITORS]
        ]
    dates = issue_dates(issues)
    numbers: dict[int, int] = {}
    batch: list[tuple[int, datetime.date, int]] = []
    for index in progress(range(issues)):
        date = dates[index]
        numbers[date.year] = numbers.get(date.year, 0) + 1
        batch.append((index + 1, date, numbers[date.year]))
        if len(batch) == BATCH or index == issues - 1:
            _write_batch(batch, seed, articles, publication, sections, notice, organisation, people)
            batch = []
    return publication


@transaction.atomic
def _write_batch(
    batch: list[tuple[int, datetime.date, int]],
    seed: int,
    per_issue: tuple[int, int],
    publication: Publication,
    sections: list[Section],
    notice: CopyrightNotice,
    organisation: Organisation,
    people: list[Person],
) -> None:
    """One transaction: the issues, their masthead and articles, Editions and index rows."""
    created = Issue.objects.bulk_create(
        Issue(
            publication=publication,
            date=date,
            number=number,
            total_number=total,
            notice=notice,
            status=IssueStatus.PUBLISHED,
            published_at=published_at(date),
        )
        for total, date, number in batch
    )
    MastheadOrganisation.objects.bulk_create(
        MastheadOrganisation(issue=i, role=OrganisationRole.CHIEF_EDITOR, organisation=organisation)
        for i in created
    )
    chief = people[0]
    MastheadMember.objects.bulk_create(
        MastheadMember(
            issue=issue,
            role=PersonRole.EDITOR_IN_CHIEF if person == chief else PersonRole.RESPONSIBLE_EDITOR,
            person=person,
            position=position,
        )
        for issue in created
        for position, person in enumerate(people)
    )
    articles = []
    for issue in created:
        rng = random.Random(f"archive-{seed}-{issue.total_number}")  # noqa: S311 - not secrets
        count = rng.randint(*per_issue)
        placed = sorted(rng.choices(range(len(sections)), k=count))
        for position, section_index in enumerate(placed, start=1):
            url = rng.random() < 0.6
            articles.append(
                Article(
                    issue=issue,
                    section=sections[section_index],
                    position=position,
                    title=_article_title(rng, issue.date.year),
                    body=_article_body(rng, issue.date.year),
                    source=rng.choice(SOURCES),
                    original_url=f"https://www.example.gov.cn/zcwj/{issue.date.year}/"
                    f"{issue.total_number}/t{position:02d}.html"
                    if url
                    else "",
                    qr_caption="扫描二维码可阅读全文" if url else "",
                    notes=_notes(rng),
                    responsible_editor=rng.choice(people[1:]),
                    status=ArticleStatus.READY,
                )
            )
    Article.objects.bulk_create(articles)
    approved, entries = [], []
    for issue in created:
        edition = issue_live_edition(issue.pk)
        approved.append(
            ApprovedEdition(
                issue=issue,
                fingerprint=edition.fingerprint,
                data=edition_to_data(edition),
                approved_at=published_at(issue.date),
            )
        )
        entries += search_entries(issue, edition)
    ApprovedEdition.objects.bulk_create(approved)
    SearchEntry.objects.bulk_create(entries)
    search_generation_bump()


class Command(BaseCommand):
    help = (
        "Generate a published archive of weekly issues (52 a year, 12–20 articles of about "
        "1,500 characters each, with 文号, 算力, 数据要素, AI大模型 …) in bulk, with each "
        "issue's approved Edition and its search index, ending on 2025-12-29. For benchmarks "
        "and search; needs a database without the generated publication. The same --seed "
        "gives the same archive."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--years", type=int, default=10, help="years of weekly issues")
        parser.add_argument(
            "--issues", type=int, default=None, help="this many issues instead of --years"
        )
        parser.add_argument("--seed", type=int, default=1, help="seed of the content")

    def handle(self, *args: Any, years: int, issues: int | None, seed: int, **options: Any) -> None:
        count = issues if issues is not None else years * ISSUES_PER_YEAR
        if count < 1:
            raise CommandError("期数必须大于 0。")

        def progress(items: range) -> Iterable[int]:
            return tqdm(items, desc="生成往期", unit="期", file=self.stderr)

        publication = generate_archive(count, seed, progress=progress)
        # The planner's statistics still describe empty tables after a bulk load: without them
        # PostgreSQL joins every article to take the newest page of a list (43 ms against 0.3 ms
        # at 8,300 articles). Autovacuum would catch up later; the archive is meant for now.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        articles = Article.objects.filter(issue__publication=publication).count()
        self.stdout.write(f"已生成 {publication}：{count} 期，{articles} 篇文章。")
