"""Saving a change to an issue the board has approved (or begun to) asks first, naming whose
approvals will be voided; nothing is saved until confirmed; then the approvers are told, with a
link to the diff since their approval (``issue_workflow.ApprovalsGuardAdmin``)."""

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Approval, Article, Issue, Notification
from editorial.roles import Role
from editorial.services import approvals
from editorial.services.articles import article_save
from editorial.workflow import IssueStatus
from tests.admin.forms import form_data
from tests.admin.test_confirmations import confirmation
from tests.admin.workflow_setup import logged_in, messages_of
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def article_url(article: Article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def approved_by_two() -> tuple[Issue, Article, Client]:
    """An issue approved by 程茹 and 钟新敏 (quorum 2), and 杨婷's client."""
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    article = issue.articles.get()
    article.body = "<p>增长 13.8%。</p>"
    article_save(actor=executive, article=article, base_version=article.lock_version)
    for login, name in (("cheng", "程茹"), ("zhong", "钟新敏")):
        approvals.issue_approve(actor=staff(login, name, Role.BOARD_MEMBER), issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    return issue, Article.objects.get(pk=article.pk), logged_in(executive)


def valid_approvers(issue: Issue) -> list[str]:
    return sorted(
        Approval.objects.filter(issue=issue, invalidated_at__isnull=True).values_list(
            "approver__username", flat=True
        )
    )


def test_saving_an_article_of_an_approved_issue_asks_first_and_saves_nothing() -> None:
    issue, article, client = approved_by_two()
    data = form_data(client.get(article_url(article)).content.decode(), "article_form")
    data["body"] = ["<p>增长 13.9%。</p>"]
    before = snapshot(issue.pk)

    asked = client.post(article_url(article), data)

    assert asked.status_code == 200
    title, _, warnings = confirmation(asked)
    assert title == f"确认保存：文章“{article.title}”"
    assert warnings[0].startswith("程茹、钟新敏 的批准将失效")
    assert snapshot(issue.pk) == before
    assert Article.objects.get(pk=article.pk).body == "<p>增长 13.8%。</p>"
    assert valid_approvers(issue) == ["cheng", "zhong"]
    assert not Notification.objects.filter(event="approval_invalidated").exists()

    saved = client.post(article_url(article), form_data(asked.content.decode(), "confirm"))

    assert saved.status_code == 302
    assert Article.objects.get(pk=article.pk).body == "<p>增长 13.9%。</p>"
    assert valid_approvers(issue) == []
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    notices = Notification.objects.filter(event="approval_invalidated")
    assert sorted(n.recipient.username for n in notices) == ["cheng", "zhong"]

    # The link in the notice shows what changed since the approval, down to the character.
    diff = client.get(notices[0].url).content.decode()
    diff = diff[diff.index('id="diff"') : diff.index('id="versions"')]
    assert "增长 13.<del>8</del><ins>9</ins>%。" in diff


def test_saving_the_issue_form_of_an_approved_issue_asks_first() -> None:
    issue, _, client = approved_by_two()
    data = form_data(client.get(issue_url(issue)).content.decode(), "issue_form")
    data["cover_headline"] = ["改过的要闻"]

    asked = client.post(issue_url(issue), data)

    _, _, warnings = confirmation(asked)
    assert warnings[0].startswith("程茹、钟新敏 的批准将失效")
    assert Issue.objects.get(pk=issue.pk).cover_headline != "改过的要闻"
    assert valid_approvers(issue) == ["cheng", "zhong"]

    saved = client.post(issue_url(issue), form_data(asked.content.decode(), "confirm"))

    assert saved.status_code == 302
    assert Issue.objects.get(pk=issue.pk).cover_headline == "改过的要闻"
    assert valid_approvers(issue) == []
    [notice, _] = Notification.objects.filter(event="approval_invalidated")
    assert notice.url.startswith(reverse("admin:editorial_issue_revisions", args=[issue.pk]))


def test_no_question_without_valid_approvals() -> None:
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    data = form_data(client.get(issue_url(issue)).content.decode(), "issue_form")
    data["cover_headline"] = ["审核中直接保存"]

    assert client.post(issue_url(issue), data).status_code == 302
    assert Issue.objects.get(pk=issue.pk).cover_headline == "审核中直接保存"


def test_the_people_told_only_in_the_inbox_are_named_after_submitting() -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    board.email = ""
    board.save(update_fields=["email"])
    staff("zhong", "钟新敏", Role.BOARD_MEMBER)
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)

    url = reverse("admin:editorial_issue_transition", args=[issue.pk, "submit"])
    response = client.post(url)

    assert messages_of(response)[-1] == "编委 程茹 没有登记电子邮箱，只收到站内通知。"


def test_the_question_shows_a_hostile_title_as_text() -> None:
    issue, article, client = approved_by_two()
    Article.objects.filter(pk=article.pk).update(title='<img src=x onerror="alert(1)">')
    data = form_data(client.get(article_url(article)).content.decode(), "article_form")
    data["source"] = ["另一来源"]

    html = client.post(article_url(article), data).content.decode()

    assert 'id="confirmation"' in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<img src=x" not in html
