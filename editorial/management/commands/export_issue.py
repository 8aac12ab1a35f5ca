from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from editorial.bundles import write_bundle
from editorial.models import Issue


class Command(BaseCommand):
    help = "Export one issue as a bundle folder (or a .zip when PATH ends with .zip)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="new folder, or a .zip file")
        parser.add_argument("--publication", required=True, help="publication slug, e.g. dsjfzdt")
        parser.add_argument("--total", type=int, required=True, help="total number (总第N期)")

    def handle(self, *args: Any, path: Path, publication: str, total: int, **options: Any) -> None:
        try:
            issue = Issue.objects.get(publication__slug=publication, total_number=total)
        except Issue.DoesNotExist as exc:
            raise CommandError(f"找不到刊物 {publication} 的总第{total}期。") from exc
        try:
            write_bundle(issue, path)
        except FileExistsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {issue} 到 {path}"))
