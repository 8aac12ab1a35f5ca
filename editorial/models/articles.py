"""Articles (文章) of an issue and their numbered figures."""

from django.core.exceptions import ValidationError
from django.db import models

from editorial.fields import ChecksummedImageField, RichTextField
from editorial.files import UnguessableName
from editorial.validators import validate_image
from editorial.workflow import ArticleStatus

from .issues import Issue
from .people import Person
from .publications import Section


class QrCaption(models.TextChoices):
    """The lines editors usually put beside the QR code, offered in the admin; the field takes
    any other short line too (a caption is text, not a code)."""

    FULL_TEXT = "扫描二维码可阅读或下载全文", "扫描二维码可阅读或下载全文"
    ORIGINAL_FILE = "扫描二维码可阅读或下载原文件", "扫描二维码可阅读或下载原文件"
    ENGLISH_ORIGINAL = "扫描二维码可阅读英文原文", "扫描二维码可阅读英文原文"
    READ_FULL_TEXT = "扫描二维码可阅读全文", "扫描二维码可阅读全文"


QR_CAPTION_MAX = 40
# The codes captions were stored as until they became text; bundles may still use them.
QR_CAPTION_CODES = {"full_text": QrCaption.FULL_TEXT, "original_file": QrCaption.ORIGINAL_FILE}


class Article(models.Model):
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="articles", verbose_name="期"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name="栏目"
    )
    position = models.PositiveIntegerField("顺序", default=0, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = RichTextField("正文", max_length=200_000)
    source = models.CharField("来源", max_length=200, blank=True)
    original_url = models.URLField("原文链接", max_length=1000, blank=True)
    qr_caption = models.CharField(
        "二维码说明",
        max_length=QR_CAPTION_MAX,
        blank=True,
        help_text="二维码旁的一行字：可选常用说明，也可自行填写；有原文链接时必填。",
    )
    notes = RichTextField("注", blank=True, max_length=20_000)
    responsible_editor = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edited_articles",
        verbose_name="责任编辑",
    )
    wechat_title = models.CharField(
        "公众号标题",
        max_length=64,
        blank=True,
        help_text="微信标题不超过 32 字；留空时由标题缩写生成建议。",
    )
    wechat_digest = models.CharField(
        "公众号摘要", max_length=128, blank=True, help_text="不超过 128 字；留空时取导语。"
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=ArticleStatus.choices,
        default=ArticleStatus.DRAFT,
        editable=False,
    )
    lock_version = models.PositiveIntegerField("内容版本", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["issue", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(original_url="", qr_caption="")
                | (~models.Q(original_url="") & ~models.Q(qr_caption="")),
                name="article_qr_caption_iff_url",
                violation_error_message="原文链接与二维码说明须同时填写或同时留空。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if (
            self.issue_id is not None
            and self.section_id is not None
            and self.section.publication_id != self.issue.publication_id
        ):
            raise ValidationError({"section": "栏目必须属于本期所在的刊物。"})


class Figure(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="figures", verbose_name="文章"
    )
    number = models.PositiveSmallIntegerField("图号")
    caption = models.CharField("图题", max_length=200)
    image = ChecksummedImageField(
        "图片",
        upload_to=UnguessableName("figures"),
        validators=[validate_image],
        checksum_field="image_checksum",
    )
    image_checksum = models.CharField("图片 SHA-256", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "图"
        verbose_name_plural = "图"
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"],
                name="figure_unique_number",
                violation_error_message="本文已有相同图号的图。",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="figure_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"图 {self.number} {self.caption}"
