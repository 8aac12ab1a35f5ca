"""The WeChat channel: a push of an issue as Official Account drafts, and uploaded images."""

from django.db import models

from editorial.jobs import WECHAT_PUSH

from .issues import Issue
from .jobs import Job


class WechatPushStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "推送中"
    DRAFTED = "drafted", "已存草稿"
    PUBLISHING = "publishing", "发布中"
    PUBLISHED = "published", "已发布"
    FAILED = "failed", "失败"


class WechatPush(Job):
    """One issue pushed to the Official Account: at most one per issue, so a second push of the
    same issue reuses its drafts instead of creating new ones."""

    job_kind = WECHAT_PUSH

    issue = models.OneToOneField(
        Issue, on_delete=models.CASCADE, related_name="wechat_push", verbose_name="期"
    )
    status = models.CharField(
        "状态", max_length=20, choices=WechatPushStatus.choices, default=WechatPushStatus.PENDING
    )
    content_hash = models.CharField("内容指纹", max_length=64, blank=True)
    thumb_media_id = models.CharField("封面素材 media_id", max_length=128, blank=True)
    draft_media_ids = models.JSONField("草稿 media_id", default=list, blank=True)
    publish_ids = models.JSONField("发布任务 publish_id", default=list, blank=True)
    article_urls = models.JSONField("文章链接", default=list, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta(Job.Meta):
        verbose_name = "公众号推送"
        verbose_name_plural = "公众号推送"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.issue} → 公众号（{self.get_status_display()}）"


class WechatImageKind(models.TextChoices):
    BODY = "uploadimg", "正文图片"
    THUMB = "thumb", "封面素材"


class WechatImage(models.Model):
    """An image already on WeChat's host, by content checksum: each image is uploaded once."""

    checksum = models.CharField("SHA-256", max_length=64)
    kind = models.CharField("类型", max_length=20, choices=WechatImageKind.choices)
    url = models.URLField("微信图片地址", max_length=1000, blank=True)
    media_id = models.CharField("media_id", max_length=128, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "公众号图片"
        verbose_name_plural = "公众号图片"
        constraints = [
            models.UniqueConstraint(fields=["checksum", "kind"], name="wechat_image_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.checksum[:12]}"
