from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.bundles import BundleInvalid
from editorial.services.bundles import issue_import


class Command(BaseCommand):
    help = (
        "Import issue bundles (folders or .zip files with issue.yaml; see docs/issue-bundle.md). "
        "Each bundle is validated first and saved in its own transaction: a bad bundle saves "
        "nothing and every problem is listed with its file and field; the others still import. "
        "Several bundles (a back catalogue, oldest first) show a progress bar. What the "
        "sanitizer removed from each body, note or profile is listed after the import and kept "
        "in its audit row."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="bundle folders or .zip files")
        parser.add_argument(
            "--as", dest="username", help="import as this user (permissions are checked)"
        )

    def handle(self, *args: Any, paths: list[Path], username: str | None, **options: Any) -> None:
        actor = get_user_model().objects.get(username=username) if username else None
        failed = 0
        progress = tqdm(paths, desc="导入", unit="期", file=self.stderr, disable=len(paths) == 1)
        for path in progress:
            removed: list[str] = []
            try:
                issue = issue_import(actor=actor, source=path, report=removed)
            except BundleInvalid as exc:
                failed += 1
                progress.write(f"{path}: {exc.total} 个问题，未导入任何内容：", self.stderr)
                for error in exc.errors:
                    progress.write(f"  {error}", self.stderr)
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入 {issue}：{issue.articles.count()} 篇文章（id={issue.pk}）"
                )
            )
            for line in removed:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        if failed:
            raise CommandError(f"{failed} 个包未导入（共 {len(paths)} 个）。")
