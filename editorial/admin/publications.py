"""Publications with their sections, and the versioned copyright notice."""

from typing import Any

from adminsortable2.admin import SortableTabularInline
from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import Truncator

from editorial.models import CopyrightNotice, Publication, Section
from editorial.services.notices import notice_revise
from editorial.services.shared_records import publication_save, section_delete, section_save

from .common import NO_IMAGE, SortableWhenEditableAdminBase, adopt, thumbnail


class SectionInline(SortableTabularInline):
    """The publication's columns, dragged into their default order."""

    model = Section
    fields = ("name", "slug")
    ordering = ("position", "id")
    extra = 0


@admin.register(Publication)
class PublicationAdmin(SortableWhenEditableAdminBase, admin.ModelAdmin):
    """Saved through ``publication_save``, its section rows through ``section_save`` and
    ``section_delete``: each change is audited, since every issue prints them."""

    list_display = (
        "name",
        "slug",
        "frequency",
        "approval_quorum",
        "wechat_push_enabled",
        "section_count",
        "issue_count",
    )
    ordering = ("name",)
    search_fields = ("name", "slug")
    inlines = [SectionInline]
    readonly_fields = ("wechat_qr_preview",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "frequency")}),
        ("封面", {"fields": ("tagline", "slogan")}),
        ("联系方式", {"fields": ("phone", "fax", "email", "address")}),
        ("签发", {"fields": ("approval_quorum",)}),
        ("公开网站", {"fields": ("notice_public",)}),
        (
            "公众号",
            {
                "fields": (
                    "wechat_account_name",
                    "wechat_caption",
                    "wechat_qr",
                    "wechat_qr_preview",
                    "wechat_push_enabled",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Publication]:
        """Counts come with the rows, so the list costs the same for any number of them."""
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_count=Count("sections", distinct=True),
                issue_count=Count("issues", distinct=True),
            )
        )

    def save_model(
        self, request: HttpRequest, obj: Publication, form: ModelForm, change: bool
    ) -> None:
        publication_save(actor=request.user, publication=obj)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        for section in formset.save(commit=False):
            section_save(actor=request.user, section=section)
        for section in formset.deleted_objects:
            section_delete(actor=request.user, section_id=section.pk)

    @admin.display(description="栏目数", ordering="section_count")
    def section_count(self, obj: Publication) -> int:
        return obj.section_count  # type: ignore[attr-defined]

    @admin.display(description="期数", ordering="issue_count")
    def issue_count(self, obj: Publication) -> int:
        return obj.issue_count  # type: ignore[attr-defined]

    @admin.display(description="二维码预览")
    def wechat_qr_preview(self, obj: Publication) -> str:
        return thumbnail(obj.wechat_qr, height=96) or NO_IMAGE


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """Saved through ``section_save`` and deleted through ``section_delete`` (audited)."""

    list_display = ("name", "publication", "slug", "position", "article_count")
    ordering = ("publication", "position", "id")
    list_filter = ("publication",)
    list_select_related = ("publication",)
    search_fields = ("name", "slug")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def save_model(self, request: HttpRequest, obj: Section, form: ModelForm, change: bool) -> None:
        section_save(actor=request.user, section=obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        section_delete(actor=request.user, section_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Section]) -> None:
        for section in queryset:
            section_delete(actor=request.user, section_id=section.pk)

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, obj: Section) -> int:
        return obj.article_count  # type: ignore[attr-defined]


@admin.register(CopyrightNotice)
class CopyrightNoticeAdmin(admin.ModelAdmin):
    """Versions are never edited: issues pin the version they printed, so a new text is added.

    An existing version opens read-only; the add form takes a publication and a text, and
    ``notice_revise`` numbers the new version.
    """

    list_display = ("__str__", "version", "text_excerpt", "issue_count", "created_at")
    ordering = ("publication", "-version")
    list_filter = ("publication",)
    list_select_related = ("publication",)
    search_fields = ("text",)
    add_fields = ("publication", "text")
    view_fields = ("publication", "version", "text", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CopyrightNotice]:
        return super().get_queryset(request).annotate(issue_count=Count("issues"))

    def get_fields(self, request: HttpRequest, obj: CopyrightNotice | None = None) -> Any:
        return self.add_fields if obj is None else self.view_fields

    def get_fieldsets(self, request: HttpRequest, obj: CopyrightNotice | None = None) -> Any:
        description = (
            "保存后自动编为该刊物的下一个版本；已有版本不可修改，之后新建的期使用最新版本。"
            if obj is None
            else "已有版本不可修改。如需修改声明，请新增一个版本。"
        )
        return [(None, {"fields": self.get_fields(request, obj), "description": description})]

    def has_change_permission(
        self, request: HttpRequest, obj: CopyrightNotice | None = None
    ) -> bool:
        """An existing version shows read-only; adding stays allowed."""
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: CopyrightNotice, form: ModelForm, change: bool
    ) -> None:
        """Adding goes through the service, which assigns the next version number."""
        notice = notice_revise(actor=request.user, publication=obj.publication, text=obj.text)
        adopt(obj, notice)

    @admin.display(description="声明摘要")
    def text_excerpt(self, obj: CopyrightNotice) -> str:
        return Truncator(obj.text).chars(40)

    @admin.display(description="使用期数", ordering="issue_count")
    def issue_count(self, obj: CopyrightNotice) -> int:
        return obj.issue_count  # type: ignore[attr-defined]
