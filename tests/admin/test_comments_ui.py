"""Comments on the issue and article pages: the thread, adding, replying, resolving."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from editorial.models import Article, AuditEntry, Comment, Issue
from editorial.roles import Role
from editorial.services.comments import comment_add
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def article_url(article: Article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def thread(html: str) -> list[tuple[str, str, str]]:
    """(indent, classes, text) of each comment shown, in order."""
    found = re.findall(
        r'<div class="(comment[^"]*)" id="comment-\d+" style="margin-left: (\d+)em">(.*?)'
        r'<div class="comment-tools">',
        html,
        re.S,
    )
    return [
        (indent, classes, " ".join(re.sub("<[^>]+>", " ", text).split()))
        for classes, indent, text in found
    ]


@pytest.fixture
def issue() -> Issue:
    return bring_to(small_issue(), "in_review")


@pytest.fixture
def cheng() -> User:
    return staff("cheng", "程茹", Role.BOARD_MEMBER)


@pytest.fixture
def board(cheng: User) -> Client:
    return logged_in(cheng)


@pytest.fixture
def executive() -> Client:
    return logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))


def test_a_comment_posted_from_the_issue_page_joins_its_thread(issue: Issue, board: Client) -> None:
    page = board.get(issue_url(issue)).content.decode()
    data = form_data(page, "new-comment") | {"body": ["封面要闻请再斟酌"]}

    response = board.post(reverse("admin:editorial_issue_comment", args=[issue.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == f"{issue_url(issue)}#comments"
    assert messages_of(response) == ["已发表意见。"]
    comment = Comment.objects.get()
    assert (comment.issue_id, comment.article_id, comment.body) == (
        issue.pk,
        None,
        "封面要闻请再斟酌",
    )
    assert AuditEntry.objects.filter(action="comment", issue=issue).count() == 1
    [(indent, classes, text)] = thread(board.get(issue_url(issue)).content.decode())
    assert (indent, classes) == ("0", "comment")
    assert text.startswith("程茹 ·") and text.endswith("封面要闻请再斟酌")


def test_replies_are_indented_under_their_parent(issue: Issue, board: Client) -> None:
    yang = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    first = comment_add(actor=yang, issue=issue, body="第一条")
    comment_add(actor=yang, issue=issue, body="第二条")
    page = board.get(issue_url(issue)).content.decode()
    reply_form = re.search(
        rf'<input type="hidden" name="parent" value="{first.pk}">.*?</form>', page, re.S
    )
    assert reply_form is not None

    board.post(
        reverse("admin:editorial_issue_comment", args=[issue.pk]),
        {"parent": first.pk, "body": "回复第一条"},
    )

    shown = thread(board.get(issue_url(issue)).content.decode())
    assert [
        (indent, text.split(" · ")[0], text.rsplit(" ", 1)[-1]) for indent, _, text in shown
    ] == [
        ("0", "杨婷", "第一条"),
        ("2", "程茹", "回复第一条"),
        ("0", "杨婷", "第二条"),
    ]


def test_an_article_comment_shows_on_the_article_and_on_its_issue(
    issue: Issue, board: Client
) -> None:
    article = issue.articles.get()

    response = board.post(
        reverse("admin:editorial_article_comment", args=[article.pk]), {"body": "来源请核对"}
    )

    assert response["Location"] == f"{article_url(article)}#comments"
    comment = Comment.objects.get()
    assert (comment.issue_id, comment.article_id) == (issue.pk, article.pk)
    [(_, _, on_article)] = thread(board.get(article_url(article)).content.decode())
    [(_, _, on_issue)] = thread(board.get(issue_url(issue)).content.decode())
    assert "关于" not in on_article
    assert f"关于 《{article.title}》" in on_issue


def test_resolving_greys_the_comment_and_names_who_resolved_it(
    issue: Issue, cheng: User, board: Client, executive: Client
) -> None:
    comment = comment_add(actor=cheng, issue=issue, body="请改")
    url = reverse("admin:editorial_comment_resolve", args=[comment.pk])
    page = executive.get(issue_url(issue)).content.decode()
    assert f'action="{url}"' in page and "标为已解决" in page

    response = executive.post(url, {"resolved": "1", "next": f"{issue_url(issue)}#comment-1"})

    assert response["Location"] == f"{issue_url(issue)}#comment-1"
    assert messages_of(response) == ["意见已标为已解决。"]
    comment.refresh_from_db()
    assert comment.resolved_by is not None and comment.resolved_by.username == "yang"
    [(_, classes, text)] = thread(board.get(issue_url(issue)).content.decode())
    assert classes == "comment comment-resolved"
    assert "已解决（杨婷，" in text
    assert AuditEntry.objects.filter(action="comment_resolve").count() == 1

    reopened = board.post(url, {"resolved": "0"})

    assert messages_of(reopened) == ["意见已重新打开。"]
    assert reopened["Location"] == f"{issue_url(issue)}#comments"
    comment.refresh_from_db()
    assert comment.resolved_at is None
    assert AuditEntry.objects.filter(action="comment_reopen").count() == 1


def test_an_empty_comment_is_refused_with_a_message(issue: Issue, board: Client) -> None:
    before = snapshot(issue.pk)

    response = board.post(reverse("admin:editorial_issue_comment", args=[issue.pk]), {"body": " "})

    assert messages_of(response) == ["意见未发表：请填写意见内容。"]
    assert snapshot(issue.pk) == before


def test_a_redirect_elsewhere_is_not_followed(issue: Issue, board: Client) -> None:
    response = board.post(
        reverse("admin:editorial_issue_comment", args=[issue.pk]),
        {"body": "好", "next": "https://evil.example.org/"},
    )

    assert response["Location"] == f"{issue_url(issue)}#comments"


def test_someone_without_an_editorial_role_cannot_comment_or_resolve(
    issue: Issue, cheng: User
) -> None:
    comment = comment_add(actor=cheng, issue=issue, body="请改")
    client = logged_in(staff("guest", "访客"))
    before = snapshot(issue.pk)

    added = client.post(
        reverse("admin:editorial_issue_comment", args=[issue.pk]), {"body": "我也说"}
    )
    resolved = client.post(reverse("admin:editorial_comment_resolve", args=[comment.pk]))

    assert (added.status_code, resolved.status_code) == (403, 403)
    assert snapshot(issue.pk) == before


def test_the_comment_urls_take_only_posts(issue: Issue, cheng: User, board: Client) -> None:
    comment = comment_add(actor=cheng, issue=issue, body="请改")

    assert board.get(reverse("admin:editorial_issue_comment", args=[issue.pk])).status_code == 405
    assert (
        board.get(reverse("admin:editorial_comment_resolve", args=[comment.pk])).status_code == 405
    )
