"""邮件投递: the e-mail delivery of each published issue — live counts, failures with their
reasons, resend or close of failed and uncertain rows (asked to confirm first), pause and
resume. Every action goes through ``services.deliveries``; who may see and act is decided by
``policies.delivery_view_check`` / ``delivery_manage_check``."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from editorial.models import Delivery, DeliveryStatus, Mailing
from editorial.selectors import mailing_counts
from editorial.services.deliveries import (
    RESENDABLE,
    DeliveryRefused,
    deliveries_close,
    deliveries_resend,
    mailing_pause,
    mailing_resume,
)
from editorial.services.policies import delivery_manage_check, delivery_view_check

FAILURES_SHOWN = 500
S = DeliveryStatus


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ("issue", "recipients", "paused", "created_at")
    list_select_related = ("issue__publication",)
    ordering = ("-created_at", "-id")

    # Rows are written by publishing and the delivery services only.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_staff and delivery_view_check(request.user).allowed

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:mailing_id>/counts/", view(self.counts_view), name="editorial_mailing_counts"
            ),
            path(
                "<int:mailing_id>/do/<str:action>/",
                view(require_POST(self.action_view)),
                name="editorial_mailing_action",
            ),
            *super().get_urls(),
        ]

    def _mailing(self, request: HttpRequest, mailing_id: int) -> Mailing:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Mailing.objects.select_related("issue__publication"), pk=mailing_id
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The delivery page of one issue (this replaces the change form: nothing is edited)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        mailing = self._mailing(request, int(object_id))
        failures = (
            Delivery.objects.filter(mailing=mailing, status__in=RESENDABLE)
            .select_related("subscriber")
            .order_by("status", "pk")[:FAILURES_SHOWN]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{mailing.issue} · 邮件投递",
            "mailing": mailing,
            "counts": _labelled(mailing_counts(mailing.pk)),
            "failures": failures,
            "decision": delivery_manage_check(request.user, mailing.issue),
        }
        return TemplateResponse(request, "admin/editorial/mailing/delivery.html", context)

    def counts_view(self, request: HttpRequest, mailing_id: int) -> JsonResponse:
        """What the page polls: the counts and whether the mailing is paused."""
        mailing = self._mailing(request, mailing_id)
        return JsonResponse(
            {"counts": mailing_counts(mailing.pk), "paused": mailing.paused},
            headers={"Cache-Control": "no-store"},
        )

    def action_view(self, request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
        mailing = self._mailing(request, mailing_id)
        page = reverse("admin:editorial_mailing_change", args=[mailing.pk])
        ids = [int(pk) for pk in request.POST.getlist("delivery") if pk.isdigit()]
        try:
            if action == "pause":
                mailing_pause(actor=request.user, mailing_id=mailing.pk)
                self.message_user(request, "已暂停投递：正在发送的一批在下一封之前停止。")
            elif action == "resume":
                mailing_resume(actor=request.user, mailing_id=mailing.pk)
                self.message_user(request, "已恢复投递。")
            elif action in ("resend", "close"):
                if not ids:
                    self.message_user(request, "请先勾选要处理的投递记录。", messages.WARNING)
                elif request.POST.get("confirm") != "yes":
                    return self._confirm(request, mailing, action, ids)
                elif action == "resend":
                    count = deliveries_resend(
                        actor=request.user, mailing_id=mailing.pk, delivery_ids=ids
                    )
                    self.message_user(request, f"已重新排队 {count} 封。")
                else:
                    count = deliveries_close(
                        actor=request.user, mailing_id=mailing.pk, delivery_ids=ids
                    )
                    self.message_user(request, f"已关闭 {count} 条投递记录。")
            else:
                return HttpResponse(status=404)
        except DeliveryRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(page)

    def _confirm(
        self, request: HttpRequest, mailing: Mailing, action: str, ids: list[int]
    ) -> TemplateResponse:
        rows = (
            Delivery.objects.filter(mailing=mailing, pk__in=ids, status__in=RESENDABLE)
            .select_related("subscriber")
            .order_by("pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "确认重新发送" if action == "resend" else "确认关闭",
            "mailing": mailing,
            "action": action,
            "rows": rows,
            "uncertain": any(row.status == S.UNCERTAIN for row in rows),
        }
        return TemplateResponse(request, "admin/editorial/mailing/confirm.html", context)


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(status, S(status).label, n) for status, n in counts.items()]
