"""The mailing list: subscribers with their consent history, CSV import, export and erasure.

Only those ``policies.subscriber_manage_check`` allows see any of it. A subscriber's status is
never edited here: it changes through the services (the reader's links, the mail system's
reports, and the actions below), each leaving a Consent row.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from editorial.models import Consent, ConsentSource, Subscriber
from editorial.services.policies import subscriber_manage_check
from editorial.services.subscriptions import (
    SubscriberImportInvalid,
    decode_csv,
    import_lines,
    subscriber_erase,
    subscriber_export,
    subscriber_unsubscribe,
    subscriber_update_preferences,
    subscribers_import,
)

from .common import error_list


class ConsentInline(admin.TabularInline):
    model = Consent
    fields = ("at", "action", "source", "consent_text_version", "ip", "user_agent", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")
    verbose_name_plural = "同意记录（只读）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV 文件", help_text="表头：email（必填）、name、organisation、format"
    )
    confirmed = forms.BooleanField(
        label="已持有同意",
        required=False,
        help_text="编辑部已取得这些人的订阅同意：直接订阅，不发送确认邮件（记入同意记录）。",
    )
    source = forms.CharField(
        label="名单来源", max_length=200, required=False, help_text="例如：2024年年会签到表"
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = Subscriber.RECORD_FIELDS[:8]  # up to 确认时间
    list_filter = ("status", "format", "source")
    search_fields = ("email", "name", "organisation")
    fields = Subscriber.RECORD_FIELDS
    # The reader's own choices may be corrected here; the address and the history may not.
    readonly_fields = tuple(
        name for name in Subscriber.RECORD_FIELDS if name not in ("name", "organisation", "format")
    )
    inlines = (ConsentInline,)
    actions = ("export_selected", "unsubscribe_selected", "erase_selected")
    change_list_template = "admin/editorial/subscriber/change_list.html"

    # Who: the policy, on top of the model permissions only those roles hold.
    def _may_manage(self, request: HttpRequest) -> bool:
        return subscriber_manage_check(request.user).allowed

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        erased = obj is not None and obj.erased_at is not None
        return not erased and self._may_manage(request) and super().has_change_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # addresses come from the form (opt-in) or an import

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting is erasure: the action below

    def save_model(
        self, request: HttpRequest, obj: Subscriber, form: ModelForm, change: bool
    ) -> None:
        subscriber_update_preferences(
            subscriber=obj,
            name=obj.name,
            organisation=obj.organisation,
            format=obj.format,
            actor=request.user,
            source=ConsentSource.ADMIN,
        )

    # Actions -----------------------------------------------------------------------------

    @admin.action(description="导出所选订阅者的数据（JSON）", permissions=["view"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> HttpResponse:
        data = [subscriber_export(actor=request.user, subscriber=s) for s in queryset]
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        name = f"subscriber-{data[0]['subscriber']['id']}" if len(data) == 1 else "subscribers"
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response

    @admin.action(description="退订所选订阅者（应本人要求）", permissions=["change"])
    def unsubscribe_selected(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for subscriber in queryset.filter(erased_at__isnull=True):
            subscriber_unsubscribe(
                subscriber=subscriber, source=ConsentSource.ADMIN, actor=request.user
            )
        self.message_user(request, "已退订所选订阅者。", messages.SUCCESS)

    @admin.action(description="删除所选订阅者的个人数据", permissions=["change"])
    def erase_selected(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> HttpResponse | None:
        """First a confirmation page; erasing when it is posted back with ``confirm``."""
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/editorial/subscriber/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "删除订阅者的个人数据",
                    "opts": self.opts,
                    "subscribers": queryset,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        count = 0
        for subscriber in queryset:
            subscriber_erase(actor=request.user, subscriber=subscriber)
            count += 1
        self.message_user(request, f"已删除 {count} 位订阅者的个人数据。", messages.SUCCESS)
        return None

    # The CSV import page -----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="editorial_subscriber_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may_manage(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = subscribers_import(
                    actor=request.user,
                    text=decode_csv(upload.read()),
                    file_name=upload.name,
                    confirmed=form.cleaned_data["confirmed"],
                    source=form.cleaned_data["source"],
                )
            except SubscriberImportInvalid as error:
                messages.error(request, error_list("未导入任何订阅者：", error.messages))
            else:
                lines = list(import_lines(report))
                messages.success(request, error_list("", lines) if len(lines) > 1 else lines[0])
                return HttpResponseRedirect(reverse("admin:editorial_subscriber_changelist"))
        return TemplateResponse(
            request,
            "admin/editorial/subscriber/import.html",
            {
                **self.admin_site.each_context(request),
                "title": "导入订阅者",
                "opts": self.opts,
                "form": form,
            },
        )
