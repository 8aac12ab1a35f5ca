"""The admin saves through the workflow services: audit, revisions, approvals, freshness, states."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.models import Approval, Article, AuditEntry, Issue, IssueStatus
from editorial.services.articles import article_save
from tests import factories
from tests.admin.forms import form_data
from tests.admin.workflow_setup import post_confirmed

pytestmark = pytest.mark.django_db


def article_url(article: Article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def article_form(client: Client, article: Article) -> dict[str, list[str]]:
    return form_data(client.get(article_url(article)).content.decode(), "article_form")


def test_editing_an_article_saves_a_revision_and_an_audit_row(editor_client: Client) -> None:
    article = factories.ArticleFactory.create(title="旧标题")
    data = article_form(editor_client, article)
    data["title"] = ["新标题"]

    response = editor_client.post(article_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.lock_version) == ("新标题", 1)
    assert AuditEntry.objects.filter(article=article, action="update").count() == 1
    assert Version.objects.get_for_object(article).count() == 1


def test_an_unchanged_save_is_not_a_content_change(editor_client: Client) -> None:
    article = factories.ArticleFactory.create()

    response = editor_client.post(article_url(article), article_form(editor_client, article))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lock_version == 0
    assert not AuditEntry.objects.exists()


def test_a_save_over_a_newer_version_is_refused_on_the_form(editor_client: Client) -> None:
    article = factories.ArticleFactory.create(title="原标题")
    data = article_form(editor_client, article)
    # Meanwhile someone else saves the article.
    other = Article.objects.get(pk=article.pk)
    other.title = "别人改的标题"
    article_save(actor=None, article=other, base_version=0)
    data["title"] = ["我改的标题"]

    response = editor_client.post(article_url(article), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "保存被拒绝" in content
    assert "我改的标题" in content
    article.refresh_from_db()
    assert (article.title, article.lock_version) == ("别人改的标题", 1)


def test_adding_a_figure_is_recorded_as_a_change_of_the_article(editor_client: Client) -> None:
    article = factories.ArticleFactory.create()
    data: dict[str, object] = {k: v for k, v in article_form(editor_client, article).items()}
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-number": "1",
            "figures-0-caption": "电子信息制造业增速",
            "figures-0-image": SimpleUploadedFile(
                "fig.png", factories.png_bytes(), content_type="image/png"
            ),
        }
    )

    response = editor_client.post(article_url(article), data)

    assert response.status_code == 302
    assert list(article.figures.values_list("number", "caption")) == [(1, "电子信息制造业增速")]
    article.refresh_from_db()
    assert article.lock_version == 1
    assert AuditEntry.objects.get(article=article).note == "修改图"


@pytest.mark.parametrize("status", [IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED])
def test_articles_and_issues_past_editing_open_read_only(
    editor_client: Client, status: IssueStatus
) -> None:
    issue = factories.IssueFactory.create(status=status, cover_headline="已发布的要闻")
    article = factories.ArticleFactory.create(issue=issue, title="已发布的文章")

    article_page = editor_client.get(article_url(article)).content.decode()
    issue_page = editor_client.get(issue_url(issue)).content.decode()
    article_post = editor_client.post(article_url(article), {"title": "改了"})
    issue_post = editor_client.post(issue_url(issue), {"cover_headline": "改了"})

    assert 'name="title"' not in article_page
    assert "已发布的文章" in article_page
    assert 'name="cover_headline"' not in issue_page
    assert "?issue=" not in issue_page
    assert (article_post.status_code, issue_post.status_code) == (403, 403)
    article.refresh_from_db()
    issue.refresh_from_db()
    assert (article.title, issue.cover_headline) == ("已发布的文章", "已发布的要闻")


def test_adding_an_article_to_a_published_issue_is_refused_on_the_form(
    editor_client: Client,
) -> None:
    issue = factories.IssueFactory.create(status=IssueStatus.PUBLISHED)
    section = factories.SectionFactory.create(publication=issue.publication)

    response = editor_client.post(
        reverse("admin:editorial_article_add"),
        {
            "issue": issue.pk,
            "section": section.pk,
            "position": 1,
            "title": "迟到的文章",
            "body": "<p>正文</p>",
            "figures-TOTAL_FORMS": "0",
            "figures-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "已发布的期不能修改" in response.content.decode()
    assert not Article.objects.exists()


@pytest.fixture
def issue_under_review() -> tuple[Issue, Approval]:
    issue = factories.IssueFactory.create(status=IssueStatus.APPROVED, cover_headline="旧要闻")
    factories.ArticleFactory.create(issue=issue)
    approval = Approval.objects.create(
        issue=issue, approver=factories.UserFactory.create(), content_hash="0" * 64
    )
    return issue, approval


def test_editing_an_approved_issue_invalidates_approvals_and_reopens_review(
    editor_client: Client, issue_under_review: tuple[Issue, Approval]
) -> None:
    issue, approval = issue_under_review
    data = form_data(editor_client.get(issue_url(issue)).content.decode(), "issue_form")
    data["cover_headline"] = ["新要闻"]

    response = post_confirmed(editor_client, issue_url(issue), data)  # asked first

    assert response.status_code == 302
    issue.refresh_from_db()
    approval.refresh_from_db()
    assert issue.cover_headline == "新要闻"
    assert issue.status == IssueStatus.IN_REVIEW
    assert issue.lock_version == 1
    assert approval.invalidated_at is not None
    assert approval.invalidated_reason == "内容变更：修改封面要闻"


def test_reordering_articles_on_the_issue_page_saves_each_through_article_save(
    editor_client: Client, issue_under_review: tuple[Issue, Approval]
) -> None:
    issue, approval = issue_under_review
    second = factories.ArticleFactory.create(issue=issue, position=99)
    url = issue_url(issue)
    data = form_data(editor_client.get(url).content.decode(), "issue_form")
    row = next(i for i in range(2) if data[f"articles-{i}-id"] == [str(second.pk)])
    data[f"articles-{row}-position"] = ["0"]

    response = post_confirmed(editor_client, url, data)  # the approval it voids is named first

    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.position, second.lock_version) == (0, 1)
    assert AuditEntry.objects.filter(article=second, action="update").count() == 1
    approval.refresh_from_db()
    assert approval.invalidated_at is not None


def test_an_unchanged_issue_save_keeps_its_approvals(
    editor_client: Client, issue_under_review: tuple[Issue, Approval]
) -> None:
    issue, approval = issue_under_review
    url = issue_url(issue)

    response = editor_client.post(
        url, form_data(editor_client.get(url).content.decode(), "issue_form")
    )

    assert response.status_code == 302
    approval.refresh_from_db()
    issue.refresh_from_db()
    assert approval.invalidated_at is None
    assert (issue.status, issue.lock_version) == (IssueStatus.APPROVED, 0)


@pytest.mark.parametrize("name", ["auditentry", "approval", "comment", "editlock", "notification"])
def test_workflow_records_are_read_only(editor_client: Client, name: str) -> None:
    changelist = editor_client.get(reverse(f"admin:editorial_{name}_changelist"))

    assert changelist.status_code == 200
    assert editor_client.get(reverse(f"admin:editorial_{name}_add")).status_code == 403
