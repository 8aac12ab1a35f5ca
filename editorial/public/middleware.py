"""Serving the reading site's stored documents at the speed of a static file.

Placed right after WhiteNoise: a reader's GET or HEAD of a path the last publication rendered
(``services/documents.py``) is answered from its stored bytes — strong ETag, Last-Modified,
Cache-Control, 304 on If-None-Match / If-Modified-Since — without sessions, authentication or a
view. Anything else (a query string, a path never stored, the render of a document itself) goes
on to the views, which render it on the fly.

Each worker keeps the documents it served last in memory for DIGEST_DOCUMENT_CACHE_SECONDS
(bounded by DIGEST_DOCUMENT_CACHE_BYTES), then asks the database again (one indexed query): a
publication reaches every worker within that time, far inside the five minutes readers' caches
are allowed (``Cache-Control: max-age=300``).

A reader whose client accepts gzip (every browser and feed reader) gets the document compressed,
made once when the worker loads it, under its own strong ETag (``…-gz``) and with ``Vary:
Accept-Encoding``: a feed with the full text of two issues is several times the size of a page.
"""

import gzip
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from editorial.documents import may_be_stored
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


class Document(NamedTuple):
    content_type: str
    body: bytes
    etag: str
    last_modified: int  # epoch seconds
    gzipped: bytes | None  # the body compressed, when that makes it smaller

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


# Below this, compressing saves less than the headers cost (WhiteNoise's threshold too).
GZIP_MIN_BYTES = 200
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# What a path not stored costs to remember (its key and the entry), for the memory bound.
MISS_BYTES = 200


class DocumentCache:
    """Documents by path (``None``: not stored), each for ``ttl`` seconds, least recently
    used dropped first beyond ``max_bytes``."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, Document | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, path: str, load: Callable[[str], Document | None]) -> Document | None:
        ttl = settings.DIGEST_DOCUMENT_CACHE_SECONDS
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(path)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(path)
                return entry[1]
        document = load(path)
        if ttl > 0:
            self._put(path, now + ttl, document)
        return document

    def _put(self, path: str, expires: float, document: Document | None) -> None:
        size = MISS_BYTES + (document.size if document else 0)
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._bytes -= MISS_BYTES + (old[1].size if old[1] else 0)
            self._entries[path] = (expires, document)
            self._bytes += size
            while self._bytes > settings.DIGEST_DOCUMENT_CACHE_BYTES and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= MISS_BYTES + (dropped.size if dropped else 0)


def load_document(path: str) -> Document | None:
    found = published_document(path)
    if found is None:
        return None
    content_type, stored, etag, modified_at = found
    body = bytes(stored)
    gzipped = gzip.compress(body, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    if gzipped is not None and len(gzipped) >= len(body):
        gzipped = None
    return Document(content_type, body, etag, int(modified_at.timestamp()), gzipped)


def gzip_etag(etag: str) -> str:
    """The compressed variant's own strong ETag: ``"…"`` → ``"…-gz"``."""
    return etag[:-1] + '-gz"'


class PublishedDocumentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.documents = DocumentCache()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or request.META.get("QUERY_STRING")
            or request.META.get(RENDERING)
            or not may_be_stored(request.path_info)
        ):
            return self.get_response(request)
        document = self.documents.get(request.path_info, load_document)
        if document is None:
            return self.get_response(request)
        body, etag, encoding = document.body, document.etag, ""
        if document.gzipped is not None and ACCEPTS_GZIP.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        ):
            body, etag, encoding = document.gzipped, gzip_etag(etag), "gzip"
        last_modified = document.last_modified
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
        response = conditional or HttpResponse(body, content_type=document.content_type)
        if encoding and conditional is None:
            response.headers["Content-Encoding"] = encoding
        if document.gzipped is not None:
            response.headers["Vary"] = "Accept-Encoding"
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        response.headers["Cache-Control"] = DOCUMENT_CACHE_CONTROL
        response.headers["Content-Security-Policy"] = document_policy()
        response.headers["Permissions-Policy"] = settings.DIGEST_PERMISSIONS_POLICY
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Language"] = settings.LANGUAGE_CODE
        return response
