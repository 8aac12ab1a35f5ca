"""Previews: the reader's web page, the 公众号 articles at 375 px and the print HTML of an
unpublished issue, to people who may preview and to holders of a preview link — and 404, never a
login page, to anyone else."""

import datetime
import hashlib
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, Figure, Issue, PreviewLink, Rendition, RenditionStatus
from editorial.roles import Role
from editorial.selectors import issue_live_edition
from editorial.services.previews import preview_link_create, preview_link_revoke
from editorial.services.renditions import rendition_request
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

TITLE = "数字经济2024年工作要点"
BODY = "加快构建以数据为关键要素的数字经济"
CAPTION = "数据要素市场规模"


@pytest.fixture
def issue() -> Issue:
    """A draft issue of two articles; the first has a figure placed in its body."""
    issue = small_issue(articles=2)
    first = issue.articles.order_by("position").first()
    assert first is not None
    Article.objects.filter(pk=first.pk).update(
        title=TITLE,
        body=f'<p><strong>一是</strong>{BODY}。</p><figure data-figure="1"></figure>',
    )
    factories.FigureFactory.create(article=first, number=1, caption=CAPTION)
    return issue


@pytest.fixture
def board() -> User:
    return staff("board1", "程茹", Role.BOARD_MEMBER)


@pytest.fixture
def executive() -> User:
    return staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def first_article(issue: Issue) -> Article:
    article = issue.articles.order_by("position").first()
    assert article is not None
    return article


def editor_url(issue: Issue, name: str = "web", **kwargs: Any) -> str:
    return reverse(f"preview:{name}", kwargs={"issue_id": issue.pk, **kwargs})


def link_url(token: str, name: str = "web", **kwargs: Any) -> str:
    return reverse(f"preview-link:{name}", kwargs={"token": token, **kwargs})


def figure_name(issue: Issue) -> str:
    figure = Figure.objects.get(article=first_article(issue))
    suffix = figure.image.name.rsplit(".", 1)[-1]
    return f"{figure.image_checksum}.{suffix}"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def text(html: str) -> str:
    """What a reader reads: without tags and the typesetter's spaces between scripts."""
    return re.sub(r"[\u2005\u200b]", "", re.sub(r"<[^>]+>", "", html))


def assert_private(response: Any) -> None:
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


# People who may preview ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["board", "executive"])
def test_board_members_and_editors_see_the_three_previews(
    who: str, issue: Issue, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(who))
    hub = page(client, editor_url(issue))
    assert f'src="{editor_url(issue, "reader")}"' in hub
    assert "样稿 · 未经批准" in hub
    contents = page(client, editor_url(issue, "reader")).replace("\u2005", "")
    assert TITLE in contents  # the site's issue page: 本期要目, linking each article's page
    assert f'href="{editor_url(issue, "reader-article", number=1)}"' in contents
    web = page(client, editor_url(issue, "reader-article", number=1))
    assert TITLE in web.replace("\u2005", "") and BODY in web
    assert f'<img src="{editor_url(issue, "file", filename=figure_name(issue))}"' in web
    assert f"图 1 {CAPTION}" in web
    wechat = page(client, editor_url(issue, "wechat"))
    assert wechat.count('width="375"') == 3  # 本期要目 and the two articles
    assert TITLE in wechat and BODY in wechat  # inside the frames' srcdoc
    printed = page(client, editor_url(issue, "print-html"))
    assert TITLE in text(printed) and BODY in text(printed)
    assert '<div class="proof-mark" aria-hidden="true">样稿</div>' in printed
    assert "digest-media:" not in printed
    assert editor_url(issue, "file", filename=figure_name(issue)) in printed


def test_one_article_is_shown_alone_or_at_its_place(issue: Issue, board: User) -> None:
    client = logged_in(board)
    article = first_article(issue)
    hub = page(client, editor_url(issue) + f"?article={article.pk}")
    assert f'src="{editor_url(issue, "reader-article", number=1)}"' in hub
    assert f'<option value="{article.pk}" selected>' in hub
    wechat = page(client, editor_url(issue, "wechat") + f"?article={article.pk}")
    assert wechat.count('width="375"') == 1 and BODY in wechat
    printed = page(client, editor_url(issue, "print") + f"?article={article.pk}")
    assert f'src="{editor_url(issue, "print-html")}#article-01"' in printed


def test_the_preview_of_an_approved_issue_is_the_approved_edition(issue: Issue) -> None:
    from tests.workflow.states import bring_to

    bring_to(issue, IssueStatus.APPROVED)
    # Changed behind the workflow's back: previews show what the board approved, not this.
    Article.objects.filter(pk=first_article(issue).pk).update(title="批准后的改动")
    client = logged_in(staff("board2", "杨婷", Role.BOARD_MEMBER))
    web = page(client, editor_url(issue, "reader"))
    assert TITLE in web and "批准后的改动" not in web
    assert "已批准的内容" in page(client, editor_url(issue))


def test_figures_are_served_as_the_edition_names_them(issue: Issue, board: User) -> None:
    client = logged_in(board)
    response = client.get(editor_url(issue, "file", filename=figure_name(issue)))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert hashlib.sha256(response.content).hexdigest() == figure_name(issue).split(".")[0]
    assert_private(response)
    other = "0" * 64 + ".png"
    assert client.get(editor_url(issue, "file", filename=other)).status_code == 404


def test_the_wechat_images_come_through_the_preview(issue: Issue, board: User) -> None:
    client = logged_in(board)
    wechat = page(client, editor_url(issue, "wechat"))
    checksums = set(re.findall(r"image/([0-9a-f]{64})/", wechat))
    assert checksums  # the figure (and the QR codes)
    for checksum in checksums:
        response = client.get(editor_url(issue, "wechat-image", checksum=checksum))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == checksum
    missing = editor_url(issue, "wechat-image", checksum="0" * 64)
    assert client.get(missing).status_code == 404


# Nobody else ---------------------------------------------------------------------------------


PAGES = ["web", "wechat", "print", "pdf", "reader", "print-html", "pdf-status"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_and_people_without_permission_get_404(
    name: str, issue: Issue, client: Client
) -> None:
    outsider = factories.UserFactory.create(username="outsider", is_staff=True)
    for visitor in (client, logged_in(outsider)):
        response = visitor.get(editor_url(issue, name))
        assert response.status_code == 404, name  # not a redirect to the login page
        assert TITLE not in response.content.decode()
    for visitor in (client, logged_in(outsider)):
        url = editor_url(issue, "file", filename=figure_name(issue))
        assert visitor.get(url).status_code == 404
        assert visitor.post(editor_url(issue, "pdf-request")).status_code == 404
    assert not Rendition.objects.exists()


def test_an_inactive_account_gets_404(issue: Issue, board: User) -> None:
    client = logged_in(board)
    User.objects.filter(pk=board.pk).update(is_active=False)
    assert client.get(editor_url(issue)).status_code == 404


def test_a_missing_issue_is_404(board: User) -> None:
    assert (
        logged_in(board).get(reverse("preview:web", kwargs={"issue_id": 999999})).status_code == 404
    )


# Preview links --------------------------------------------------------------------------------


def test_a_preview_link_shows_the_issue_to_anyone_who_has_it(
    issue: Issue, executive: User, client: Client
) -> None:
    token = preview_link_create(actor=executive, issue_id=issue.pk).token
    hub = client.get(link_url(token))
    assert hub.status_code == 200
    assert_private(hub)
    shown = hub.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in shown
    assert "预览链接，有效至" in shown and "返回本期" not in shown
    reader = client.get(link_url(token, "reader-article", number=1))
    assert_private(reader)
    assert reader["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in reader["Content-Security-Policy"]
    web = reader.content.decode()
    assert TITLE in web.replace("\u2005", "") and BODY in web
    image = link_url(token, "file", filename=figure_name(issue))
    assert f'<img src="{image}"' in web
    response = client.get(image)
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert BODY in page(client, link_url(token, "wechat"))
    assert BODY in text(page(client, link_url(token, "print-html")))
    # The link opens its own issue's files only, and no door other than its own.
    assert client.get(editor_url(issue, "file", filename=figure_name(issue))).status_code == 404


def test_expired_revoked_tampered_and_foreign_links_get_404(
    issue: Issue, executive: User, client: Client
) -> None:
    expired = preview_link_create(actor=executive, issue_id=issue.pk, days=1)
    revoked = preview_link_create(actor=executive, issue_id=issue.pk)
    good = preview_link_create(actor=executive, issue_id=issue.pk)
    other_issue = small_issue()
    foreign = preview_link_create(actor=executive, issue_id=other_issue.pk)
    past = timezone.now() - datetime.timedelta(days=1)
    PreviewLink.objects.filter(pk=expired.link.pk).update(
        created_at=past, expires_at=past + datetime.timedelta(hours=23)
    )
    preview_link_revoke(actor=executive, link_id=revoked.link.pk)
    tampered = good.token[:-1] + ("A" if good.token[-1] != "A" else "B")
    image = figure_name(issue)
    for token in (expired.token, revoked.token, tampered, "x"):
        for url in (
            link_url(token),
            link_url(token, "reader"),
            link_url(token, "file", filename=image),
        ):
            assert client.get(url).status_code == 404, url
    # A link to another issue does not serve this issue's figure.
    assert client.get(link_url(foreign.token, "file", filename=image)).status_code == 404
    assert TITLE not in page(client, link_url(foreign.token, "reader"))
    assert client.get(link_url(good.token, "file", filename=image)).status_code == 200


# The PDF proof in the background --------------------------------------------------------------


def test_the_pdf_status_endpoint_reports_each_state(issue: Issue, board: User) -> None:
    """The PDF tab's box as the status view returns it: it polls while the proof is on its way
    (htmx, every 2 s, replacing itself), and no longer once it is done or failed."""
    client = logged_in(board)
    status_url = editor_url(issue, "pdf-status")
    polling = f'hx-get="{status_url}" hx-trigger="every 2s" hx-swap="outerHTML"'

    def box() -> str:
        response = client.get(status_url)
        assert response.status_code == 200
        assert_private(response)
        html = response.content.decode().strip()
        assert html.startswith('<div class="box" id="pdf-box"') and html.endswith("</div>")
        return html

    def state(html: str) -> tuple[str, str, str]:
        found = re.search(
            r'id="pdf-status" data-status="([a-z]+)">([^<]*)</span>.*id="pdf-detail">([^<]*)<',
            html,
            re.S,
        )
        assert found, html
        return found.group(1), found.group(2), found.group(3)

    none = box()
    assert state(none) == ("none", "尚未生成", "点“生成 PDF”后在后台排版，本页显示进度。")
    assert 'id="pdf-generate"' in none and "hx-get" not in none
    rendition = rendition_request(actor=board, issue_id=issue.pk, enqueue=False)
    pending = box()
    assert state(pending)[:2] == ("pending", "排队中") and polling in pending
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.RUNNING, lease_expires_at=timezone.now()
    )
    assert state(box()) == ("running", "生成中", "正在排版……")
    hub = page(client, editor_url(issue, "pdf"))
    assert 'data-status="running"' in hub and polling in hub  # the page polls it
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.FAILED, error="坏图", lease_expires_at=None
    )
    failed = box()
    assert state(failed) == ("failed", "失败", "生成失败：坏图") and "hx-get" not in failed
    assert 'id="pdf-generate"' in failed and 'id="pdf-generate"' in page(
        client, editor_url(issue, "pdf")
    )
    name = default_storage.save("renditions/proof.pdf", _pdf())
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.DONE, file=name, page_count=3, size=2048, error=""
    )
    done = box()
    pdf_url = editor_url(issue, "pdf-file", rendition_id=rendition.pk)
    assert state(done) == ("done", "已完成", "3 页，2.0\xa0KB")
    assert f'<a href="{pdf_url}" target="_blank" rel="noopener" id="pdf-link">' in done
    assert "hx-get" not in done and 'id="pdf-generate"' not in done
    article = first_article(issue)
    chosen = client.get(status_url, {"article": article.pk}).content.decode()
    assert f'href="{pdf_url}#article-01"' in chosen  # the box keeps the chosen article
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_asking_for_the_pdf_renders_it_in_the_background(
    issue: Issue, board: User, django_capture_on_commit_callbacks: Any
) -> None:
    """The request records the job and returns to the tab; the task runs after commit (eagerly
    in tests, as in the embedded demo)."""
    client = logged_in(board)
    article = first_article(issue)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(editor_url(issue, "pdf-request"), {"article": str(article.pk)})
    assert response.status_code == 302
    assert response["Location"] == editor_url(issue, "pdf") + f"?article={article.pk}"
    rendition = Rendition.objects.get(issue=issue)
    assert rendition.proof and rendition.content_hash == issue_live_edition(issue.pk).fingerprint
    assert rendition.status == RenditionStatus.DONE
    hub = page(client, editor_url(issue, "pdf") + f"?article={article.pk}")
    assert f'href="{editor_url(issue, "pdf-file", rendition_id=rendition.pk)}#article-01"' in hub
    assert 'id="pdf-generate"' not in hub


def _pdf() -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.7\n%test\n")


@pytest.mark.parametrize("name", ["web", "reader", "pdf", "pdf-status"])
def test_query_counts_do_not_grow_with_the_issue(name: str, board: User) -> None:
    client = logged_in(board)
    small, large = small_issue(articles=1), small_issue(articles=8)
    for article in large.articles.all():
        factories.FigureFactory.create(article=article, number=1)
    counts = []
    for issue in (small, large):
        page(client, editor_url(issue, name))  # the session and permissions cached
        with CaptureQueriesContext(connection) as queries:
            page(client, editor_url(issue, name))
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14, counts
