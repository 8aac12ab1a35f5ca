"""Make every public document of the reading site again (pages, feeds, API documents).

Publishing makes the documents it changes (``services/documents.py``); after a deploy that
changed the templates or the footer's settings, the stored ones are stale: this makes them all
again, issue by issue, with a progress bar. Unchanged bytes keep their ETag.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from editorial.documents import documents_of
from editorial.models import Issue
from editorial.services.documents import documents_store, published_issue
from editorial.workflow import IssueStatus


class Command(BaseCommand):
    help = "重新生成公开网站的全部页面、订阅源和接口文档（模板或页脚设置变更后运行）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--publication", help="只生成这个刊物（代号）的页面")

    def handle(self, *args: Any, **options: Any) -> None:
        issues = Issue.objects.filter(
            status__in=[IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED]
        ).select_related("publication")
        if options["publication"]:
            issues = issues.filter(publication__slug=options["publication"])
        ordered = list(issues.order_by("date", "revision"))
        paths = documents_of(published_issue(issue) for issue in ordered)
        with tqdm(total=len(paths), desc="生成网站页面", unit="页", disable=None) as bar:
            count = documents_store([], paths=paths, progress=lambda done: bar.update(1))
        self.stdout.write(f"已生成 {len(ordered)} 期的 {count} 个文档。")
