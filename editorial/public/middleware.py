"""Serving the reading site's stored documents at the speed of a static file.

Placed right after WhiteNoise: a reader's GET or HEAD of a path the last publication rendered
(``services/documents.py``) is answered from its stored bytes with one indexed query — strong
ETag, Last-Modified, Cache-Control, 304 on If-None-Match / If-Modified-Since — without sessions,
authentication or a view. Anything else (a query string, a path never stored, the render of a
document itself) goes on to the views, which render it on the fly.
"""

from collections.abc import Callable
from functools import cache

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from editorial.selectors import published_document
from editorial.services.documents import RENDERING

# Stored pages are shared by every reader: public, and revalidated after a few minutes (a
# correction changes them).
DOCUMENT_CACHE_CONTROL = "public, max-age=300"


@cache
def document_policy() -> str:
    """The site's Content-Security-Policy without a nonce: stored pages carry no inline script
    or <style> (their stylesheet is a static file), so none may run."""
    return build_policy()


class PublishedDocumentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or request.META.get("QUERY_STRING")
            or request.META.get(RENDERING)
        ):
            return self.get_response(request)
        document = published_document(request.path_info)
        if document is None:
            return self.get_response(request)
        content_type, body, etag, modified_at = document
        last_modified = int(modified_at.timestamp())
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
        response = conditional or HttpResponse(bytes(body), content_type=content_type)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        response.headers["Cache-Control"] = DOCUMENT_CACHE_CONTROL
        response.headers["Content-Security-Policy"] = document_policy()
        response.headers["Permissions-Policy"] = settings.DIGEST_PERMISSIONS_POLICY
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Language"] = settings.LANGUAGE_CODE
        return response
