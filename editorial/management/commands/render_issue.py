import json
import shutil
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from editorial.management.issue_options import add_issue_arguments, issue_from_options
from editorial.models import Issue, RenditionStatus
from editorial.rendering.errors import RenderError
from editorial.services.outputs import ImageSource, WechatArticle, issue_wechat_review
from editorial.services.renditions import rendition_generate, rendition_request


class Command(BaseCommand):
    help = (
        "通过与后台任务相同的服务同步生成一期，并把结果复制到 --output。审定前的 PDF 为样稿。"
        "内容未变的一期不会重新渲染，直接沿用已生成的文件。--format wechat 改为写出公众号图文"
        "（每篇为公众号收到的 HTML 片段及 preview/ 下的预览页，另有 images/ 和 manifest.json），"
        "逐篇按公众号规则检查，有不符合之处时以非零状态退出。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_issue_arguments(parser)
        parser.add_argument("--format", choices=["pdf", "wechat"], default="pdf", help="输出格式")
        parser.add_argument("--output", type=Path, default=Path("out"), help="输出目录")

    def handle(
        self,
        *args: Any,
        output: Path,
        **options: Any,
    ) -> None:
        issue = issue_from_options(options)
        if options["format"] == "wechat":
            self.write_wechat(issue, output)
            return
        started = time.perf_counter()
        self.stdout.write(f"[1/3] 准备 {issue} …")
        rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
        if rendition.status != RenditionStatus.DONE:
            self.stdout.write(f"[2/3] 渲染（{'样稿' if rendition.proof else '正式版'}）…")
            rendition = rendition_generate(rendition.pk) or rendition
            rendition.refresh_from_db()
        else:
            self.stdout.write("[2/3] 内容未变，沿用已生成的文件")
        if rendition.status != RenditionStatus.DONE:
            raise CommandError(f"渲染失败：{rendition.error or rendition.get_status_display()}")
        output.mkdir(parents=True, exist_ok=True)
        target = output / Path(rendition.file.name).name
        with rendition.file.open("rb") as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        self.stdout.write(f"[3/3] 写出 {target}")
        summary = f"{rendition.page_count} 页，{rendition.size:,} 字节"
        timing = f"渲染 {rendition.duration:.2f} 秒，共 {time.perf_counter() - started:.2f} 秒"
        self.stdout.write(self.style.SUCCESS(f"{summary}；{timing}"))

    def write_wechat(self, issue: Issue, output: Path) -> None:
        """The 公众号 edition as files: per article the fragment the push sends as ``content``
        (byte for byte, but with images beside it: relative URLs, allowed only here) and a
        preview page around it under preview/, with a manifest in order."""
        started = time.perf_counter()
        self.stdout.write(f"[1/3] 准备 {issue} …")
        images_dir, preview_dir = output / "images", output / "preview"
        images_dir.mkdir(parents=True, exist_ok=True)
        preview_dir.mkdir(exist_ok=True)

        def image_url(image: ImageSource) -> str:
            (images_dir / image.name).write_bytes(image.data)
            return f"images/{image.name}"

        self.stdout.write("[2/3] 生成公众号图文 …")
        try:
            review = issue_wechat_review(
                actor=None, issue_id=issue.pk, image_url=image_url, page_base="../"
            )
        except RenderError as exc:
            raise CommandError(f"生成失败：{exc}") from exc
        (images_dir / review.cover.name).write_bytes(review.cover.data)
        entries = []
        for index, item in enumerate(review.items):
            article = item.article
            file_name = wechat_file_name(index, article)
            (output / file_name).write_text(article.content, encoding="utf-8")
            (preview_dir / file_name).write_text(item.page, encoding="utf-8")
            entries.append(
                {
                    "article_id": article.article_id,
                    "title": article.title,
                    "author": article.author,
                    "digest": article.digest,
                    "content_source_url": article.content_source_url,
                    "file": file_name,
                    "preview": f"preview/{file_name}",
                    "images": [f"images/{image.name}" for image in article.images],
                    "content_length": len(article.content),
                    "violations": [
                        {"element": v.element, "rule": v.rule, "message": v.message}
                        for v in item.violations
                    ],
                }
            )
        edition = review.edition
        manifest = {
            "publication": edition.publication.name,
            "date": edition.date.isoformat(),
            "number": edition.number,
            "total_number": edition.total_number,
            "revision": edition.revision,
            "cover": f"images/{review.cover.name}",
            "articles": entries,
        }
        (output / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        count = len(review.items)
        self.stdout.write(
            f"[3/3] 写出 {output}：{count} 篇图文、preview/（预览页）、manifest.json、images/"
        )
        for violation in review.violations:
            self.stdout.write(
                self.style.ERROR(
                    f"  {violation.article}｜{violation.element}｜{violation.rule}："
                    f"{violation.message}"
                )
            )
        summary = (
            f"{count} 篇图文，{len(review.violations)} 处不符合公众号规则；"
            f"共 {time.perf_counter() - started:.2f} 秒"
        )
        if review.violations:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


def wechat_file_name(index: int, article: WechatArticle) -> str:
    """``00-digest.html`` for 本期要目, then ``01-<title>.html`` … in issue order."""
    if article.article_id is None:
        return f"{index:02d}-digest.html"
    slug = slugify(article.title, allow_unicode=True)[:40].strip("-") or str(article.article_id)
    return f"{index:02d}-{slug}.html"
