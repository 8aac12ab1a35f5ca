"""Request middleware of the project."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django_otp import devices_for_user

from editorial.services.permissions import actor_roles


class DefaultLanguageMiddleware:
    """The editors' UI is Chinese whatever the browser asks for; English stays available by
    choosing it (Django's set_language view stores the choice in the language cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not send: Permissions-Policy on every response,
    and ``Cache-Control: no-store`` on every response whose view did not say how it may be
    cached — admin pages, API responses, anything with unpublished content. The public archive's
    views declare themselves public; stored files' views say private, no-store.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.DIGEST_PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than DIGEST_MAX_REQUEST_BYTES before any of
    it is read: Django would otherwise stream a huge upload to disk and only then let the image
    validator refuse it. (Without a Content-Length, Django reads no body at all.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.DIGEST_MAX_REQUEST_BYTES
        if declared.isdigit() and int(declared) > limit:
            return HttpResponse(
                f"上传内容过大：{int(declared)} 字节，上限 {limit} 字节。",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class TwoFactorMiddleware:
    """Staff with a confirmed TOTP device give its code once per session before using the admin
    or the API; staff in DIGEST_REQUIRE_2FA_ROLES without one are sent to set one up first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and request.path.startswith(("/admin/", "/api/"))
            and request.path not in _two_factor_exempt()
        ):
            if any(devices_for_user(user)):
                return _to("two_factor_verify", request)
            required = set(settings.DIGEST_REQUIRE_2FA_ROLES)
            if required & {role.value for role in actor_roles(user)}:
                return _to("two_factor_setup", request)
        return self.get_response(request)


def _two_factor_exempt() -> set[str]:
    names = ("two_factor_setup", "two_factor_verify", "admin:logout", "admin:jsi18n")
    return {reverse(name) for name in names}


def _to(name: str, request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        # The API's error format (editorial/api/errors.py).
        body = {"code": "two_factor_required", "message": "需要先完成两步验证。"}
        return JsonResponse(body, status=403)
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling: the X-Forwarded-For entry our own
    DIGEST_PROXY_COUNT proxies added (entries before it are the client's to forge), else the
    connection's."""
    count = settings.DIGEST_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
