from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from editorial.management.issue_options import add_issue_arguments, issue_from_options
from editorial.rendering.errors import RenderError
from editorial.services.bundles import issue_export


class Command(BaseCommand):
    help = (
        "把一期导出为稿件包（bundle）目录（PATH 以 .zip 结尾时导出为 .zip）：默认为最新一版，可用 "
        "--revision 指定；审定后导出编委会审定的版本。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="新目录，或 .zip 文件")
        add_issue_arguments(parser)

    def handle(
        self,
        *args: Any,
        path: Path,
        **options: Any,
    ) -> None:
        issue = issue_from_options(options)
        try:
            issue_export(actor=None, issue_id=issue.pk, target=path)
        except (FileExistsError, RenderError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {issue} 到 {path}"))
