import os
import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editorial.bundles import BundleInvalid, read_bundle
from editorial.models import Issue
from editorial.roles import Role
from editorial.services.accounts import account_provision
from editorial.services.bundles import issue_import

# A reserved domain (RFC 2606): demo mail never reaches a real mailbox.
DEMO_MAIL_DOMAIN = "digest.example"
DEMO_ACCOUNTS = [
    ("editor", "熊灵犀", [Role.RESPONSIBLE_EDITOR]),
    ("executive", "杨婷", [Role.EXECUTIVE_EDITOR, Role.ART_EDITOR]),
    ("board1", "程茹", [Role.BOARD_MEMBER]),
    ("board2", "钟新敏", [Role.BOARD_MEMBER]),
    ("chief", "宋希贤", [Role.EDITOR_IN_CHIEF, Role.BOARD_MEMBER]),
    ("admin", "系统管理员", [Role.PUBLISHER]),
]


class Command(BaseCommand):
    help = (
        "Set up the demo: import the sample issue bundle (once) and create or reset the demo "
        "logins, printing them. Passwords are random unless DIGEST_DEMO_PASSWORD is set."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("bundle", type=Path, help="the sample issue bundle folder")

    def handle(self, *args: Any, bundle: Path, **options: Any) -> None:
        try:
            manifest = read_bundle(bundle).manifest
        except BundleInvalid as exc:
            raise CommandError(str(exc)) from exc
        existing = Issue.objects.filter(
            publication__slug=manifest["publication"]["slug"],
            total_number=manifest["issue"]["total_number"],
        ).first()
        if existing:
            self.stdout.write(f"示例期已存在：{existing}")
        else:
            issue = issue_import(actor=None, source=bundle)
            self.stdout.write(self.style.SUCCESS(f"已导入示例期：{issue}"))

        fixed = os.environ.get("DIGEST_DEMO_PASSWORD")
        self.stdout.write("\n演示账号（登录 http://127.0.0.1:8000/admin/）：")
        for username, person, roles in DEMO_ACCOUNTS:
            password = fixed or secrets.token_urlsafe(9)
            email = f"{username}@{DEMO_MAIL_DOMAIN}"
            account_provision(
                actor=None,
                username=username,
                password=password,
                person_name=person,
                roles=roles,
                email=email,
            )
            role_names = "、".join(r.label for r in roles)
            self.stdout.write(f"  {username:<10} {password:<14} {person}（{role_names}）<{email}>")
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
            self.stdout.write(f"\n通知邮件写入 {settings.EMAIL_FILE_PATH}/（未配置 EMAIL_URL）")
