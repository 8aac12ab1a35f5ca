"""Atom and RSS feeds of the reading site, per publication and per section, with every
article's full content (Django's syndication framework over the issues' Editions)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import format_html

from editorial.documents import article_path
from editorial.editions import EditionImage
from editorial.models import Issue, Publication
from editorial.selectors import issues_editions
from editorial.workflow import IssueStatus

from .views import absolute, article_body_html, issue_image_url

# A publication's feed holds its latest issues whole; a section's, the section's articles of
# its latest issues.
PUBLICATION_FEED_ISSUES = 2
SECTION_FEED_ISSUES = 10


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    content: str
    section: str
    published: datetime.datetime
    author: str


@dataclass(frozen=True)
class FeedSource:
    publication: Publication
    section: str  # a section's slug, "" for the whole publication
    section_name: str
    items: list[FeedItem]


class FullContentAtom(feedgenerator.Atom1Feed):
    """Atom with each article's whole text in ``<content type="html">``."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class PublicationFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[feedgenerator.SyndicationFeed] = FullContentAtom

    def get_object(self, request: HttpRequest, slug: str, section: str = "") -> FeedSource:
        publication = get_object_or_404(Publication, slug=slug)
        items = feed_items(publication, section)
        if section and not items:
            raise Http404("没有这个栏目的文章。")
        return FeedSource(publication, section, items[0].section if section else "", items)

    def title(self, source: FeedSource) -> str:
        name = source.publication.name
        return f"{name} · {source.section_name}" if source.section else name

    def subtitle(self, source: FeedSource) -> str:
        return source.publication.tagline

    description = subtitle

    def link(self, source: FeedSource) -> str:
        slug = source.publication.slug
        if source.section:
            return absolute(reverse("public:section", args=[slug, source.section]))
        return absolute(reverse("public:home"))

    def feed_url(self, source: FeedSource) -> str:
        kind = "atom" if self.feed_type is FullContentAtom else "rss"
        slug = source.publication.slug
        if source.section:
            return absolute(reverse(f"public:section-feed-{kind}", args=[slug, source.section]))
        return absolute(reverse(f"public:feed-{kind}", args=[slug]))

    def items(self, source: FeedSource) -> list[FeedItem]:
        return source.items

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_guid(self, item: FeedItem) -> str:
        return item.link

    def item_description(self, item: FeedItem) -> str:
        return item.content

    def item_pubdate(self, item: FeedItem) -> datetime.datetime:
        return item.published

    def item_author_name(self, item: FeedItem) -> str:
        return item.author

    def item_categories(self, item: FeedItem) -> list[str]:
        return [item.section]

    def item_extra_kwargs(self, item: FeedItem) -> dict[str, Any]:
        return {"content": item.content}


class PublicationRssFeed(PublicationFeed):
    feed_type = feedgenerator.Rss201rev2Feed


def absolute_image(served: Callable[[EditionImage], str], image: EditionImage) -> str:
    return absolute(served(image))


def feed_items(publication: Publication, section: str) -> list[FeedItem]:
    """The articles of the publication's latest issues (of one section's, when given), each
    with its whole text, figures at their absolute addresses, 来源 and 原文链接."""
    issues = Issue.objects.filter(
        publication=publication, status=IssueStatus.PUBLISHED
    ).select_related("publication")
    if section:
        issues = issues.filter(articles__section__slug=section).distinct()
    count = SECTION_FEED_ISSUES if section else PUBLICATION_FEED_ISSUES
    latest = list(issues.order_by("-date", "-pk")[:count])
    editions = issues_editions(latest)
    items: list[FeedItem] = []
    for issue in latest:
        edition = editions[issue.pk]
        served = issue_image_url(edition.publication.slug, edition.total_number, edition.revision)
        published = issue.published_at or datetime.datetime.combine(
            edition.date, datetime.time(), datetime.UTC
        )
        for number, article in enumerate(edition.articles, start=1):
            if section and article.section.slug != section:
                continue
            content = article_body_html(article, partial(absolute_image, served))
            if article.source:
                content += format_html("<p>（来源：{}）</p>", article.source)
            if article.original_url:
                content += format_html(
                    '<p>原文链接：<a href="{}">{}</a></p>',
                    article.original_url,
                    article.original_url,
                )
            path = article_path(
                edition.publication.slug, edition.total_number, edition.revision, number
            )
            items.append(
                FeedItem(
                    title=article.title,
                    link=absolute(path),
                    content=content,
                    section=article.section.name,
                    published=published,
                    author=edition.publication.name,
                )
            )
    return items
