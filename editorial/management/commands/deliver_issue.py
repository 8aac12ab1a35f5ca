from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.models import DeliveryStatus, Subscriber, SubscriberStatus
from editorial.selectors import IssueNotFound, issue_by_total, mailing_counts
from editorial.services.deliveries import (
    DeliveryRefused,
    issue_mailing,
    mailing_deliver_here,
)


class Command(BaseCommand):
    help = (
        "Send the e-mail edition of a published issue to its subscribers, in this process (no "
        "broker needed) through the same claiming code the workers run. The audience is frozen "
        "the first time (publishing does it too) and never recomputed: running it again sends "
        "only what is still queued — nothing twice. Rows in doubt (待核实) are left to the admin. "
        "--dry-run says what would be sent and writes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--total", type=int, required=True, help="total number (总第N期)")
        parser.add_argument(
            "--publication", help="publication slug (needed when there are several)"
        )
        parser.add_argument(
            "--revision", type=int, help="revision (1 = first publication; default: the latest)"
        )
        parser.add_argument("--dry-run", action="store_true", help="count only, send nothing")
        parser.add_argument(
            "--connections",
            type=int,
            default=None,
            help="parallel SMTP connections (default: DIGEST_DELIVERY_CONNECTIONS)",
        )

    def handle(
        self,
        *args: Any,
        total: int,
        publication: str | None,
        revision: int | None,
        dry_run: bool,
        connections: int | None,
        **options: Any,
    ) -> None:
        try:
            issue = issue_by_total(total, publication=publication, revision=revision)
        except IssueNotFound as exc:
            raise CommandError(str(exc)) from exc
        mailing = getattr(issue, "mailing", None)
        if dry_run:
            if mailing is None:
                audience = Subscriber.objects.filter(
                    status=SubscriberStatus.CONFIRMED, erased_at__isnull=True
                ).count()
                self.stdout.write(f"{issue}：尚未冻结收件人；现在冻结将发给 {audience} 位订阅者。")
            else:
                self.write_counts(mailing_counts(mailing.pk), prefix=f"{issue}：")
            return
        try:
            mailing = issue_mailing(actor=None, issue_id=issue.pk)
        except DeliveryRefused as exc:
            raise CommandError(str(exc)) from exc
        queued = mailing_counts(mailing.pk)[DeliveryStatus.QUEUED]
        self.stdout.write(f"{issue}：收件人 {mailing.recipients} 位，待发送 {queued} 封")
        with tqdm(total=queued, unit="封", disable=None) as bar:
            report = mailing_deliver_here(
                mailing.pk,
                connections=connections or settings.DIGEST_DELIVERY_CONNECTIONS,
                on_sent=bar.update,
            )
        if report.waiting_for_pdf:
            raise CommandError("本期的正式版 PDF 尚未生成，请先生成（render_issue）再投递。")
        self.write_counts(mailing_counts(mailing.pk))

    def write_counts(self, counts: dict[str, int], prefix: str = "") -> None:
        shown = "，".join(f"{DeliveryStatus(s).label} {n}" for s, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"{prefix}{shown or '没有投递记录'}"))
