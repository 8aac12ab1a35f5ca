"""Deleting articles goes through ``article_delete``: from the change page, the changelist's bulk
action and the issue page's inline; published issues refuse. And the article page's cost.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Approval, Article, AuditEntry, Issue, IssueStatus
from editorial.roles import Role
from editorial.services.articles import article_save
from editorial.services.comments import comment_add
from editorial.services.locks import lock_acquire
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def approved_issue(articles: int = 2) -> Issue:
    return bring_to(small_issue(articles=articles), IssueStatus.APPROVED)


def test_the_delete_page_deletes_through_the_service_even_with_comments_and_a_lock() -> None:
    issue = approved_issue()
    article = issue.articles.first()
    assert article is not None
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    comment_add(actor=executive, issue=issue, article=article, body="这篇要删吗")
    lock_acquire(actor=executive, article=article)
    client = logged_in(executive)
    url = reverse("admin:editorial_article_delete", args=[article.pk])

    confirm = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200
    assert "无法删除" not in confirm.content.decode()
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    entry = AuditEntry.objects.get(action="delete")
    assert (entry.issue_id, entry.note) == (issue.pk, f"删除文章《{article.title}》")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_REVIEW  # back to the board: the content changed
    assert not Approval.objects.filter(issue=issue, invalidated_at__isnull=True).exists()


def test_the_bulk_delete_goes_through_the_service_and_reports_each_article() -> None:
    editable = approved_issue(articles=1)
    published = bring_to(small_issue(articles=1), IssueStatus.PUBLISHED)
    going, staying = editable.articles.get(), published.articles.get()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    changelist = reverse("admin:editorial_article_changelist")
    post = {"action": "delete_selected", "_selected_action": [going.pk, staying.pk]}

    confirm_both = client.post(changelist, post)
    confirm_one = client.post(changelist, post | {"_selected_action": [going.pk]})
    # Confirmed anyway (or the issue was published meanwhile): each article is decided alone.
    response = client.post(changelist, post | {"post": "yes"})

    assert "无法删除" in confirm_both.content.decode()  # Django's own refusal up front
    assert "<title>删除多个对象" in confirm_one.content.decode()
    assert response.status_code == 302
    assert list(Article.objects.values_list("pk", flat=True)) == [staying.pk]
    assert sorted(messages_of(response)) == sorted(
        [
            f"《{staying.title}》未删除：已发布的期不能修改；已发布的期请开启勘误修订。",
            f"已删除 1 篇文章：《{going.title}》。",
        ]
    )
    assert AuditEntry.objects.filter(action="delete").count() == 1
    assert Issue.objects.get(pk=editable.pk).status == IssueStatus.IN_REVIEW


def test_an_article_of_a_published_issue_offers_no_delete_and_refuses_a_crafted_one() -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    article = issue.articles.get()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    before = snapshot(issue.pk)

    response = client.post(
        reverse("admin:editorial_article_delete", args=[article.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert snapshot(issue.pk) == before


def test_a_responsible_editor_may_not_delete_even_their_own_article() -> None:
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    issue = bring_to(small_issue(editor=editor), IssueStatus.IN_EDIT)
    article = issue.articles.get()
    client = logged_in(editor)
    changelist = reverse("admin:editorial_article_changelist")
    before = snapshot(issue.pk)

    page = client.get(changelist).content.decode()
    crafted = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"}
    )

    assert 'value="delete_selected"' not in page
    assert crafted.status_code == 302
    assert snapshot(issue.pk) == before


def test_removing_an_article_on_the_issue_page_goes_through_the_service() -> None:
    issue = approved_issue(articles=2)
    first = issue.articles.order_by("position").first()
    assert first is not None
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    url = reverse("admin:editorial_issue_change", args=[issue.pk])
    data = form_data(client.get(url).content.decode(), "issue_form")
    row = next(i for i in range(2) if data[f"articles-{i}-id"] == [str(first.pk)])
    data[f"articles-{row}-DELETE"] = ["on"]

    response = post_confirmed(client, url, data)  # the approval it voids is named first

    assert response.status_code == 302
    assert not Article.objects.filter(pk=first.pk).exists()
    assert AuditEntry.objects.get(action="delete").note == f"删除文章《{first.title}》"
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW


def test_the_article_page_costs_the_same_queries_whatever_its_history() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    quiet = bring_to(small_issue(), IssueStatus.IN_EDIT).articles.get()
    busy = bring_to(small_issue(), IssueStatus.IN_EDIT).articles.get()
    for n in range(4):
        busy.title = f"改了{n}次"
        busy = article_save(actor=executive, article=busy, base_version=busy.lock_version)
        parent = comment_add(actor=executive, issue=busy.issue, article=busy, body=f"意见{n}")
        comment_add(actor=executive, issue=busy.issue, parent=parent, body="回复")
    # Someone else editing both (a lock is taken by someone who may change the article).
    holder = staff("chen", "陈贝", Role.EXECUTIVE_EDITOR)
    lock_acquire(actor=holder, article=quiet)
    lock_acquire(actor=holder, article=busy)
    client = logged_in(executive)

    counts = []
    for article in (quiet, busy):
        with CaptureQueriesContext(connection) as captured:
            url = reverse("admin:editorial_article_change", args=[article.pk])
            assert client.get(url).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1] <= 40
