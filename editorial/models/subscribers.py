"""Subscribers and their consent record: who may be mailed the e-mail edition, and why.

A subscriber's status changes only through ``editorial.services.subscriptions``; every change
appends a ``Consent`` row (what was agreed or refused, when, from where, under which consent
text). An erased subscriber stays as a tombstone — no address, only its hash — so the delivery
ledger keeps its rows and an import cannot bring the address back (docs/decisions/0016).
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class SubscriberFormat(models.TextChoices):
    LINK = "link", "PDF 链接"
    ATTACH = "attach", "PDF 附件"


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已订阅"
    UNSUBSCRIBED = "unsubscribed", "已退订"
    BOUNCED = "bounced", "退信"
    COMPLAINED = "complained", "投诉"


class ConsentAction(models.TextChoices):
    SUBSCRIBE = "subscribe", "申请订阅"
    CONFIRM = "confirm", "确认订阅"
    UNSUBSCRIBE = "unsubscribe", "退订"
    PREFERENCES = "preferences", "修改偏好"
    IMPORT = "import", "导入"
    SUPPRESS = "suppress", "停止发送"
    ERASE = "erase", "删除个人数据"


class ConsentSource(models.TextChoices):
    FORM = "form", "订阅表单"
    LINK = "link", "邮件中的链接"
    ONE_CLICK = "one-click", "一键退订"
    IMPORT = "import", "导入"
    ADMIN = "admin", "管理后台"
    WEBHOOK = "webhook", "邮件服务回调"
    SMTP_REFUSAL = "smtp-refusal", "发送时邮件服务器拒收"


class Subscriber(models.Model):
    """One address that asked for (or was imported into) the e-mail edition."""

    email = models.EmailField("电子邮箱", max_length=254, blank=True)
    # SHA-256 of the lower-cased address: kept after erasure, so the address is known not to be
    # re-mailed or re-imported without keeping it.
    email_hash = models.CharField("邮箱指纹", max_length=64, db_index=True, editable=False)
    name = models.CharField("姓名", max_length=100, blank=True)
    organisation = models.CharField("单位", max_length=200, blank=True)
    format = models.CharField(
        "接收方式", max_length=10, choices=SubscriberFormat.choices, default=SubscriberFormat.LINK
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
        editable=False,
    )
    source = models.CharField(
        "来源", max_length=20, choices=ConsentSource.choices, default=ConsentSource.FORM
    )
    # The double opt-in link in flight: a new request replaces it, confirming clears it, so a
    # confirmation link works once and only for the latest request.
    optin_nonce = models.CharField("确认码", max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField("退订时间", null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField("状态变更时间", default=timezone.now, editable=False)
    erased_at = models.DateTimeField("个人数据删除时间", null=True, blank=True, editable=False)

    # What staff see of a subscriber, in this order (the admin's form, the API's record).
    RECORD_FIELDS = (
        "email",
        "name",
        "organisation",
        "format",
        "status",
        "source",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "status_changed_at",
        "erased_at",
    )

    class Meta:
        verbose_name = "订阅者"
        verbose_name_plural = "订阅者"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="subscriber_email_ci_unique",
                violation_error_message="该邮箱已存在。",
            ),
            models.CheckConstraint(
                condition=~models.Q(email="") | models.Q(erased_at__isnull=False),
                name="subscriber_email_unless_erased",
                violation_error_message="订阅者必须有电子邮箱。",
            ),
        ]
        indexes = [models.Index(fields=["status", "format"], name="subscriber_status_format")]

    def __str__(self) -> str:
        # Not the address: this is what the audit log, read by the whole team, names.
        return f"订阅者 #{self.pk}"

    @property
    def mailable(self) -> bool:
        """Whether the e-mail edition may be sent to this subscriber now."""
        return self.status == SubscriberStatus.CONFIRMED and self.erased_at is None


class Consent(models.Model):
    """One consent event, appended and never changed (erasure blanks its IP and user agent)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.PROTECT, related_name="consents", verbose_name="订阅者"
    )
    action = models.CharField("操作", max_length=20, choices=ConsentAction.choices)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器标识", max_length=500, blank=True)
    consent_text_version = models.CharField("同意条款版本", max_length=50, blank=True)
    source = models.CharField("来源", max_length=20, choices=ConsentSource.choices)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "同意记录"
        verbose_name_plural = "同意记录"
        ordering = ["subscriber", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"
