"""An issue (期) of a publication, and the masthead it prints."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import ExtractYear

from editorial.fields import ChecksummedImageField
from editorial.files import UnguessableName
from editorial.validators import validate_image
from editorial.workflow import IssueStatus

from .people import Organisation, Person
from .publications import CopyrightNotice, Publication


class Issue(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="issues", verbose_name="刊物"
    )
    date = models.DateField("出版日期")
    number = models.PositiveIntegerField("期号", help_text="本年度第几期，每年一月从 1 重新开始。")
    total_number = models.PositiveIntegerField("总期号", help_text="创刊以来的总第几期，不重置。")
    cover_headline = models.TextField("封面要闻", max_length=300, blank=True)
    cover_image = ChecksummedImageField(
        "封面图片",
        upload_to=UnguessableName("issues/covers"),
        blank=True,
        validators=[validate_image],
        checksum_field="cover_image_checksum",
    )
    cover_image_checksum = models.CharField(
        "封面图片 SHA-256", max_length=64, blank=True, editable=False
    )
    notice = models.ForeignKey(
        CopyrightNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name="版权声明",
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=IssueStatus.choices,
        default=IssueStatus.DRAFT,
        editable=False,
    )
    revision = models.PositiveSmallIntegerField(
        "修订版次", default=1, editable=False, help_text="1 为首发；勘误修订后为 2、3……"
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="correction",
        verbose_name="所修订的版本",
    )
    scheduled_at = models.DateTimeField("计划发布时间", null=True, blank=True, editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    lock_version = models.PositiveIntegerField("内容版本", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "期"
        verbose_name_plural = "期"
        ordering = ["publication", "-total_number"]
        get_latest_by = "total_number"
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "total_number", "revision"],
                name="issue_unique_total_number",
                violation_error_message="该刊物已有相同总期号的一期。",
            ),
            models.UniqueConstraint(
                "publication",
                ExtractYear("date"),
                "number",
                "revision",
                name="issue_unique_number_in_year",
                violation_error_message="该刊物同一年度已有相同期号的一期。",
            ),
            models.CheckConstraint(
                condition=models.Q(revision=1, corrects__isnull=True)
                | models.Q(revision__gt=1, corrects__isnull=False),
                name="issue_revision_has_original",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_at__isnull=False),
                name="issue_scheduled_has_time",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="issue_number_gte_1"),
            models.CheckConstraint(
                condition=models.Q(total_number__gte=1), name="issue_total_number_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(total_number__gte=models.F("number")),
                name="issue_total_not_below_number",
                violation_error_message="总期号不能小于期号。",
            ),
        ]
        indexes = [models.Index(fields=["status", "date"], name="issue_status_date")]

    def __str__(self) -> str:
        return issue_title(str(self.publication), self.date.year, self.number, self.label_total)

    @property
    def label_total(self) -> str:
        return issue_label_total(self.total_number, self.revision)

    @property
    def label(self) -> str:
        return issue_label(self.number, self.label_total)

    def clean(self) -> None:
        super().clean()
        if self.publication_id is None or self.date is None:
            return
        if self.notice is not None and self.notice.publication_id != self.publication_id:
            raise ValidationError({"notice": "版权声明必须属于本刊物。"})
        if self.corrects_id is not None:
            return  # a revision repeats the numbers of the issue it corrects
        others = Issue.objects.filter(publication_id=self.publication_id, revision=1).exclude(
            pk=self.pk
        )
        errors = {}
        if self.total_number is not None:
            missing = _gaps(others.values_list("total_number", flat=True), self.total_number)
            if missing:
                errors["total_number"] = ValidationError(
                    "总期号不连续：缺少总第%(missing)s期。",
                    code="total_number_gap",
                    params={"missing": _format_numbers(missing)},
                )
        if self.number is not None:
            in_year = others.filter(date__year=self.date.year)
            missing = _gaps(in_year.values_list("number", flat=True), self.number)
            if missing:
                errors["number"] = ValidationError(
                    "%(year)s年期号不连续：缺少第%(missing)s期。",
                    code="number_gap",
                    params={"year": self.date.year, "missing": _format_numbers(missing)},
                )
        if errors:
            raise ValidationError(errors)


def issue_label_total(total_number: int, revision: int) -> str:
    """ "总第179期", or "总第179期 修订版1" for a correction: how an issue is named everywhere."""
    revised = f" 修订版{revision - 1}" if revision > 1 else ""
    return f"总第{total_number}期{revised}"


def issue_label(number: int, label_total: str) -> str:
    """ "第16期 总第179期"."""
    return f"第{number}期 {label_total}"


def issue_title(publication: str, year: int, number: int, label_total: str) -> str:
    """ "大数据发展动态 2024年第16期（总第179期）"."""
    return f"{publication} {year}年第{number}期（{label_total}）"


def _gaps(existing: "models.QuerySet | list[int]", new: int) -> list[int]:
    """Numbers missing between the smallest and the largest once ``new`` joins ``existing``."""
    numbers = set(existing) | {new}
    return [n for n in range(min(numbers), max(numbers) + 1) if n not in numbers]


def _format_numbers(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:10])
    return shown + ("等" if len(numbers) > 10 else "")


class OrganisationRole(models.TextChoices):
    GUIDING_UNIT = "guiding_unit", "指导单位"
    CHIEF_EDITOR = "chief_editor", "主编"
    CO_EDITOR = "co_editor", "联合主编"
    ACADEMIC_SUPPORT = "academic_support", "学术支持"


class PersonRole(models.TextChoices):
    BOARD_MEMBER = "board_member", "编委会"
    EDITOR_IN_CHIEF = "editor_in_chief", "总编辑"
    DEPUTY_EDITOR = "deputy_editor", "副总编辑"
    EXECUTIVE_EDITOR = "executive_editor", "执行编辑"
    RESPONSIBLE_EDITOR = "responsible_editor", "责任编辑"
    ART_EDITOR = "art_editor", "美术编辑"


class MastheadOrganisation(models.Model):
    """An organisation in one issue's masthead; each issue keeps its own rows."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="masthead_organisations", verbose_name="期"
    )
    role = models.CharField("角色", max_length=30, choices=OrganisationRole.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="masthead_entries", verbose_name="机构"
    )
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "报头机构"
        verbose_name_plural = "报头机构"
        ordering = ["issue", "role", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "role", "organisation"],
                name="masthead_org_unique",
                violation_error_message="同一机构在本期报头的同一角色中重复。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.organisation}"


class MastheadMember(models.Model):
    """A person holding a board role in one issue's masthead; a person may hold several roles."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="masthead_members", verbose_name="期"
    )
    role = models.CharField("角色", max_length=30, choices=PersonRole.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="masthead_entries", verbose_name="人员"
    )
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "报头人员"
        verbose_name_plural = "报头人员"
        ordering = ["issue", "role", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "role", "person"],
                name="masthead_member_unique",
                violation_error_message="同一人员在本期报头的同一角色中重复。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person}"
