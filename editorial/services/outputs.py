"""Outputs of an issue for the interfaces: what publishing sets off, and the 公众号 review.

The admin and the commands ask here for an output; they import no renderer. Every output is
rendered from the Edition the issue shows (``selectors.issue_edition``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from editorial.editions import Edition, EditionArticle
from editorial.models import Issue
from editorial.rendering.wechat import (
    ImageSource,
    Violation,
    WechatArticle,
    render_wechat_cover,
    render_wechat_issue,
    validate_wechat_article,
)
from editorial.selectors import issue_edition

from .documents import documents_request
from .permissions import Actor, require_perm
from .renditions import rendition_request

# A page imitating WeChat's article reader around one article's content, for review.
WECHAT_REVIEW_PAGE = "editorial/wechat/preview.html"


def issue_outputs_request(*, issue: Issue, edition: Edition) -> None:
    """Ask for every output of a just-published issue (in the publishing transaction), from the
    Edition it ships: the final PDF and the reading site's documents."""
    rendition_request(actor=None, issue_id=issue.pk, edition=edition)
    documents_request(issue=issue, edition=edition)


@dataclass(frozen=True)
class WechatReviewItem:
    number: int  # 0 for 本期要目, then the articles in issue order
    article: WechatArticle
    source: EditionArticle | None  # what it was made from; None for 本期要目
    violations: list[Violation]
    page: str  # the article in a page like WeChat's reader

    @property
    def title_proposed(self) -> bool:
        return self.source is not None and not self.source.wechat_title.strip()

    @property
    def digest_proposed(self) -> bool:
        return self.source is not None and not self.source.wechat_digest.strip()


@dataclass(frozen=True)
class WechatReview:
    edition: Edition
    items: list[WechatReviewItem]
    cover: ImageSource

    @property
    def violations(self) -> list[Violation]:
        return [v for item in self.items for v in item.violations]


def edition_print_html(edition: Edition, *, proof: bool, image_url: Callable[[str], str]) -> str:
    """The HTML the print edition hands WeasyPrint, for a browser: the same document, each image
    at ``image_url(checksum)`` instead of the renderer's own scheme. Raises RenderError as the
    PDF would for content that cannot print."""
    # WeasyPrint is loaded where print output is made, not by every process importing services.
    from editorial.rendering.print import prepare_edition

    prepared = prepare_edition(edition, proof=proof)
    html = prepared.html
    for asset in prepared.assets:  # digest-media:/<sha256>: hex, so replacing is exact
        html = html.replace(asset.url, image_url(asset.url.rsplit("/", 1)[-1]))
    return html


def issue_wechat_review(
    *,
    actor: Actor,
    issue_id: int,
    image_url: Callable[[ImageSource], str],
    page_base: str = "",
) -> WechatReview:
    """The issue's 公众号 articles exactly as the push renders them, each checked against
    WeChat's rules and shown in a review page; ``image_url`` places the images (relative paths
    are allowed here, unlike in the push), and ``page_base`` is where the pages resolve them
    from when they are kept elsewhere. Raises RenderError for content that cannot render."""
    require_perm(actor, "editorial.view_issue")
    edition = issue_edition(issue_id)
    articles = render_wechat_issue(edition, image_url=image_url)
    cover = render_wechat_cover(edition)
    sources = {article.id: article for article in edition.articles}
    items = [
        WechatReviewItem(
            number=number,
            article=article,
            source=sources.get(article.article_id) if article.article_id else None,
            violations=validate_wechat_article(article, local_images_allowed=True),
            page=render_to_string(
                WECHAT_REVIEW_PAGE,
                {"article": article, "date_label": edition.date_label, "base": page_base},
            ),
        )
        for number, article in enumerate(articles)
    ]
    return WechatReview(edition=edition, items=items, cover=cover)


__all__ = [
    "ImageSource",  # the types of what the review holds, for its callers
    "WechatArticle",
    "WechatReview",
    "WechatReviewItem",
    "edition_print_html",
    "issue_outputs_request",
    "issue_wechat_review",
]
