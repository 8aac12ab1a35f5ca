"""The readers' subscription pages: subscribe (double opt-in), confirm, preferences, unsubscribe.

Thin: each page checks its form or signed link and calls ``editorial.services.subscriptions``.
A link opened by GET never changes anything (mail scanners follow links): confirming and
unsubscribing take a POST, from the page's button or, for unsubscribing, from the mail client's
RFC 8058 one-click request.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from digest.middleware import client_ip
from editorial.models import ConsentSource, SubscriberFormat
from editorial.public.views import site_page
from editorial.services.subscriptions import (
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
    subscriber_update_preferences,
)
from editorial.subscriber_links import (
    BadLink,
    confirm_subscriber,
    preferences_subscriber,
    unsubscribe_path,
    unsubscribe_subscriber,
)


class DetailsForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=100, required=False)
    organisation = forms.CharField(label="单位", max_length=200, required=False)
    format = forms.ChoiceField(
        label="接收方式",
        choices=SubscriberFormat.choices,
        initial=SubscriberFormat.LINK,
        widget=forms.RadioSelect,
    )


class SubscribeForm(DetailsForm):
    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        error_messages={"invalid": "请输入有效的电子邮箱地址。", "required": "请填写电子邮箱。"},
    )
    consent = forms.BooleanField(
        label="我已阅读并同意上述说明", error_messages={"required": "请勾选同意后再提交。"}
    )
    # The honeypot: hidden from people by the page's style, filled in by form-filling bots.
    website = forms.CharField(label="网站", required=False)

    field_order = ["email", "name", "organisation", "format", "consent", "website"]


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def _bad_link(request: HttpRequest, error: BadLink) -> HttpResponse:
    return site_page(request, "public/subscriptions/bad_link.html", {"error": error}, status=400)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None, label_suffix="：")
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect("subscriptions:sent")  # a bot: answered as anyone, nothing done
        data = form.cleaned_data
        try:
            subscriber_subscribe(
                email=data["email"],
                name=data["name"],
                organisation=data["organisation"],
                format=data["format"],
                ip=client_ip(request),
                user_agent=_user_agent(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            status = 429 if getattr(error, "code", None) == "rate_limited" else 400
            context = {"form": form}
            return site_page(request, "public/subscriptions/subscribe.html", context, status=status)
        return redirect("subscriptions:sent")
    return site_page(request, "public/subscriptions/subscribe.html", {"form": form})


@require_http_methods(["GET"])
def sent(request: HttpRequest) -> HttpResponse:
    return site_page(request, "public/subscriptions/sent.html", {})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the page with the 确认订阅 button; POST (the button, with its CSRF token): confirm."""
    try:
        if request.method == "POST":
            subscriber_confirm(token=token, ip=client_ip(request), user_agent=_user_agent(request))
            return site_page(request, "public/subscriptions/confirmed.html", {})
        confirm_subscriber(token)
    except BadLink as error:
        return _bad_link(request, error)
    return site_page(request, "public/subscriptions/confirm.html", {})


# The one-click POST of RFC 8058 comes from the mail provider, with no cookie and no CSRF token:
# the signed link is its authority. A forged request needs the token, and all it can do is
# unsubscribe the person the link belongs to — which the link's holder may do anyway.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one 退订 button; POST (the button, or one-click): unsubscribe, at once
    and idempotently."""
    try:
        subscriber = unsubscribe_subscriber(token)
    except BadLink as error:
        return _bad_link(request, error)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriber_unsubscribe(
            subscriber=subscriber,
            source=ConsentSource.ONE_CLICK if one_click else ConsentSource.LINK,
            ip=client_ip(request),
            user_agent=_user_agent(request),
        )
        return site_page(request, "public/subscriptions/unsubscribed.html", {})
    return site_page(request, "public/subscriptions/unsubscribe.html", {})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = preferences_subscriber(token)
    except BadLink as error:
        return _bad_link(request, error)
    initial = {
        "name": subscriber.name,
        "organisation": subscriber.organisation,
        "format": subscriber.format,
    }
    form = DetailsForm(request.POST or None, initial=initial, label_suffix="：")
    saved = False
    if request.method == "POST" and form.is_valid():
        subscriber = subscriber_update_preferences(
            subscriber=subscriber,
            ip=client_ip(request),
            user_agent=_user_agent(request),
            **form.cleaned_data,
        )
        saved = True
    context = {
        "form": form,
        "saved": saved,
        "subscriber": subscriber,
        "unsubscribe_path": unsubscribe_path(subscriber),
    }
    return site_page(request, "public/subscriptions/preferences.html", context)
