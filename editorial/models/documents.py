"""The reading site's bytes, made once at publication: a build job per published Edition, and
the documents it stores (one row per URL path), served as they are with their ETag."""

from django.db import models

from editorial.jobs import DOCUMENT_BUILD
from editorial.site_version import site_version

from .issues import Issue
from .jobs import Job


class DocumentBuildStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class DocumentBuild(Job):
    """The documents (pages, feeds, API bodies) one publication changes, made once per Edition
    fingerprint: the same published content is never rendered twice."""

    job_kind = DOCUMENT_BUILD

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="document_builds", verbose_name="期"
    )
    content_hash = models.CharField("内容指纹", max_length=64)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=DocumentBuildStatus.choices,
        default=DocumentBuildStatus.PENDING,
    )
    document_count = models.PositiveIntegerField("文档数", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "网站页面生成"
        verbose_name_plural = "网站页面生成"
        ordering = ["-created_at", "-id"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(
                fields=["issue", "content_hash"], name="documentbuild_one_per_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} 网站页面"


class PublishedDocument(models.Model):
    """The bytes one public URL path answers with, as the build rendered them."""

    path = models.CharField("路径", max_length=500, unique=True)
    kind = models.CharField("文档类型", max_length=50)
    content_type = models.CharField("内容类型", max_length=100)
    body = models.BinaryField("内容")
    etag = models.CharField("ETag", max_length=140)
    modified_at = models.DateTimeField("生成时间")
    # What made the bytes (``editorial.site_version``): served only while the site has it.
    site_version = models.CharField("网站版本", max_length=16, default=site_version)

    class Meta:
        verbose_name = "已发布文档"
        verbose_name_plural = "已发布文档"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path
