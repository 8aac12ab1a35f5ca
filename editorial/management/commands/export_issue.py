from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from editorial.rendering.errors import RenderError
from editorial.selectors import IssueNotFound, issue_by_total
from editorial.services.bundles import issue_export


class Command(BaseCommand):
    help = (
        "Export one issue as a bundle folder (or a .zip when PATH ends with .zip): its latest "
        "revision unless --revision names another; once approved, the Edition the board approved."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="new folder, or a .zip file")
        parser.add_argument(
            "--publication", help="publication slug (needed when there are several)"
        )
        parser.add_argument("--total", type=int, required=True, help="total number (总第N期)")
        parser.add_argument(
            "--revision", type=int, help="revision (1 = first publication; default: the latest)"
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        publication: str | None,
        total: int,
        revision: int | None,
        **options: Any,
    ) -> None:
        try:
            issue = issue_by_total(total, publication=publication, revision=revision)
            issue_export(actor=None, issue_id=issue.pk, target=path)
        except (IssueNotFound, FileExistsError, RenderError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {issue} 到 {path}"))
