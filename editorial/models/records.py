"""What the workflow records: approvals, the audit log, comments and soft edit locks."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from editorial.workflow import action_label

from .articles import Article
from .issues import Issue
from .people import who


class Approval(models.Model):
    """One reviewer's sign-off on the exact content of an issue (its content hash)."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="approvals", verbose_name="期"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name="批准人",
    )
    as_editor_in_chief = models.BooleanField("以总编辑身份", default=False)
    comment = models.TextField("意见", blank=True, max_length=2000)
    content_hash = models.CharField("批准时的内容指纹", max_length=64)
    created_at = models.DateTimeField("批准时间", auto_now_add=True)
    invalidated_at = models.DateTimeField("失效时间", null=True, blank=True)
    invalidated_reason = models.CharField("失效原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "批准"
        verbose_name_plural = "批准"
        ordering = ["issue", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "approver"],
                condition=models.Q(invalidated_at__isnull=True),
                name="approval_one_live_per_approver",
                violation_error_message="您已批准过本期的当前内容。",
            )
        ]

    def __str__(self) -> str:
        return f"{who(self.approver)} 批准 {self.issue}"

    @property
    def is_valid(self) -> bool:
        return self.invalidated_at is None


class AuditEntry(models.Model):
    """One thing that happened: written in the same transaction as the change it records."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=50, db_index=True)
    issue = models.ForeignKey(
        Issue,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name="期",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name="文章",
    )
    # A shared record (publication, section, notice, organisation, person) has no issue or article:
    # its rows name the record itself, so that the log can link to it and filter by its kind.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="对象类型",
    )
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    object_repr = models.CharField("对象", max_length=300)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["issue", "-created_at"], name="audit_issue_time"),
            models.Index(fields=["content_type", "object_id"], name="audit_shared_record"),
        ]

    def __str__(self) -> str:
        return f"{self.action_label} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class Comment(models.Model):
    """An editorial comment on an issue or one of its articles; replies hang off a parent."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="comments", verbose_name="期"
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="文章",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name="回复",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    body = models.TextField("内容", max_length=5000)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="解决人",
    )

    class Meta:
        verbose_name = "编辑意见"
        verbose_name_plural = "编辑意见"
        ordering = ["issue", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class EditLock(models.Model):
    """Who started changing an article, since and until when (renewed while they type); a save
    from a page opened before someone else's live lock was taken is refused (ADR 0023)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="edit_lock", verbose_name="文章"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="编辑人"
    )
    acquired_at = models.DateTimeField("开始时间")
    expires_at = models.DateTimeField("到期时间")
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接管自",
    )

    class Meta:
        verbose_name = "编辑锁"
        verbose_name_plural = "编辑锁"

    def __str__(self) -> str:
        return f"{who(self.holder)} 正在编辑 {self.article}"
