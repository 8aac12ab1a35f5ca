"""Two-factor sign-in for staff: set up a TOTP authenticator, then confirm a code per session."""

import base64
from typing import cast

import segno
from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login

from editorial.services.accounts import account_totp_confirm, account_totp_device


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("admin:index")


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, template, {**admin.site.each_context(request), **context})


@login_required(login_url="admin:login")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show the secret (as a QR code and as text) and confirm the authenticator with a code.

    Someone holding only the password must not swap in their own phone: with a confirmed device
    and no code given yet this session, the code comes first.
    """
    user = cast(User, request.user)
    if not user.is_verified() and any(devices_for_user(user)):  # type: ignore[attr-defined]
        return HttpResponseRedirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = account_totp_device(user=user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        confirmed = account_totp_confirm(user=user, token=form.cleaned_data["token"])
        if confirmed is not None:
            otp_login(request, confirmed)
            return HttpResponseRedirect(_next(request))
        form.add_error("token", "验证码不正确，请核对手机上的时间后重试。")
    return _page(
        request,
        "admin/two_factor_setup.html",
        {
            "title": "设置两步验证",
            "form": form,
            "qr_svg": segno.make(device.config_url).svg_inline(scale=4),
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )


@login_required(login_url="admin:login")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the user's authenticator once per session."""
    form = TokenForm(request.POST or None)
    if form.is_valid():
        for device in devices_for_user(cast(User, request.user)):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(_next(request))
        form.add_error("token", "验证码不正确。")
    return _page(request, "admin/two_factor_verify.html", {"title": "两步验证", "form": form})
