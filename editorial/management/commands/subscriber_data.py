import json
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from editorial.models import Subscriber
from editorial.services.subscriptions import subscriber_erase, subscriber_export


class Command(BaseCommand):
    help = (
        "A subscriber's data request, by e-mail address: 'export' prints everything held about "
        "them (and their consent history) as JSON; 'erase --yes' deletes their personal data, "
        "keeping the tombstone described in docs/decisions/0016 (not reversible)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email", help="the subscriber's e-mail address (any case)")
        parser.add_argument("--yes", action="store_true", help="confirm the erasure")
        parser.add_argument("--as", dest="username", help="act as this user (permissions apply)")

    def handle(
        self,
        *args: Any,
        action: str,
        email: str,
        yes: bool,
        username: str | None,
        **options: Any,
    ) -> None:
        actor = get_user_model().objects.get(username=username) if username else None
        subscriber = Subscriber.objects.filter(email__iexact=email.strip()).first()
        if subscriber is None:
            raise CommandError(f"没有邮箱为 {email} 的订阅者。")
        try:
            if action == "export":
                data = subscriber_export(actor=actor, subscriber=subscriber)
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
                return
            if not yes:
                raise CommandError("删除个人数据不能撤销：确认请加 --yes。")
            subscriber_erase(actor=actor, subscriber=subscriber)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"已删除{subscriber}的个人数据。"))
