"""The periodical, its recurring sections and its versioned copyright notice."""

from django.core.validators import MinValueValidator
from django.db import models

from editorial.fields import ChecksummedImageField
from editorial.files import UnguessableName
from editorial.validators import validate_image


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "周刊"
    BIWEEKLY = "biweekly", "半月刊"
    MONTHLY = "monthly", "月刊"
    IRREGULAR = "irregular", "不定期"


class Publication(models.Model):
    slug = models.SlugField("代号", max_length=50, unique=True)
    name = models.CharField("刊名", max_length=100, unique=True)
    tagline = models.CharField("封面标语", max_length=200, blank=True)
    slogan = models.CharField("栏目口号", max_length=200, blank=True)
    frequency = models.CharField(
        "出版周期", max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    fax = models.CharField("传真", max_length=50, blank=True)
    email = models.EmailField("邮箱", blank=True)
    address = models.CharField("编辑地址", max_length=200, blank=True)
    wechat_account_name = models.CharField("公众号名称", max_length=64, blank=True)
    wechat_caption = models.CharField(
        "公众号说明", max_length=100, blank=True, default="关注公众号可订阅本刊"
    )
    wechat_qr = ChecksummedImageField(
        "公众号二维码",
        upload_to=UnguessableName("publications/qr"),
        blank=True,
        validators=[validate_image],
        checksum_field="wechat_qr_checksum",
    )
    wechat_qr_checksum = models.CharField(
        "公众号二维码 SHA-256", max_length=64, blank=True, editable=False
    )
    wechat_push_enabled = models.BooleanField(
        "推送到公众号",
        default=False,
        help_text="通过公众号接口推送草稿（AppID 与密钥来自环境变量）。",
    )
    notice_public = models.BooleanField(
        "网站显示声明",
        default=False,
        help_text="在公开网站的每期页面上显示所印的声明（如“内部交流学习资料”）。",
    )
    approval_quorum = models.PositiveSmallIntegerField(
        "批准所需编委人数",
        default=2,
        validators=[MinValueValidator(1)],
        help_text="总编辑批准即可；否则需要这么多位编委批准。",
    )

    class Meta:
        verbose_name = "刊物"
        verbose_name_plural = "刊物"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A recurring column (栏目); an issue uses any subset of them in any order."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="sections", verbose_name="刊物"
    )
    slug = models.SlugField("代号", max_length=50)
    name = models.CharField("栏目名称", max_length=50)
    position = models.PositiveIntegerField("默认顺序", default=0)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["publication", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "slug"],
                name="section_unique_slug",
                violation_error_message="该刊物已有同代号的栏目。",
            ),
            models.UniqueConstraint(
                fields=["publication", "name"],
                name="section_unique_name",
                violation_error_message="该刊物已有同名栏目。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CopyrightNotice(models.Model):
    """One version of the colophon's 声明; an issue pins the version it prints.

    Versions are never edited: a new text is a new version (services.notices.notice_revise).
    """

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="notices", verbose_name="刊物"
    )
    version = models.PositiveIntegerField("版本")
    text = models.TextField("声明文本", max_length=2000)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "版权声明"
        verbose_name_plural = "版权声明"
        ordering = ["publication", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "version"],
                name="notice_unique_version",
                violation_error_message="该刊物已有此版本的声明。",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="notice_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} 声明 v{self.version}"
