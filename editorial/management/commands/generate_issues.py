"""Generated issues for typesetting checks: every kind of content a proofreader sees in print.

The sample is one issue; the print rules must hold for any. ``generate_issues`` writes a bundle
per issue (docs/issue-bundle.md) and imports it through ``services.bundles.issue_import``, so the
issues are exactly what an editor could import. The same seed always gives the same content.
"""

import datetime
import io
import json
import random
import tempfile
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw
from tqdm import tqdm

from editorial.models import Issue, Publication
from editorial.services.bundles import issue_import
from editorial.services.issues import issue_propose_numbers
from editorial.services.permissions import Actor

PUBLICATION = {
    "slug": "shengcheng",
    "name": "数字治理周报",
    "tagline": "为数字治理决策者提供及时、准确、有用的参考信息",
    "slogan": "以全球视野观察数字中国",
    "frequency": "weekly",
    "phone": "010-66668888",
    "email": "digest@example.org",
    "address": "北京市西城区示例路 1 号",
}
ORGANISATION = "数字治理研究中心"
PROFILE = (
    "<p>数字治理研究中心成立于 2016 年，是专注于数据要素、人工智能治理和数字经济统计的"
    "研究机构，累计发布研究报告 120 余份，服务 30 多个省市的数字化决策。</p>"
)
FIRST_DATE = datetime.date(2025, 1, 6)
PORTRAIT = (800, 1200)
LANDSCAPE = (1200, 700)

AGENCIES = ["国家数据局", "工业和信息化部", "商务部", "国家发展改革委", "科技部", "财政部"]
PLACES = ["贵州省", "浙江省", "深圳市", "杭州市", "湖北省", "成都市", "河南省", "上海市"]
TOPICS = [
    "数据要素市场化配置改革",
    "人工智能产业创新发展",
    "公共数据资源开发利用",
    "数字经济高质量发展",
    "工业互联网创新发展",
    "算力基础设施建设",
    "数字人民币试点",
    "中小企业数字化转型",
]
KINDS = ["行动计划", "实施方案", "若干措施", "工作要点", "管理办法（试行）", "条例"]
VERBS = ["印发", "发布", "出台"]
ENGLISH_TITLES = [
    "OECD Digital Economy Outlook 2024",
    "EU Artificial Intelligence Act Enters into Force",
    "UK Publishes National Data Strategy Update",
    "Singapore Launches Model AI Governance Framework for Generative AI",
]
SECTIONS = [
    ("guoce", "国策要论"),
    ("difang", "地方新政"),
    ("chanye", "产业前沿"),
    ("guoji", "国际视野"),
]
HEADINGS = ["一、总体要求", "二、主要任务", "三、保障措施", "四、组织实施", "五、下一步工作"]
MEASURES = [
    "加快建设全国一体化数据市场",
    "推动公共数据授权运营",
    "培育数据标注和数据经纪等新业态",
    "完善数据产权登记和收益分配制度",
    "支持龙头企业牵头建设行业可信数据空间",
    "加强数据安全监测预警和应急处置",
    "开展“数据要素×”典型案例征集",
    "推动算力、算法、数据协同发展",
]
INDICATORS = ["营业收入", "利润总额", "出口交货值", "固定资产投资", "软件业务收入", "数据产量"]
COLOURS = [(52, 101, 164), (204, 102, 51), (78, 154, 6), (117, 80, 123), (193, 125, 17)]


def generate_issues(
    count: int,
    seed: int,
    *,
    actor: Actor = None,
    progress: Callable[[range], Any] = iter,
) -> list[Issue]:
    """Import ``count`` generated issues, numbered after the publication's last one."""
    issues = []
    for index in progress(range(count)):
        publication = Publication.objects.filter(slug=PUBLICATION["slug"]).first()
        last = Issue.objects.filter(publication=publication).order_by("-total_number").first()
        date = last.date + datetime.timedelta(days=7) if last else FIRST_DATE
        number, total = (
            issue_propose_numbers(publication=publication, date=date) if publication else (1, 1)
        )
        rng = random.Random(f"{seed}-{index}")  # noqa: S311 - test content, not secrets
        with tempfile.TemporaryDirectory(prefix="digest-issue-") as folder:
            write_issue_bundle(Path(folder), rng, date=date, number=number, total=total)
            issues.append(issue_import(actor=actor, source=Path(folder)))
    return issues


def write_issue_bundle(
    folder: Path,
    rng: random.Random,
    *,
    date: datetime.date,
    number: int,
    total: int,
    articles: int | None = None,
) -> None:
    """A bundle of 2–5 articles (or ``articles``) in 1–4 sections at ``folder``."""
    (folder / "articles").mkdir()
    (folder / "images").mkdir()
    (folder / "profiles").mkdir()
    (folder / "profiles" / "centre.html").write_text(PROFILE, encoding="utf-8")
    count = articles or rng.randint(2, 5)
    sections = SECTIONS[: rng.randint(1, min(count, len(SECTIONS)))]
    # Sorted section indices with every section used: single-article sections happen often.
    placed = sorted(
        list(range(len(sections))) + rng.choices(range(len(sections)), k=count - len(sections))
    )
    entries = [
        _article(folder, rng, position, sections[placed[position - 1]][0])
        for position in range(1, count + 1)
    ]
    manifest = {
        "format": "digest-issue-bundle/1",
        "publication": PUBLICATION,
        "issue": {
            "date": date.isoformat(),
            "number": number,
            "total_number": total,
            "cover_headline": entries[0]["title"],
        },
        "notice": "声明：本刊为内部交流资料，选编内容来自公开信息，版权属于原作者。",
        "organisations": [
            {"name": ORGANISATION, "acronym": "DGRC", "profile": "profiles/centre.html"}
        ],
        "masthead": {
            "chief_editors": [ORGANISATION],
            "editors_in_chief": ["林海"],
            "responsible_editors": ["周敏", "王小川"],
        },
        "sections": [{"slug": slug, "name": name} for slug, name in sections],
        "articles": entries,
    }
    (folder / "issue.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _article(folder: Path, rng: random.Random, position: int, section: str) -> dict[str, Any]:
    """One article's manifest entry; its body, notes and figures written under ``folder``."""
    figures = []
    for figure_number in range(1, rng.choice([0, 0, 1, 1, 2, 4]) + 1):
        size = rng.choice([PORTRAIT, LANDSCAPE])
        name = f"images/{position:02d}-fig{figure_number}.png"
        (folder / name).write_bytes(chart_png(rng, size))
        figures.append({"number": figure_number, "caption": _caption(rng), "image": name})
    body = f"articles/{position:02d}.html"
    (folder / body).write_text(_body(rng, len(figures)), encoding="utf-8")
    entry: dict[str, Any] = {
        "title": _title(rng),
        "section": section,
        "body": body,
        "source": rng.choice(AGENCIES + PLACES + ["OECD 官网", "“数据观”微信公众号", ""]),
        "figures": figures,
    }
    if rng.random() < 0.6:
        entry["original_url"] = (
            f"https://www.example.gov.cn/zcwj/2025/{position:02d}/t{rng.randint(1000, 9999)}.html"
        )
        entry["qr_caption"] = "扫描二维码可阅读全文"
    if rng.random() < 0.3:
        notes = f"articles/{position:02d}-notes.html"
        (folder / notes).write_text(
            "<p>（注：1.文中数据除注明外均为初步统计数。</p>"
            f"<p>2.文中“{rng.choice(TOPICS)}”与统计口径一致，2024—2025 年数据为快报数。）</p>",
            encoding="utf-8",
        )
        entry["notes"] = notes
    return entry


def _title(rng: random.Random) -> str:
    """Short, long, bracketed, year-ranged or English titles."""
    topic, kind = rng.choice(TOPICS), rng.choice(KINDS)
    start = rng.choice([2024, 2025])
    choices = [
        f"{rng.choice(PLACES)}{rng.choice(VERBS)}{topic}{kind}",
        f"{rng.choice(AGENCIES)}{rng.choice(VERBS)}《{topic}{kind}》",
        f"{rng.choice(AGENCIES)}等{rng.randint(3, 12)}部门联合{rng.choice(VERBS)}"
        f"《关于加快推进{topic}的{kind}（{start}—{start + 2}年）》",
        f"《{rng.choice(PLACES)}{topic}三年行动计划（{start}—{start + 2}年）》{rng.choice(VERBS)}",
        f"{start}年一季度{rng.choice(INDICATORS)}增长 {rng.randint(2, 40)}.{rng.randint(0, 9)}%",
        rng.choice(ENGLISH_TITLES),
        f"{rng.choice(PLACES)}：{topic}",
    ]
    return rng.choice(choices)


def _caption(rng: random.Random) -> str:
    return (
        f"{rng.choice(PLACES)}{rng.choice(INDICATORS)}累计增速（{rng.choice([2023, 2024])}—2025年）"
    )


def _sentence(rng: random.Random) -> str:
    """A sentence with numbers set as editors type them: spaces around, or none."""
    gap = rng.choice(["", " "])
    value = f"{rng.randint(1, 999)}.{rng.randint(0, 9)}"
    return rng.choice(
        [
            f"一季度，{rng.choice(INDICATORS)}同比增长{gap}{value}%{gap}，较{gap}1—2{gap}月份提高"
            f"{gap}{rng.randint(1, 9)}.{rng.randint(0, 9)}{gap}个百分点。",
            f"{rng.choice(PLACES)}提出，到{gap}{rng.choice([2026, 2027, 2030])}{gap}年，"
            f"{rng.choice(MEASURES)}，培育{gap}{rng.randint(10, 500)}{gap}家以上示范企业。",
            f"《{rng.choice(TOPICS)}{rng.choice(KINDS)}》明确，{rng.choice(MEASURES)}，"
            f"并{rng.choice(MEASURES)}。",
            f"据 OECD 统计，{rng.randint(2020, 2024)}—{rng.randint(2025, 2030)}年全球数字经济规模"
            f"年均增长{gap}{value}%{gap}，其中 AI 相关投资约{gap}{value}{gap}亿美元。",
            f"会议强调，要{rng.choice(MEASURES)}，{rng.choice(MEASURES)}，"
            f"确保各项任务在{gap}{rng.randint(3, 12)}{gap}月底前落地见效。",
        ]
    )


def _paragraph(rng: random.Random) -> str:
    text = "".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.25:
        url = f"https://www.example.org/doc/{rng.randint(100, 999)}"
        text += f'详见<a href="{url}">《{rng.choice(TOPICS)}白皮书》</a>。'
    return f"<p>{text}</p>"


def _table(rng: random.Random) -> str:
    """A statistics table, sometimes long enough to run over a page."""
    rows = "".join(
        f"<tr><td>{place}</td><td>{rng.randint(100, 99999)}</td>"
        f"<td>{rng.randint(-20, 40)}.{rng.randint(0, 9)}%</td></tr>"
        for place in rng.choices(PLACES, k=rng.choice([4, 12, 40]))
    )
    return (
        f"<table><thead><tr><th>地区</th><th>{rng.choice(INDICATORS)}（亿元）</th>"
        f"<th>同比增长</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _body(rng: random.Random, figures: int) -> str:
    """Paragraphs, sub-headings, lists and tables, each figure after a paragraph."""
    parts = [_paragraph(rng)]
    for heading in HEADINGS[: rng.randint(0, len(HEADINGS))]:
        parts.append(f"<h3>{heading}</h3>")
        parts.extend(_paragraph(rng) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.2:
            parts.append(
                "<ul>" + "".join(f"<li>{m}。</li>" for m in rng.sample(MEASURES, 3)) + "</ul>"
            )
        if rng.random() < 0.2:
            parts.append(_table(rng))
    for figure in range(1, figures + 1):
        at = rng.randint(1, len(parts))
        parts.insert(at, f'<figure data-figure="{figure}"></figure>')
        parts.insert(at + 1, _paragraph(rng))
    return "\n".join(parts)


def chart_png(rng: random.Random, size: tuple[int, int]) -> bytes:
    """A bar chart on a tinted ground (so that tests can find the image on a rendered page)."""
    width, height = size
    image = Image.new("RGB", size, (232, 240, 250))
    draw = ImageDraw.Draw(image)
    margin = width // 10
    draw.line(
        [(margin, margin), (margin, height - margin), (width - margin, height - margin)],
        fill=(60, 60, 60),
        width=4,
    )
    bars = rng.randint(4, 9)
    step = (width - 2 * margin) // bars
    for i in range(bars):
        top = rng.randint(2 * margin, height - 2 * margin)
        draw.rectangle(
            [
                margin + i * step + step // 5,
                top,
                margin + (i + 1) * step - step // 5,
                height - margin,
            ],
            fill=COLOURS[i % len(COLOURS)],
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Generate and import issues of varied content (short, long, bracketed and English titles; "
        "portrait and landscape figures; notes, long tables, links, numbers with spaces) for "
        "checking the typesetting of any issue. The same --seed gives the same issues."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, default=20, help="issues to generate")
        parser.add_argument("--seed", type=int, default=1, help="seed of the content")

    def handle(self, *args: Any, count: int, seed: int, **options: Any) -> None:
        def progress(items: range) -> Any:
            return tqdm(items, desc="生成", unit="期", file=self.stderr)

        issues = generate_issues(count, seed, progress=progress)
        for issue in issues:
            self.stdout.write(f"已生成 {issue}：{issue.articles.count()} 篇文章（id={issue.pk}）")
