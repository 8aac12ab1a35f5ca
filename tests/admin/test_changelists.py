"""Every changelist costs the same number of queries for 3 rows as for 9, and shows its columns."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.models import (
    Approval,
    Article,
    AuditEntry,
    Comment,
    EditLock,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Notification,
    Organisation,
    Person,
    Publication,
)
from editorial.models.issues import OrganisationRole, PersonRole
from tests import factories

pytestmark = pytest.mark.django_db

# The changelists are a fixed handful of queries (session, user, count, rows, filters, the
# header's unread 我的通知); the bound only catches a page that has grown a query per row that the
# equality check missed.
MAX_CHANGELIST_QUERIES = 13


def make_issues(n: int) -> None:
    for _ in range(n):
        issue = factories.IssueFactory.create()
        factories.ArticleFactory.create_batch(2, issue=issue)
        MastheadOrganisation.objects.create(
            issue=issue,
            role=OrganisationRole.CHIEF_EDITOR,
            organisation=factories.OrganisationFactory.create(),
        )


def make_articles(n: int) -> None:
    for _ in range(n):
        article = factories.ArticleFactory.create(
            responsible_editor=factories.PersonFactory.create()
        )
        factories.FigureFactory.create(article=article)


def make_organisations(n: int) -> None:
    for _ in range(n):
        factories.OrganisationFactory.create(logo=factories.png_file("logo.png"))


def make_persons(n: int) -> None:
    issue = factories.IssueFactory.create()
    for _ in range(n):
        person = factories.PersonFactory.create(user=factories.UserFactory.create())
        MastheadMember.objects.create(issue=issue, role=PersonRole.BOARD_MEMBER, person=person)


def make_sections(n: int) -> None:
    for _ in range(n):
        factories.ArticleFactory.create()


def make_publications(n: int) -> None:
    for _ in range(n):
        publication = factories.PublicationFactory.create()
        factories.SectionFactory.create_batch(2, publication=publication)
        factories.IssueFactory.create(publication=publication)


def make_notices(n: int) -> None:
    for _ in range(n):
        notice = factories.CopyrightNoticeFactory.create()
        factories.IssueFactory.create(publication=notice.publication, notice=notice)


def make_workflow_rows(n: int) -> None:
    """Each row with its own issue, article and users, so a missing join would show."""
    now = timezone.now()
    for _ in range(n):
        article = factories.ArticleFactory.create()
        issue = article.issue
        user = factories.UserFactory.create()
        AuditEntry.objects.create(actor=user, action="update", issue=issue, object_repr=str(issue))
        Approval.objects.create(issue=issue, approver=user, content_hash="0" * 64)
        Comment.objects.create(issue=issue, article=article, author=user, body="请核对数据。")
        EditLock.objects.create(
            article=article, holder=user, acquired_at=now, expires_at=now + timedelta(minutes=30)
        )
        Notification.objects.create(
            key=f"submit:{issue.pk}:{user.pk}",
            recipient=user,
            issue=issue,
            event="submit",
            subject="本期已提交审核",
            body="请审核。",
        )


CHANGELISTS: dict[str, Callable[[int], None]] = {
    "issue": make_issues,
    "article": make_articles,
    "organisation": make_organisations,
    "person": make_persons,
    "section": make_sections,
    "publication": make_publications,
    "copyrightnotice": make_notices,
    "auditentry": make_workflow_rows,
    "approval": make_workflow_rows,
    "comment": make_workflow_rows,
    "editlock": make_workflow_rows,
    "notification": make_workflow_rows,
}


def changelist_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("model_name", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(
    editor_client: Client, model_name: str
) -> None:
    url = reverse(f"admin:editorial_{model_name}_changelist")
    make = CHANGELISTS[model_name]
    make(3)
    with_three = changelist_queries(editor_client, url)
    make(6)
    with_nine = changelist_queries(editor_client, url)

    assert with_nine == with_three
    assert with_nine <= MAX_CHANGELIST_QUERIES


def test_issue_changelist_shows_numbers_status_and_article_count(editor_client: Client) -> None:
    headline = "《数字经济2024年工作要点》" * 3
    issue = factories.IssueFactory.create(number=16, total_number=179, cover_headline=headline)
    factories.ArticleFactory.create_batch(2, issue=issue)

    response = editor_client.get(reverse("admin:editorial_issue_changelist"))

    content = response.content.decode()
    assert "第16期" in content
    assert "总第179期" in content
    assert "草稿" in content
    assert headline[:20] in content
    assert headline not in content
    [row] = response.context["cl"].result_list
    assert row.article_count == 2


def test_issue_search_finds_article_titles_and_cover_headline(editor_client: Client) -> None:
    wanted = factories.ArticleFactory.create(title="河南发布数字化转型战略工作方案").issue
    headline = factories.IssueFactory.create(cover_headline="数字经济工作要点")
    factories.ArticleFactory.create(title="另一篇文章")
    url = reverse("admin:editorial_issue_changelist")

    by_title = editor_client.get(url, {"q": "数字化转型"}).context["cl"].result_list
    by_headline = editor_client.get(url, {"q": "工作要点"}).context["cl"].result_list

    assert [i.pk for i in by_title] == [wanted.pk]
    assert [i.pk for i in by_headline] == [headline.pk]


def test_issue_changelist_filters_by_status_publication_and_date(editor_client: Client) -> None:
    issue = factories.IssueFactory.create()
    factories.IssueFactory.create()
    url = reverse("admin:editorial_issue_changelist")

    by_publication = editor_client.get(url, {"publication__id__exact": issue.publication_id})
    by_status = editor_client.get(url, {"status__exact": "published"})
    by_year = editor_client.get(url, {"date__year": issue.date.year})

    assert [i.pk for i in by_publication.context["cl"].result_list] == [issue.pk]
    assert list(by_status.context["cl"].result_list) == []
    assert (
        by_year.context["cl"].result_count
        == Issue.objects.filter(date__year=issue.date.year).count()
    )


def test_article_changelist_columns(editor_client: Client) -> None:
    issue = factories.IssueFactory.create(number=16, total_number=179)
    article = factories.ArticleFactory.create(
        issue=issue, responsible_editor=factories.PersonFactory.create(name="熊灵犀")
    )
    factories.FigureFactory.create_batch(2, article=article)

    response = editor_client.get(reverse("admin:editorial_article_changelist"))

    content = response.content.decode()
    assert "第16期 总第179期" in content
    assert "熊灵犀" in content
    [row] = response.context["cl"].result_list
    assert row.figure_count == 2


def test_article_search_finds_text_in_body(editor_client: Client) -> None:
    wanted = factories.ArticleFactory.create(
        body="<p>推动<strong>算力基础设施</strong>高质量发展。</p>"
    )
    factories.ArticleFactory.create(body="<p>别的内容。</p>")

    response = editor_client.get(
        reverse("admin:editorial_article_changelist"), {"q": "算力基础设施"}
    )

    assert [a.pk for a in response.context["cl"].result_list] == [wanted.pk]


def test_article_filters_by_issue_status_section_and_editor(editor_client: Client) -> None:
    editor = factories.PersonFactory.create()
    wanted = factories.ArticleFactory.create(responsible_editor=editor)
    factories.ArticleFactory.create()
    url = reverse("admin:editorial_article_changelist")

    by_editor = editor_client.get(url, {"responsible_editor__id__exact": editor.pk})
    by_section = editor_client.get(url, {"section__id__exact": wanted.section_id})
    by_status = editor_client.get(url, {"issue__status__exact": "draft"})

    assert [a.pk for a in by_editor.context["cl"].result_list] == [wanted.pk]
    assert [a.pk for a in by_section.context["cl"].result_list] == [wanted.pk]
    assert by_status.context["cl"].result_count == Article.objects.count()


def test_section_filter_names_the_publication_when_there_are_several(
    editor_client: Client,
) -> None:
    factories.SectionFactory.create(name="国策要论", publication__name="甲刊")
    factories.SectionFactory.create(name="国策要论", publication__name="乙刊")

    response = editor_client.get(reverse("admin:editorial_article_changelist"))

    content = response.content.decode()
    assert "甲刊 · 国策要论" in content
    assert "乙刊 · 国策要论" in content


def test_organisation_changelist_shows_acronym_and_logo(editor_client: Client) -> None:
    factories.OrganisationFactory.create(
        name="贵阳智能大数据战略研究院", acronym="GIDI", logo=factories.png_file("gidi.png")
    )
    factories.OrganisationFactory.create(name="大数据战略重点实验室")

    response = editor_client.get(reverse("admin:editorial_organisation_changelist"))

    content = response.content.decode()
    assert "GIDI" in content
    assert content.count('src="/files/organisations/logos/') == 1


@pytest.mark.parametrize("term", ["GIDI", "Guiyang", "战略研究院"])
def test_organisation_search_by_name_english_name_and_acronym(
    editor_client: Client, term: str
) -> None:
    wanted = factories.OrganisationFactory.create(
        name="贵阳智能大数据战略研究院",
        name_en="Guiyang Institute of Digital Intelligence",
        acronym="GIDI",
    )
    factories.OrganisationFactory.create(name="另一个机构")

    response = editor_client.get(reverse("admin:editorial_organisation_changelist"), {"q": term})

    assert [o.pk for o in response.context["cl"].result_list] == [wanted.pk]
    assert Organisation.objects.count() == 2


def test_person_changelist_shows_login_and_distinct_masthead_roles(editor_client: Client) -> None:
    song = factories.PersonFactory.create(
        name="宋希贤", user=factories.UserFactory.create(username="song")
    )
    factories.PersonFactory.create(name="杨婷")
    for issue in factories.IssueFactory.create_batch(2):
        MastheadMember.objects.create(issue=issue, role=PersonRole.BOARD_MEMBER, person=song)
        MastheadMember.objects.create(issue=issue, role=PersonRole.EDITOR_IN_CHIEF, person=song)

    response = editor_client.get(reverse("admin:editorial_person_changelist"))

    rows = {p.name: p for p in response.context["cl"].result_list}
    assert rows["宋希贤"].masthead_role_count == 2
    assert rows["杨婷"].masthead_role_count == 0
    assert 'alt="是"' in response.content.decode()  # has a login, said in Chinese
    assert 'alt="否"' in response.content.decode()


@pytest.mark.parametrize(("value", "expected"), [("yes", ["宋希贤"]), ("no", ["杨婷"])])
def test_person_filter_by_login(editor_client: Client, value: str, expected: list[str]) -> None:
    factories.PersonFactory.create(name="宋希贤", user=factories.UserFactory.create())
    factories.PersonFactory.create(name="杨婷")

    response = editor_client.get(reverse("admin:editorial_person_changelist"), {"has_login": value})

    assert [p.name for p in response.context["cl"].result_list] == expected


def test_person_search_by_name(editor_client: Client) -> None:
    wanted = factories.PersonFactory.create(name="熊灵犀")
    factories.PersonFactory.create(name="陈贝")

    response = editor_client.get(reverse("admin:editorial_person_changelist"), {"q": "灵犀"})

    assert [p.pk for p in response.context["cl"].result_list] == [wanted.pk]
    assert Person.objects.count() == 2


def test_publication_changelist_counts_sections_and_issues(editor_client: Client) -> None:
    publication = factories.PublicationFactory.create()
    factories.SectionFactory.create_batch(3, publication=publication)
    factories.IssueFactory.create_batch(2, publication=publication)

    response = editor_client.get(reverse("admin:editorial_publication_changelist"))

    [row] = response.context["cl"].result_list
    assert (row.section_count, row.issue_count) == (3, 2)
    assert Publication.objects.count() == 1


def test_admin_index_is_in_chinese(editor_client: Client) -> None:
    response = editor_client.get(reverse("admin:index"))

    content = response.content.decode()
    assert response.status_code == 200
    for label in ("编辑部", "文章", "刊物", "版权声明", "机构", "人员", "栏目"):
        assert label in content
    assert "Digest 编辑部" in content
