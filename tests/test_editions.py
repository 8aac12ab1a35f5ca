"""The Edition: one read per issue revision, a stored form, and a fingerprint of all it shows.

The fingerprint test traces what every channel actually reads from an Edition (the print HTML,
the WeChat articles, the public archive page, the bundle) and fails when any channel reads a
field that the fingerprint leaves out; a second test proves that the fields it leaves out (ids
and storage names) change no output.
"""

import dataclasses
import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from editorial.api import views as api_views
from editorial.bundles.writer import bundle_files
from editorial.editions import (
    Edition,
    EditionArticle,
    EditionImage,
    edition_build,
    edition_classes,
    edition_fields,
    edition_from_data,
    edition_to_data,
)
from editorial.models import Article, Figure, Issue
from editorial.previews import views as preview_views
from editorial.public import feeds as public_feeds
from editorial.public import views as public_views
from editorial.rendering.assets import read_image
from editorial.rendering.print import render_issue_html
from editorial.rendering.wechat import render_wechat_cover, render_wechat_issue
from editorial.search import search_documents
from editorial.selectors import issue_for_edition, issue_live_edition
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db


def without_nonce(page: str) -> str:
    """A page without its per-response CSP nonces, which differ on every request."""
    return re.sub(r' nonce="[^"]*"', "", page)


def with_articles(count: int) -> Issue:
    issue = small_issue(articles=count)
    for article in issue.articles.all():
        factories.FigureFactory.create(article=article, number=1)
        factories.FigureFactory.create(article=article, number=2)
    return issue


def test_the_edition_is_read_in_the_same_queries_for_3_and_30_articles(
    django_assert_num_queries: Any,
) -> None:
    small, large = with_articles(3), with_articles(30)
    with django_assert_num_queries(5):
        assert len(issue_live_edition(small.pk).articles) == 3
    with django_assert_num_queries(5):
        edition = issue_live_edition(large.pk)
    assert len(edition.articles) == 30
    assert [len(a.figures) for a in edition.articles] == [2] * 30


def test_the_stored_form_is_json_and_gives_back_the_same_edition() -> None:
    edition = issue_live_edition(sample_issue().pk)
    data = json.loads(json.dumps(edition_to_data(edition), ensure_ascii=False))
    again = edition_from_data(data)
    assert again == edition
    assert again.fingerprint == edition.fingerprint
    assert again.date == datetime.date(2024, 5, 6) and len(again.articles) == 16


# Every leaf of an Edition, with a way to change it ------------------------------------------


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every scalar in ``value``; a path step is a field name or an index."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from leaves(getattr(value, f.name), (*path, f.name))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def changed(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """``value`` with the scalar at ``path`` replaced by ``new``."""
    if not path:
        return new
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        items = list(value)
        items[step] = changed(items[step], rest, new)
        return tuple(items)
    return dataclasses.replace(value, **{step: changed(getattr(value, step), rest, new)})


def other(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    if value is None:
        return "x"
    return f"{value}＊"


def is_locator(edition: Edition, path: tuple[Any, ...]) -> bool:
    owner: Any = edition
    for step in path[:-1]:
        owner = owner[step] if isinstance(step, int) else getattr(owner, step)
    return bool(
        next(f for f in dataclasses.fields(owner) if f.name == path[-1]).metadata.get("locator")
    )


def test_every_shown_field_changes_the_fingerprint_and_no_locator_does() -> None:
    edition = issue_live_edition(sample_issue().pk)
    shown = locators = 0
    for path, value in leaves(edition):
        perturbed = changed(edition, path, other(value))
        if is_locator(edition, path):
            locators += 1
            assert perturbed.fingerprint == edition.fingerprint, path
        else:
            shown += 1
            assert perturbed.fingerprint != edition.fingerprint, path
    assert shown > 300 and locators > 30


# What each channel reads --------------------------------------------------------------------


def channels(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Callable[[], Any]]:
    """Each channel's rendering of ``edition`` (the archive page through its view)."""
    return {
        "print": lambda: render_issue_html(edition, proof=False),
        "wechat": lambda: [
            (a.title, a.author, a.digest, a.content, a.content_source_url, a.images)
            for a in render_wechat_issue(edition, image_url=lambda image: image.checksum)
        ],
        "wechat cover": lambda: render_wechat_cover(edition).data,
        "bundle": lambda: bundle_files(edition, read_image=lambda image: read_image(image, "图")),
        "archive": lambda: archive_html(edition, client, issue, monkeypatch),
        "preview": lambda: preview_html(edition, client, issue, monkeypatch),
        "search": lambda: [
            (d.position, d.section_slug, d.section_name, d.title, d.text, d.tokens)
            for d in search_documents(edition)
        ],
        "article pages": lambda: article_pages_html(edition, client, issue, monkeypatch),
        "feed": lambda: feed_xml(edition, client, issue, monkeypatch),
        "api": lambda: api_json(edition, client, issue, monkeypatch),
    }


def rendered_channels(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    return {name: run() for name, run in channels(edition, client, issue, monkeypatch).items()}


def archive_html(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The public issue page rendered from ``edition`` (the view reads the issue's Edition)."""
    with monkeypatch.context() as patch:
        patch.setattr(public_views, "issue_edition", lambda *args, **kwargs: edition)
        response = client.get(
            reverse("public:issue", args=[issue.publication.slug, issue.total_number])
        )
    assert response.status_code == 200
    return without_nonce(response.content.decode())


def preview_html(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The preview page and its reader page rendered from ``edition`` (the views read the
    issue's Edition), as a board member sees them."""
    reader = Client()
    reader.force_login(factories.UserFactory.create(username="preview-reader", is_superuser=True))
    pages = []
    with monkeypatch.context() as patch:
        patch.setattr(preview_views, "issue_edition", lambda *args, **kwargs: edition)
        for name in ("web", "reader"):
            response = reader.get(reverse(f"preview:{name}", kwargs={"issue_id": issue.pk}))
            assert response.status_code == 200
            pages.append(without_nonce(response.content.decode()))
    return "\n".join(pages)


def article_pages_html(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Every article page of the issue rendered from ``edition``."""
    pages = []
    with monkeypatch.context() as patch:
        patch.setattr(public_views, "issue_edition", lambda *args, **kwargs: edition)
        for number in range(1, len(edition.articles) + 1):
            response = client.get(
                reverse("public:article", args=[issue.publication.slug, issue.total_number, number])
            )
            assert response.status_code == 200
            pages.append(without_nonce(response.content.decode()))
    return "\n".join(pages)


def feed_xml(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The publication's Atom feed, its issues' Edition being ``edition``."""
    with monkeypatch.context() as patch:
        patch.setattr(
            public_feeds, "issues_editions", lambda issues: {i.pk: edition for i in issues}
        )
        response = client.get(reverse("public:feed-atom", args=[issue.publication.slug]))
    assert response.status_code == 200
    return response.content.decode()


def api_json(
    edition: Edition, client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The API's issue detail rendered from ``edition``, bodies as HTML (a query string: the
    view, not the stored document)."""
    with monkeypatch.context() as patch:
        patch.setattr(api_views, "issue_edition", lambda *args, **kwargs: edition)
        response = client.get(f"/api/v1/issues/{issue.pk}/?format=html")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def published_sample() -> Issue:
    issue = sample_issue()
    Article.objects.filter(issue=issue).update(status="ready")
    Article.objects.filter(issue=issue, source="").update(source="工业和信息化部")
    return bring_to(issue, IssueStatus.PUBLISHED)


def trace_reads(run: Callable[[], object]) -> set[tuple[str, str]]:
    """(class, field) of every Edition field read while ``run`` runs."""
    reads: set[tuple[str, str]] = set()
    patched = []
    for cls in edition_classes():
        names = {f.name for f in dataclasses.fields(cls)}
        original = cls.__getattribute__

        def recording(
            self: Any,
            name: str,
            *,
            _names: set[str] = names,
            _cls: type = cls,
            _original: Any = original,
        ) -> Any:
            if name in _names:
                reads.add((_cls.__name__, name))
            return _original(self, name)

        patched.append((cls, original))
        cls.__getattribute__ = recording  # type: ignore[method-assign,assignment]
    try:
        run()
    finally:
        for cls, original in patched:
            cls.__getattribute__ = original  # type: ignore[method-assign]
    return reads


LOCATORS = {
    (cls.__name__, f.name)
    for cls in edition_classes()
    for f in dataclasses.fields(cls)
    if f.metadata.get("locator")
}
SHOWN = {
    (cls.__name__, f.name)
    for cls in edition_classes()
    for f in edition_fields(cls, shown_only=True)
}


def test_whatever_a_channel_reads_is_in_the_fingerprint(
    published_sample: Issue, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = issue_live_edition(published_sample.pk)
    # The site's pages are tagged by the fingerprint (their ETag), which reads every field: it is
    # computed (and cached) before the trace, which is about what each channel shows.
    assert edition.fingerprint
    per_channel = {
        name: trace_reads(run)
        for name, run in channels(edition, client, published_sample, monkeypatch).items()
    }
    read = set().union(*per_channel.values())
    # Every channel reads the articles' text; the print edition the whole masthead.
    for name in (
        "print",
        "wechat",
        "bundle",
        "archive",
        "article pages",
        "feed",
        "preview",
        "search",
    ):
        assert ("EditionArticle", "title") in per_channel[name], name
    assert {("EditionMastheadPerson", "name"), ("Edition", "notice")} <= per_channel["print"]
    assert read - SHOWN - LOCATORS == set()
    # Nothing in the fingerprint that no channel shows (but the format's version).
    assert SHOWN - read == {("Edition", "format")}
    # The locators read are only those the next test proves change no output.
    assert read & LOCATORS <= {("EditionImage", "name"), ("EditionArticle", "id")}


def test_the_fields_left_out_of_the_fingerprint_change_no_output(
    published_sample: Issue, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = issue_live_edition(published_sample.pk)
    before = rendered_channels(edition, client, published_sample, monkeypatch)
    # Other ids, and every image under another storage name with the same bytes.
    moved: dict[str, str] = {}

    def move(image: EditionImage) -> EditionImage:
        if image.name not in moved:
            with default_storage.open(image.name, "rb") as handle:
                data = handle.read()
            moved[image.name] = default_storage.save(f"moved/{image.name}", ContentFile(data))
        return dataclasses.replace(image, name=moved[image.name])

    relocated = edition
    for path, value in leaves(edition):
        if is_locator(edition, path) and path[-1] == "id":
            relocated = changed(relocated, path, (value or 0) + 1000)
        elif is_locator(edition, path) and path[-1] == "name":
            owner_path = path[:-1]
            relocated = changed(relocated, owner_path, move(leaves_get(relocated, owner_path)))
    assert relocated.fingerprint == edition.fingerprint
    after = rendered_channels(relocated, client, published_sample, monkeypatch)
    for channel in ("print", "wechat", "wechat cover", "bundle", "search"):
        assert after[channel] == before[channel], channel
    # The archive page differs only where the pictures are fetched from.
    archive = after["archive"]
    for old, new in moved.items():
        archive = archive.replace(default_storage.url(new), default_storage.url(old))
    assert archive == before["archive"]
    # The preview page's article chooser names articles by id, to come back to the same one.
    chooser = re.compile(r'<option value="\d+"')
    preview = [chooser.sub("<option", page) for page in (after["preview"], before["preview"])]
    assert preview[0] == preview[1]


def leaves_get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step] if isinstance(step, int) else getattr(value, step)
    return value


def test_a_figure_records_the_checksum_of_its_image() -> None:
    figure = factories.FigureFactory.create(number=1)
    with default_storage.open(figure.image.name, "rb") as handle:
        assert figure.image_checksum == hashlib.sha256(handle.read()).hexdigest()
    copy = Figure.objects.create(
        article=figure.article, number=2, caption="复制", image=figure.image.name
    )
    assert copy.image_checksum == figure.image_checksum
    edition = issue_live_edition(figure.article.issue_id)
    assert edition.articles[0].figures[0].image == EditionImage(
        checksum=figure.image_checksum, name=figure.image.name
    )


def test_the_builder_reads_nothing_beyond_the_selector(django_assert_num_queries: Any) -> None:
    issue = issue_for_edition(with_articles(2).pk)
    with django_assert_num_queries(0):
        edition_build(issue)


def test_the_edition_article_carries_what_the_article_holds_for_readers() -> None:
    article = factories.ArticleFactory.create(
        wechat_title="公众号标题", wechat_digest="公众号摘要", source="来源单位"
    )
    shown = issue_live_edition(article.issue_id).articles[0]
    assert isinstance(shown, EditionArticle)
    assert (shown.wechat_title, shown.wechat_digest, shown.source) == (
        "公众号标题",
        "公众号摘要",
        "来源单位",
    )
    assert shown.id == article.pk


def test_qr_captions_that_were_codes_keep_their_fingerprints() -> None:
    """Content signed off while captions were codes stays signed once they are text."""
    edition = issue_live_edition(small_issue().pk)

    def with_caption(caption: str) -> Edition:
        articles = tuple(
            dataclasses.replace(a, original_url="https://example.org/a", qr_caption=caption)
            for a in edition.articles
        )
        return dataclasses.replace(edition, articles=articles)

    assert with_caption("扫描二维码可阅读或下载全文").fingerprint == (
        with_caption("full_text").fingerprint
    )
    assert with_caption("扫描二维码可阅读或下载原文件").fingerprint == (
        with_caption("original_file").fingerprint
    )
    assert with_caption("扫描二维码可阅读全文").fingerprint != (
        with_caption("扫描二维码可阅读或下载全文").fingerprint
    )
