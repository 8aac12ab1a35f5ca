"""Generated outputs as job rows: a PDF of an issue at one content hash."""

from django.db import models

from editorial.files import UnguessableName
from editorial.jobs import RENDITION

from .issues import Issue
from .jobs import Job


class RenditionKind(models.TextChoices):
    PDF = "pdf", "PDF 印刷版"


class RenditionStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Rendition(Job):
    """One output of one issue's content (by hash): same content, same row, same bytes."""

    job_kind = RENDITION

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="renditions", verbose_name="期"
    )
    kind = models.CharField("类型", max_length=20, choices=RenditionKind.choices)
    proof = models.BooleanField("样稿", help_text="批准前的版本带“样稿”水印。")
    content_hash = models.CharField("内容指纹", max_length=64)
    status = models.CharField(
        "状态", max_length=20, choices=RenditionStatus.choices, default=RenditionStatus.PENDING
    )
    file = models.FileField("文件", upload_to=UnguessableName("renditions", dated=True), blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    page_count = models.PositiveIntegerField("页数", null=True, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", null=True, blank=True)
    duration = models.FloatField("耗时（秒）", null=True, blank=True)
    created_at = models.DateTimeField("请求时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "渲染件"
        verbose_name_plural = "渲染件"
        ordering = ["-created_at", "-id"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(
                fields=["issue", "kind", "proof", "content_hash"],
                name="rendition_one_per_content",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="rendition_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        proof = "样稿" if self.proof else "正式版"
        return f"{self.issue} {self.get_kind_display()}（{proof}）"
