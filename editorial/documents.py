"""The reading site's documents as data: which URL paths a publication changes.

When an issue is published (or a correction supersedes it), a build job (``DocumentBuild``,
``services/documents.py``) renders each path named here once, through the same views that answer
a cache miss, and stores the bytes (``PublishedDocument``); the middleware
(``editorial/public/middleware.py``) serves them with their ETag. Adding a document is one entry:

    DocumentKind("api-issue", lambda issue: [reverse("api-v1:issue-detail", args=[issue.issue_id])])

``issue_paths`` of an entry gets each issue revision the publication changes: the one published
and, for a correction, the one it supersedes (whose pages now point to the correction).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class PublishedIssue:
    """One issue revision as the site names it: what its documents' paths are made of."""

    issue_id: int
    slug: str  # the publication's
    total_number: int
    revision: int
    year: int
    article_count: int
    section_slugs: tuple[str, ...]  # those its articles use, in reading order


@dataclass(frozen=True)
class DocumentKind:
    name: str
    issue_paths: Callable[[PublishedIssue], Iterable[str]]


def issue_path(slug: str, total_number: int, revision: int = 1) -> str:
    """The issue page; the first revision keeps the short path the archive always had."""
    if revision > 1:
        return reverse("public:issue-revision", args=[slug, total_number, revision])
    return reverse("public:issue", args=[slug, total_number])


def issue_pdf_path(slug: str, total_number: int, revision: int = 1) -> str:
    """The issue revision's final PDF."""
    if revision > 1:
        return reverse("public:issue-revision-pdf", args=[slug, total_number, revision])
    return reverse("public:issue-pdf", args=[slug, total_number])


def issue_image_path(slug: str, total_number: int, revision: int, name: str) -> str:
    """An image the issue revision's Edition names (``name``: its checksum and suffix)."""
    if revision > 1:
        return reverse("public:issue-revision-file", args=[slug, total_number, revision, name])
    return reverse("public:issue-file", args=[slug, total_number, name])


def article_path(slug: str, total_number: int, revision: int, number: int) -> str:
    """The page of the ``number``-th article (from 1, in reading order) of an issue revision."""
    if revision > 1:
        return reverse("public:article-revision", args=[slug, total_number, revision, number])
    return reverse("public:article", args=[slug, total_number, number])


def _article_paths(issue: PublishedIssue) -> list[str]:
    return [
        article_path(issue.slug, issue.total_number, issue.revision, number)
        for number in range(1, issue.article_count + 1)
    ]


def _feed_paths(issue: PublishedIssue) -> list[str]:
    paths = [reverse(f"public:feed-{kind}", args=[issue.slug]) for kind in ("atom", "rss")]
    for section in issue.section_slugs:
        paths += [
            reverse(f"public:section-feed-{kind}", args=[issue.slug, section])
            for kind in ("atom", "rss")
        ]
    return paths


DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind("home", lambda issue: [reverse("public:home")]),
    DocumentKind(
        "archive",
        lambda issue: [
            reverse("public:archive"),
            reverse("public:archive-year", args=[issue.year]),
        ],
    ),
    DocumentKind(
        "issue", lambda issue: [issue_path(issue.slug, issue.total_number, issue.revision)]
    ),
    DocumentKind("article", _article_paths),
    DocumentKind(
        "section",
        lambda issue: [
            reverse("public:section", args=[issue.slug, section]) for section in issue.section_slugs
        ],
    ),
    DocumentKind("feed", _feed_paths),
    DocumentKind("sitemap", lambda issue: [reverse("sitemap")]),
    # The API's issue detail as readers get it (its ETag the Edition's fingerprint).
    DocumentKind(
        "api-issue", lambda issue: [reverse("api-v1:issue-detail", args=[issue.issue_id])]
    ),
)


# The paths no document is ever stored under: the workspace, stored files, the reader's forms
# and previews. The middleware does not look these up, so they cost no query.
NEVER_STORED = ("/admin/", "/files/", "/static/", "/i18n/", "/preview/", "/subscribe/")


def may_be_stored(path: str) -> bool:
    """Whether a document may be stored at ``path`` (every path of ``DOCUMENTS`` may)."""
    return not path.startswith(NEVER_STORED)


def documents_of(issues: Iterable[PublishedIssue]) -> dict[str, str]:
    """Every path the publication of ``issues`` changes, with its document kind, once each."""
    paths: dict[str, str] = {}
    for issue in issues:
        for kind in DOCUMENTS:
            for path in kind.issue_paths(issue):
                paths.setdefault(path, kind.name)
    return paths
