from argparse import ArgumentParser
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.services.subscriptions import (
    ImportRow,
    SubscriberImportInvalid,
    decode_csv,
    import_lines,
    subscribers_import,
)


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV file with a header row: email (or 邮箱/电子邮箱), and "
        "optionally name (姓名), organisation (单位) and format (接收方式: link or attach). "
        "The file is checked whole first: any bad row (listed with its line and field) imports "
        "nothing. New addresses are sent a confirmation link unless --confirmed says the office "
        "already holds their consent (recorded in each one's consent history with the file "
        "name). Confirmed subscribers are left as they are; unsubscribed, bounced, complained or "
        "erased addresses are not brought back, and are listed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8 or GB 18030)")
        parser.add_argument(
            "--confirmed",
            action="store_true",
            help="the office holds these people's consent: subscribe them without opt-in",
        )
        parser.add_argument(
            "--source", default="", help="where the list comes from, kept with the consent"
        )
        parser.add_argument(
            "--as", dest="username", help="import as this user (permissions are checked)"
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        confirmed: bool,
        source: str,
        username: str | None,
        **options: Any,
    ) -> None:
        actor = get_user_model().objects.get(username=username) if username else None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror}") from error

        def progress(rows: list[ImportRow]) -> Iterable[ImportRow]:
            return tqdm(rows, desc="导入", unit="位", file=self.stderr)

        try:
            report = subscribers_import(
                actor=actor,
                text=decode_csv(data),
                file_name=file.name,
                confirmed=confirmed,
                source=source,
                progress=progress,
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except SubscriberImportInvalid as error:
            for message in error.messages:
                self.stderr.write(f"  {message}")
            raise CommandError(
                f"{file}：{len(error.messages)} 个问题，未导入任何订阅者。"
            ) from error
        lines = list(import_lines(report))
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(f"  {line}")
