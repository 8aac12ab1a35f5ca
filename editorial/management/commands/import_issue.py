from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from editorial.bundles import BundleInvalid
from editorial.services.bundles import issue_import


class Command(BaseCommand):
    help = (
        "Import an issue bundle (a folder or .zip with issue.yaml; see docs/issue-bundle.md). "
        "Everything is validated first; on any error nothing is saved and every problem is "
        "listed with its file and field."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="bundle folder or .zip file")
        parser.add_argument(
            "--as", dest="username", help="import as this user (permissions are checked)"
        )

    def handle(self, *args: Any, path: Path, username: str | None, **options: Any) -> None:
        actor = get_user_model().objects.get(username=username) if username else None
        try:
            issue = issue_import(actor=actor, source=path)
        except BundleInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(f"{path}: {len(exc.errors)} 个问题，未导入任何内容。") from exc
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {issue}：{issue.articles.count()} 篇文章（id={issue.pk}）")
        )
