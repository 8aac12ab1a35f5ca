"""The article pages keep the editor's context: 保存并增加另一个 stays in the issue and section, and
the article list filters by issue (and state)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Article
from editorial.workflow import ArticleStatus
from tests import factories
from tests.admin.forms import form_data
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db


def test_save_and_add_another_stays_in_the_issue_and_section(editor_client: Client) -> None:
    issue = bring_to(small_issue(), "in_edit")
    section = issue.articles.get().section
    add = reverse("admin:editorial_article_add")
    data = form_data(editor_client.get(add, {"issue": issue.pk}).content.decode(), "article_form")
    data |= {
        "section": [str(section.pk)],
        "title": ["算力基础设施建设提速"],
        "body": ["<p>正文。</p>"],
        "source": ["国家数据局"],
        "_addanother": ["保存并增加另一个"],
    }

    response = editor_client.post(f"{add}?issue={issue.pk}", data)

    assert response.status_code == 302
    assert Article.objects.filter(issue=issue, title="算力基础设施建设提速").exists()
    assert response["Location"] == f"{add}?issue={issue.pk}&section={section.pk}"
    again = form_data(editor_client.get(response["Location"]).content.decode(), "article_form")
    assert again["issue"] == [str(issue.pk)]
    assert again["section"] == [str(section.pk)]
    last = max(issue.articles.values_list("position", flat=True))
    assert again["position"] == [str(last + 1)]


def test_the_article_list_filters_by_issue_and_state(editor_client: Client) -> None:
    issue = bring_to(small_issue(articles=2), "in_edit")
    other = small_issue(articles=3)
    first = issue.articles.order_by("position").first()
    assert first is not None
    Article.objects.filter(pk=first.pk).update(status=ArticleStatus.DRAFT)
    changelist = reverse("admin:editorial_article_changelist")

    both = editor_client.get(changelist, {"issue": issue.pk}).content.decode()
    drafts = editor_client.get(changelist, {"issue": str(issue.pk), "status__exact": "draft"})

    rows = re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">', both)
    assert len(rows) == 2
    assert f"{issue.publication} {issue.label}" in both  # offered in the 期 filter
    assert f"?issue={other.pk}" in both
    [draft] = drafts.context["cl"].result_list
    assert draft.issue_id == issue.pk and draft.status == ArticleStatus.DRAFT


def test_an_older_issue_chosen_by_link_is_named_in_the_filter(editor_client: Client) -> None:
    old = small_issue()
    for _ in range(13):
        factories.IssueFactory.create(publication=old.publication)

    page = editor_client.get(reverse("admin:editorial_article_changelist"), {"issue": old.pk})

    assert [a.issue_id for a in page.context["cl"].result_list] == [old.pk]
    assert f"{old.date.year}年{old.label}" in page.content.decode()
