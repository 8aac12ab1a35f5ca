from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.management.issue_options import add_issue_arguments, issue_from_options
from editorial.models import DeliveryStatus, Subscriber, SubscriberStatus
from editorial.selectors import mailing_counts
from editorial.services.deliveries import (
    DeliveryRefused,
    issue_mailing,
    mailing_deliver_here,
)


class Command(BaseCommand):
    help = (
        "在本进程中（无需消息队列）把已发布一期的邮件版发给订阅者，与后台任务使用同一套认领逻辑。"
        "收件人在第一次运行时冻结（发布时也会冻结），之后不再重算：再次运行只发送仍在排队的邮件，"
        "不会重复发送。“待核实”的邮件留给管理后台处理。--dry-run 只报告将发送多少，不写入任何数据。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_issue_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发送")
        parser.add_argument(
            "--connections",
            type=int,
            default=None,
            help="并行的 SMTP 连接数（默认：DIGEST_DELIVERY_CONNECTIONS）",
        )

    def handle(
        self,
        *args: Any,
        dry_run: bool,
        connections: int | None,
        **options: Any,
    ) -> None:
        issue = issue_from_options(options)
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
