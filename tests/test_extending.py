"""What docs/extending.md promises: an article field reaches the Edition (and so the
fingerprint), the bundle, the PDF, WeChat, the issue and article pages, the feed and the API —
and forgetting one of them fails here.

Each article field gets a value of its own; every channel must show it, unless the table below
says the channel does not show that field (a deliberate choice, written down here).
"""

import html
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from editorial.editions import ARTICLE_PLAIN_FIELDS, EditionArticle, edition_fields
from editorial.models import Article, Issue, SearchEntry
from editorial.rendering.print import render_issue_html
from editorial.rendering.wechat import render_wechat_issue
from editorial.selectors import issue_edition, issue_live_edition
from editorial.services.bundles import issue_export, issue_import
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db

# Article fields that are the workflow's or the database's, not the reader's.
NOT_SHOWN = {"id", "issue", "position", "status", "lock_version", "created_at", "updated_at"}
# Fields a channel deliberately does not show.
NOT_IN_CHANNEL = {
    "print": {"wechat_title", "wechat_digest", "responsible_editor"},
    "wechat": {"responsible_editor"},
    # The issue page lists the articles by title; their pages and the feed show them whole.
    "archive": {
        "source",
        "original_url",
        "wechat_title",
        "wechat_digest",
        "qr_caption",
        "responsible_editor",
    },
    "article": {"wechat_title", "wechat_digest", "responsible_editor"},
    "feed": {"wechat_title", "wechat_digest", "qr_caption", "responsible_editor"},
    "api": set(),  # the issue detail: every field of every article
    # Search finds an article by what it says and who published it, not by its links.
    "search": {
        "original_url",
        "qr_caption",
        "wechat_title",
        "wechat_digest",
        "responsible_editor",
    },
}
MARKED = {
    "title": "标记标题甲",
    "source": "标记来源乙",
    "original_url": "https://example.org/marked-original-link",
    "qr_caption": "标记二维码说明戊",
    "wechat_title": "标记公众号标题丙",
    "wechat_digest": "标记公众号摘要丁",
}
SHOWN_AS: dict[str, str] = {}


def test_every_article_field_is_in_the_edition_or_declared_not_shown() -> None:
    model_fields = {f.name for f in Article._meta.get_fields() if f.concrete}
    edition = {f.name for f in edition_fields(EditionArticle, shown_only=False)}
    assert model_fields - NOT_SHOWN - edition == set()
    assert set(MARKED) == set(ARTICLE_PLAIN_FIELDS), "give the new field a value in MARKED"


@pytest.fixture
def marked_issue() -> Issue:
    issue = small_issue()
    Article.objects.filter(issue=issue).update(**MARKED)
    return bring_to(issue, IssueStatus.PUBLISHED)


def shown(value: str, name: str) -> str:
    return SHOWN_AS.get(name, value)


def test_every_plain_field_reaches_every_channel_that_shows_it(
    marked_issue: Issue, client: Client
) -> None:
    edition = issue_edition(marked_issue.pk)
    outputs = {
        "print": render_issue_html(edition, proof=False),
        "wechat": "\n".join(
            "\n".join([a.title, a.digest, a.content, a.content_source_url])
            for a in render_wechat_issue(edition, image_url=lambda image: image.checksum)
        ),
        "archive": client.get(
            reverse("public:issue", args=[marked_issue.publication.slug, marked_issue.total_number])
        ).content.decode(),
        "search": "\n".join(
            f"{e.title}\n{e.text}" for e in SearchEntry.objects.filter(issue=marked_issue)
        ),
        "article": client.get(
            reverse(
                "public:article",
                args=[marked_issue.publication.slug, marked_issue.total_number, 1],
            )
        ).content.decode(),
        "feed": client.get(
            reverse("public:feed-atom", args=[marked_issue.publication.slug])
        ).content.decode(),
        "api": client.get(f"/api/v1/issues/{marked_issue.pk}/").content.decode(),
    }
    for channel, text in outputs.items():
        text = html.unescape(text).replace("\u200b", "")
        for name, value in MARKED.items():
            if name in NOT_IN_CHANNEL[channel]:
                continue
            assert shown(value, name) in text, (channel, name)


def test_every_plain_field_survives_the_bundle(marked_issue: Issue, tmp_path: Path) -> None:
    issue_export(actor=None, issue_id=marked_issue.pk, target=tmp_path / "bundle")
    Issue.objects.all().delete()
    again = issue_import(actor=None, source=tmp_path / "bundle")
    article = issue_live_edition(again.pk).articles[0]
    assert {name: getattr(article, name) for name in MARKED} == MARKED


def test_every_plain_field_is_in_the_fingerprint(marked_issue: Issue) -> None:
    edition = issue_live_edition(marked_issue.pk)
    for name in MARKED:
        Article.objects.filter(issue=marked_issue).update(**{name: MARKED[name] + "x"})
        assert issue_live_edition(marked_issue.pk).fingerprint != edition.fingerprint, name
        Article.objects.filter(issue=marked_issue).update(**{name: MARKED[name]})
