"""The 预览 buttons of the issue and article pages, and the 预览链接 panel: create a link (shown
once), list the active ones, revoke."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import AuditEntry, Issue, PreviewLink
from editorial.roles import Role
from tests.admin.workflow_setup import actor, logged_in, messages_of
from tests.workflow.states import small_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue() -> Issue:
    return small_issue()


def issue_page(client: Client, issue: Issue) -> str:
    response = client.get(reverse("admin:editorial_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_issue_and_article_pages_have_a_preview_button(issue: Issue) -> None:
    """Whoever may preview has the button; the link panel is for those who may share."""
    client = logged_in(actor(Role.RESPONSIBLE_EDITOR))
    preview = reverse("preview:web", kwargs={"issue_id": issue.pk})
    page = issue_page(client, issue)
    assert f'<a href="{preview}" id="preview-link"' in page
    assert 'id="preview-links"' not in page
    article = issue.articles.get()
    response = client.get(reverse("admin:editorial_article_change", args=[article.pk]))
    assert f'<a href="{preview}?article={article.pk}" id="preview-link"' in (
        response.content.decode()
    )


def test_a_link_is_created_shown_once_listed_and_revoked(issue: Issue) -> None:
    executive = actor(Role.EXECUTIVE_EDITOR)
    client = logged_in(executive)
    assert 'id="preview-links-none"' in issue_page(client, issue)
    create = reverse("admin:editorial_issue_preview_link_create", args=[issue.pk])
    response = client.post(create, {"days": "3"})
    assert response.status_code == 302 and response["Location"].endswith("#preview-links")
    [message] = messages_of(response)
    assert "已创建预览链接，有效至" in message
    url = re.search(r'id="new-preview-link"[^>]*>(http://testserver/preview/[^<]+/)</a>', message)
    assert url is not None
    link = PreviewLink.objects.get()
    assert (link.created_by_id, (link.expires_at - link.created_at).days) == (executive.pk, 3)
    assert Client().get(url.group(1)).status_code == 200  # anonymously
    assert 'id="new-preview-link"' in issue_page(client, issue)  # the message, once
    page = issue_page(client, issue)
    assert f'id="preview-link-{link.pk}"' in page and "人员_executive_editor" in page
    assert url.group(1).rsplit("/", 2)[-2] not in page  # the token is not shown again
    revoke = reverse("admin:editorial_issue_preview_link_revoke", args=[issue.pk, link.pk])
    response = logged_in(actor(Role.BOARD_MEMBER)).post(revoke)
    assert messages_of(response) == [f"已撤销预览链接 #{link.pk}：打开它的人将看到“页面不存在”。"]
    assert Client().get(url.group(1)).status_code == 404
    assert f'id="preview-link-{link.pk}"' not in issue_page(client, issue)
    assert AuditEntry.objects.filter(issue=issue, action__startswith="preview_link").count() == 2


@pytest.mark.parametrize(("days", "reason"), [("0", "1"), ("31", "30"), ("", "请填写有效期")])
def test_a_bad_expiry_creates_nothing_and_says_why(issue: Issue, days: str, reason: str) -> None:
    client = logged_in(actor(Role.EXECUTIVE_EDITOR))
    create = reverse("admin:editorial_issue_preview_link_create", args=[issue.pk])
    [message] = messages_of(client.post(create, {"days": days}))
    assert message.startswith("未创建预览链接：") and reason in message
    assert not PreviewLink.objects.exists()


def test_someone_who_may_not_share_is_refused(issue: Issue) -> None:
    client = logged_in(actor(Role.RESPONSIBLE_EDITOR))
    create = reverse("admin:editorial_issue_preview_link_create", args=[issue.pk])
    assert client.post(create, {"days": "7"}).status_code == 403
    assert not PreviewLink.objects.exists()
