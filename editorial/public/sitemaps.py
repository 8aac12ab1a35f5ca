"""The sitemap of the reading site (django.contrib.sitemaps): home, archive years, every public
issue and article page, the sections."""

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse

from editorial.documents import article_path, issue_path
from editorial.models import Article, Issue
from editorial.workflow import IssueStatus

from .views import PUBLIC_STATUSES


class PagesSitemap(Sitemap):  # type: ignore[type-arg]
    """Home, the archive and its years."""

    def items(self) -> list[str]:
        years = Issue.objects.filter(status=IssueStatus.PUBLISHED).dates(
            "date", "year", order="DESC"
        )
        return [reverse("public:home"), reverse("public:archive")] + [
            reverse("public:archive-year", args=[day.year]) for day in years
        ]

    def location(self, item: str) -> str:
        return item


class IssuesSitemap(Sitemap):  # type: ignore[type-arg]
    """Every public issue page and the pages of its articles (their number from the issue's
    articles, which a published issue never changes)."""

    def items(self) -> list[tuple[str, Any]]:
        issues = (
            Issue.objects.filter(status__in=PUBLIC_STATUSES)
            .annotate(article_count=Count("articles"))
            .values_list(
                "publication__slug",
                "total_number",
                "revision",
                "article_count",
                "published_at",
            )
            .order_by("-date", "-revision")
        )
        pages: list[tuple[str, Any]] = []
        for slug, total, revision, count, published_at in issues:
            pages.append((issue_path(slug, total, revision), published_at))
            pages += [
                (article_path(slug, total, revision, number), published_at)
                for number in range(1, count + 1)
            ]
        return pages

    def location(self, item: tuple[str, Any]) -> str:
        return item[0]

    def lastmod(self, item: tuple[str, Any]) -> Any:
        return item[1]


class SectionsSitemap(Sitemap):  # type: ignore[type-arg]
    def items(self) -> list[str]:
        sections = (
            Article.objects.filter(issue__status=IssueStatus.PUBLISHED)
            .values_list("issue__publication__slug", "section__slug")
            .distinct()
            .order_by("issue__publication__slug", "section__slug")
        )
        return [reverse("public:section", args=[slug, section]) for slug, section in sections]

    def location(self, item: str) -> str:
        return item


SITEMAPS = {"pages": PagesSitemap, "issues": IssuesSitemap, "sections": SectionsSitemap}
