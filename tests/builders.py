"""Builders for test data: a small valid bundle on disk, to be broken one way at a time; a
published archive in bulk."""

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from editorial.editions import edition_to_data
from editorial.models import ApprovedEdition, Article, Figure, Issue
from editorial.selectors import issue_live_edition
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.factories import png_bytes


def minimal_manifest() -> dict[str, Any]:
    return {
        "format": "digest-issue-bundle/1",
        "publication": {
            "slug": "dsjfzdt",
            "name": "大数据发展动态",
            "tagline": "为数字创新领导者提供更新、更重要、更有用的决策参考信息",
            "slogan": "以战略视角解读数字中国",
            "frequency": "weekly",
            "phone": "0851-86798090",
            "email": "GIDI2018@163.com",
            "wechat_qr": "images/qr.png",
        },
        "issue": {
            "date": "2024-05-06",
            "number": 16,
            "total_number": 179,
            "cover_headline": "封面要闻",
            "cover_image": None,
        },
        "notice": "声明: 本信息产品为内部交流学习资料。",
        "organisations": [
            {
                "name": "贵阳智能大数据战略研究院",
                "acronym": "GIDI",
                "logo": "images/logo.png",
                "profile": "profiles/gidi.md",
            },
            {"name": "贵阳市大数据发展管理局"},
        ],
        "masthead": {
            "guiding_units": ["贵阳市大数据发展管理局"],
            "chief_editors": ["贵阳智能大数据战略研究院"],
            "board_members": ["宋希贤", "程茹"],
            "editors_in_chief": ["宋希贤"],
        },
        "sections": [{"slug": "guoce", "name": "国策要论"}, {"slug": "shugu", "name": "数谷动态"}],
        "articles": [
            {
                "title": "商务部印发《数字商务三年行动计划(2024-2026年)》",
                "section": "guoce",
                "body": "articles/01.md",
                "source": "商务部",
                "original_url": "http://www.mofcom.gov.cn/article/zwgk/gkgztz/202404/20240403506347.shtml",
                "qr_caption": "full_text",
                "figures": [
                    {"number": 1, "caption": "软件业务收入增长情况", "image": "images/fig1.png"}
                ],
            },
            {
                "title": "贵州五部门签署合作协议 共同推进数据知识产权发展",
                "section": "shugu",
                "body": "articles/02.html",
                "source": "人民日报客户端贵州频道",
                "notes": "articles/02-notes.md",
                "responsible_editor": "熊灵犀",
            },
        ],
    }


FILES: dict[str, bytes] = {
    "articles/01.md": "**一是开展“数商强基”行动**，提出培育创新主体。\n\n"
    '<figure data-figure="1"></figure>\n\n### 二、分领域运行情况\n\n正文。\n'.encode(),
    "articles/02.html": "<p>记者从贵州省知识产权局获悉。</p>".encode(),
    "articles/02-notes.md": "附注：\n\n1.规模以上口径。\n".encode(),
    "profiles/gidi.md": "贵阳智能大数据战略研究院是……智库机构。\n".encode(),
    "images/fig1.png": png_bytes(120, 80, "navy"),
    "images/logo.png": png_bytes(60, 60, "green"),
    "images/qr.png": png_bytes(50, 50, "black"),
}


def write_bundle_dir(root: Path, manifest: dict[str, Any], files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "issue.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


BundleMaker = Callable[..., Path]


def bundle_maker(tmp_path: Path) -> BundleMaker:
    """``make_bundle(edit=fn, files={...})``: the minimal bundle, changed by ``edit``."""

    def make(
        edit: Callable[[dict[str, Any]], None] | None = None,
        files: dict[str, bytes | None] | None = None,
        name: str = "bundle",
    ) -> Path:
        manifest = minimal_manifest()
        if edit:
            edit(manifest)
        all_files = {**FILES, **(files or {})}
        return write_bundle_dir(
            tmp_path / name, manifest, {k: v for k, v in all_files.items() if v is not None}
        )

    return make


def published_archive(count: int, *, articles: int = 3) -> list[Issue]:
    """``count`` published issues of one publication, each with ``articles`` articles (two
    sections, one figure each, all figures one stored image) and its approved Edition, as
    publishing leaves them — in bulk, so fifty take about a second."""
    publication = factories.PublicationFactory.create()
    sections = [
        factories.SectionFactory.create(publication=publication, slug=slug, name=name)
        for slug, name in (("guoce", "国策要论"), ("shugu", "数谷动态"))
    ]
    png = png_bytes()
    image_name = default_storage.save("figures/archive.png", ContentFile(png))
    now = timezone.now()
    issues = Issue.objects.bulk_create(
        Issue(
            publication=publication,
            date=datetime.date(2023, 1, 2) + datetime.timedelta(days=7 * i),
            number=i % 52 + 1,
            total_number=500 + i,
            cover_headline=f"封面要闻{i}",
            status=IssueStatus.PUBLISHED,
            published_at=now,
        )
        for i in range(count)
    )
    rows = Article.objects.bulk_create(
        Article(
            issue=issue,
            section=sections[a % 2],
            position=a,
            title=f"第{issue.total_number}期文章{a}",
            body='<p><strong>一是</strong>正文段落。</p><figure data-figure="1"></figure>',
            source="国家数据局",
            status=ArticleStatus.READY,
        )
        for issue in issues
        for a in range(articles)
    )
    Figure.objects.bulk_create(
        Figure(
            article=row,
            number=1,
            caption="图题",
            image=image_name,
            image_checksum=hashlib.sha256(png).hexdigest(),
        )
        for row in rows
    )
    for issue in issues:
        edition = issue_live_edition(issue.pk)
        ApprovedEdition.objects.create(
            issue=issue,
            fingerprint=edition.fingerprint,
            data=edition_to_data(edition),
            approved_at=now,
        )
    return issues
