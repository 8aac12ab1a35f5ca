"""Notifications: each one is in its recipient's inbox (我的通知) and, when they have an address,
an e-mail job row, recorded with the change and sent by a task after commit."""

from django.conf import settings
from django.db import models

from editorial.jobs import NOTIFICATION

from .issues import Issue
from .jobs import Job
from .people import who


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    IN_APP = "in_app", "无邮箱，仅站内"


class Notification(Job):
    """One notice to one person, read in 我的通知 (``read_at``) and e-mailed when they have an
    address (otherwise its status is ``IN_APP`` from the start). The e-mail is sent under the
    row's lock, so it never runs twice; while a retry waits, the row is leased to it
    (``lease_expires_at``) and the sweeper leaves it alone."""

    job_kind = NOTIFICATION

    key = models.CharField("去重键", max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="收件人",
    )
    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="期",
    )
    event = models.CharField("事件", max_length=50)
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("正文")
    status = models.CharField(
        "状态",
        max_length=20,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{who(self.recipient)} · {self.subject}"
