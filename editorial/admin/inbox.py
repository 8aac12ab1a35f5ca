"""我的通知: the logged-in user's notifications, newest first; opening one marks it read and goes
to what it is about, and 全部标为已读 marks them all. Each is also e-mailed to those who have an
address (``services.notifications``)."""

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from editorial.models import Notification
from editorial.services.notifications import (
    notification_open,
    notifications_mark_all_read,
    notifications_unread_count,
)

PER_PAGE = 50


def inbox_response(request: HttpRequest, site: AdminSite) -> TemplateResponse:
    assert isinstance(request.user, User)  # noqa: S101 - admin_view lets only staff in
    rows = (
        Notification.objects.filter(recipient=request.user)
        .select_related("issue__publication")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "admin/editorial/inbox.html",
        {
            **site.each_context(request),
            "title": "我的通知",
            "page": page,
            "unread": notifications_unread_count(request.user),
            "has_address": bool(request.user.email),
        },
    )


def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = notification_open(actor=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("没有这条通知。") from None
    return HttpResponseRedirect(notification.url or reverse("admin:editorial_notification_mine"))


def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return HttpResponseRedirect(reverse("admin:editorial_notification_mine"))
