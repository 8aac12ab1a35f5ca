"""Request middleware of the project."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
