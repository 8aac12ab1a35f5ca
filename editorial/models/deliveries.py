"""The delivery ledger (投递台账): one row per e-mail edition and subscriber, frozen at publication.

A ``Mailing`` is the e-mail edition of one issue: its audience, frozen once into ``Delivery``
rows (a unique constraint per mailing and subscriber) and never recomputed, and whether it is
paused. A ``Delivery`` is a job row (models/jobs.py): queued (``pending``), claimed by a worker
under a lease, marked sending (``running``, committed) before the message is handed over, and
sent with its message id after. A row still sending when its lease runs out is ``uncertain``: it
may or may not have left, so it is never sent again without an operator
(docs/decisions/0017-the-delivery-ledger.md).
"""

from django.db import models

from editorial.jobs import DELIVERY

from .issues import Issue
from .jobs import Job, JobStatus
from .subscribers import Subscriber


class DeliveryStatus(models.TextChoices):
    # The first two are the job row's own states (their values are the ones the lease rules of
    # models/jobs.py name): claimed rows stay queued until the one being sent is marked sending.
    QUEUED = JobStatus.PENDING.value, "排队中"
    SENDING = JobStatus.RUNNING.value, "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"
    UNCERTAIN = "uncertain", "待核实"
    SKIPPED = "skipped", "已跳过"
    CLOSED = "closed", "已关闭"


class Mailing(models.Model):
    """The e-mail edition of one issue, with its frozen audience."""

    issue = models.OneToOneField(
        Issue, on_delete=models.CASCADE, related_name="mailing", verbose_name="期"
    )
    edition_fingerprint = models.CharField("内容指纹", max_length=64)
    recipients = models.PositiveIntegerField("收件人数", default=0)
    paused = models.BooleanField("已暂停", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "邮件投递"
        verbose_name_plural = "邮件投递"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.issue} · 邮件投递"


class Delivery(Job):
    """One e-mail edition to one subscriber."""

    job_kind = DELIVERY

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name="邮件投递"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.PROTECT, related_name="deliveries", verbose_name="订阅者"
    )
    status = models.CharField(
        "状态", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    not_before = models.DateTimeField("下次尝试", null=True, blank=True)
    message_id = models.CharField("Message-ID", max_length=200, blank=True)
    provider_message_id = models.CharField("服务商消息编号", max_length=200, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "投递"
        verbose_name_plural = "投递台账"
        ordering = ["mailing", "id"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="delivery_once_per_subscriber"
            ),
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="delivery_mailing_status"),
            models.Index(
                fields=["provider_message_id"],
                name="delivery_provider_message",
                condition=~models.Q(provider_message_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailing.issue} → {self.subscriber}"


class DeliveryEvent(models.Model):
    """One tracking event an ESP reported (delivered, bounced, complained…), kept once per
    event id: a webhook the ESP sends again changes nothing."""

    esp = models.CharField("邮件服务商", max_length=40)
    event_id = models.CharField("事件编号", max_length=200)
    event_type = models.CharField("事件", max_length=40)
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="投递",
    )
    recipient = models.CharField("收件人", max_length=254, blank=True)
    description = models.CharField("说明", max_length=500, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "投递回执"
        verbose_name_plural = "投递回执"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["esp", "event_id"], name="delivery_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.esp} {self.event_type} {self.recipient}"
