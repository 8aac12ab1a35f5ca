"""ETags on reads, If-Match on writes: a write names the version it was made from.

An issue's ETag is its Edition's fingerprint (with its state, until published), so what a
reader holds and what the board signed are the same value; an article's is its version and
state; any other read's is the hash of its bytes. A write without If-Match is refused (428), one
made from another version too (412) — the services check the version again under their lock.
"""

import hashlib

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from rest_framework.request import Request
from rest_framework.response import Response

from editorial.editions import Edition
from editorial.models import Article, Issue
from editorial.workflow import IssueStatus

from .errors import PreconditionFailed, PreconditionRequired


def issue_etag(issue: Issue, edition: Edition) -> str:
    """The fingerprint of what the issue shows; before publication its state too, which moves
    while the content does not."""
    if issue.status == IssueStatus.PUBLISHED:
        return f'"{edition.fingerprint}"'
    return f'"{edition.fingerprint}-{issue.status}"'


def article_etag(article: Article) -> str:
    return f'"{article.lock_version}-{article.status}"'


def content_etag(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def _tags(header: str) -> set[str]:
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def require_if_match(request: Request | HttpRequest, current: str) -> None:
    """Refuse a write that does not name the current version."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        raise PreconditionRequired()
    tags = _tags(header)
    if "*" not in tags and current not in tags:
        raise PreconditionFailed()


def with_etag(request: Request, response: Response, etag: str) -> HttpResponseBase:
    """``response`` with its ETag, or 304 when the client already holds that version."""
    if request.method in ("GET", "HEAD") and etag in _tags(
        request.headers.get("If-None-Match", "")
    ):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    return response
