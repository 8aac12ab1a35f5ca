"""The version of what made the reading site's stored bytes: the project's templates, static
files, code and settings modules (URLs, the API's settings), and the settings its pages show.

A stored document (``PublishedDocument``) records the version it was rendered with and is
served only while the running site has that version: after a deploy that changes a template, a
stylesheet, a renderer or the footer's settings, each stored page is rendered by the views again
(correct, slower) until ``manage.py build_site`` has made them all anew — never the old bytes,
which would name static files the deploy no longer has.

    site_version() -> "3f2a…" (16 hex digits, computed once per process)
"""

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.conf import settings

# Under the project's directory: what shapes a document's bytes.
SOURCES = ("templates", "editorial", "digest", "locale")
SUFFIXES = frozenset({".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".ico", ".po"})
# The settings a page or feed shows (the footer, absolute links, static URLs).
SHOWN_SETTINGS = (
    "DIGEST_ICP_NUMBER",
    "DIGEST_SITE_CONTACT",
    "DIGEST_SITE_URL",
    "STATIC_URL",
    "LANGUAGE_CODE",
)


@cache
def site_version() -> str:
    base = Path(settings.BASE_DIR)
    shown = [f"{name}={getattr(settings, name, '')!r}" for name in SHOWN_SETTINGS]
    return source_digest((base / root for root in SOURCES), base=base, extra=shown)


def source_digest(roots: Iterable[Path], *, base: Path, extra: Iterable[str] = ()) -> str:
    """SHA-256 (16 hex digits) of the files under ``roots`` with one of ``SUFFIXES`` (by path
    relative to ``base``, in order, so that the same checkout gives the same version on every
    host) and of ``extra``."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for root in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts
    )
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for line in extra:
        digest.update(line.encode() + b"\0")
    return digest.hexdigest()[:16]
