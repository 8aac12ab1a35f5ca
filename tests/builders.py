"""Builders for test data: a small valid bundle on disk, to be broken one way at a time; a
published archive of many small issues; a mailing with a row of every outcome."""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

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


def published_archive(
    count: int, *, articles: int = 2, sections: int = 2, figures: bool = False
) -> list[Any]:
    """``count`` small published issues of one publication, a week apart, each with its
    approved Edition stored as publishing keeps it — fast: bulk inserts, no workflow.
    ``figures``: each article places 图 1 (all of them one stored image)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from editorial.editions import edition_to_data
    from editorial.models import ApprovedEdition, Article, Figure, Issue
    from editorial.selectors import issue_live_edition
    from editorial.workflow import ArticleStatus, IssueStatus
    from tests import factories

    publication = factories.PublicationFactory.create()
    notice = factories.CopyrightNoticeFactory.create(publication=publication)
    columns = [factories.SectionFactory.create(publication=publication) for _ in range(sections)]
    dates = [datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * n) for n in range(count)]
    issues = Issue.objects.bulk_create(
        Issue(
            publication=publication,
            notice=notice,
            date=dates[n],
            number=sum(1 for d in dates[:n] if d.year == dates[n].year) + 1,
            total_number=100 + n,
            cover_headline=f"封面要闻{n}",
            status=IssueStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        for n in range(count)
    )
    marker = '<figure data-figure="1"></figure>' if figures else ""
    rows = Article.objects.bulk_create(
        Article(
            issue=issue,
            section=columns[a % sections],
            position=a,
            title=f"第{issue.total_number}期文章{a}",
            body=f"<p><strong>一是</strong>正文段落。</p>{marker}",
            source="国家数据局",
            original_url="https://example.org/original",
            qr_caption="扫描二维码可阅读全文",
            status=ArticleStatus.READY,
        )
        for issue in issues
        for a in range(articles)
    )
    if figures:
        png = png_bytes()
        name = default_storage.save("figures/archive.png", ContentFile(png))
        checksum = hashlib.sha256(png).hexdigest()
        Figure.objects.bulk_create(
            Figure(article=row, number=1, caption="图题", image=name, image_checksum=checksum)
            for row in rows
        )
    now = timezone.now()
    ApprovedEdition.objects.bulk_create(
        ApprovedEdition(
            issue=issue,
            fingerprint=(edition := issue_live_edition(issue.pk)).fingerprint,
            data=edition_to_data(edition),
            approved_at=now,
        )
        for issue in issues
    )
    return issues


def mailing_of_every_outcome() -> Any:
    """A published issue's mailing: one row sent, one failed, one uncertain, one queued."""
    from editorial.models import Delivery, DeliveryStatus, Mailing
    from editorial.workflow import IssueStatus
    from tests import factories
    from tests.workflow.states import bring_to, small_issue

    mailing = Mailing.objects.get(issue=bring_to(small_issue(), IssueStatus.PUBLISHED))
    for status, error in [
        (DeliveryStatus.SENT, ""),
        (DeliveryStatus.FAILED, "邮件服务器拒绝：552 Mailbox full"),
        (DeliveryStatus.UNCERTAIN, "发送中断（发送进程中止）"),
        (DeliveryStatus.QUEUED, ""),
    ]:
        Delivery.objects.create(
            mailing=mailing,
            subscriber=factories.SubscriberFactory.create(),
            status=status,
            error=error,
        )
    return mailing
