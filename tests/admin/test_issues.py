"""The issue pages: proposed numbers, creation through issue_create, validation, ordering."""

import datetime
import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Issue, IssueStatus, MastheadMember, MastheadOrganisation, Publication
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.roles import Role
from tests import factories
from tests.admin.forms import form_data, single
from tests.admin.workflow_setup import logged_in
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

ADD_URL = "admin:editorial_issue_add"


@pytest.fixture
def year_end_issues(publication: Publication) -> tuple[Issue, Issue]:
    """Issues 50 and 51 of 2024 (总第178, 179期), the last before the year turns."""
    return (
        factories.IssueFactory.create(
            publication=publication, date=datetime.date(2024, 12, 23), number=50, total_number=178
        ),
        factories.IssueFactory.create(
            publication=publication, date=datetime.date(2024, 12, 30), number=51, total_number=179
        ),
    )


def add_form_initial(client: Client, **params: str | int) -> dict[str, str]:
    response = client.get(reverse(ADD_URL), params)
    assert response.status_code == 200
    return single(form_data(response.content.decode(), "issue_form"))


def issue_post(publication: Publication, date: str, number: int, total: int) -> dict[str, object]:
    return {
        "publication": publication.pk,
        "date": date,
        "number": number,
        "total_number": total,
        "cover_headline": "《数字经济2025年工作要点》",
        "_save": "保存",
    }


def test_add_form_restarts_the_number_in_a_new_year_and_continues_the_total(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    initial = add_form_initial(editor_client, publication=publication.pk, date="2025-01-06")

    assert initial["number"] == "1"
    assert initial["total_number"] == "180"
    assert initial["publication"] == str(publication.pk)
    assert initial["date"] == "2025-01-06"


def test_add_form_continues_the_number_within_the_year(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    initial = add_form_initial(editor_client, publication=publication.pk, date="2024-12-31")

    assert (initial["number"], initial["total_number"]) == ("52", "180")


def test_add_form_without_parameters_proposes_the_week_after_the_latest_issue(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    initial = add_form_initial(editor_client)

    # A weekly: 2024-12-30 + 7 days is the first issue of 2025, 总第180期.
    assert initial["publication"] == str(publication.pk)
    assert initial["date"] == "2025-01-06"
    assert (initial["number"], initial["total_number"]) == ("1", "180")


def test_add_form_ignores_a_malformed_date(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    initial = add_form_initial(editor_client, publication=publication.pk, date="2025-13-45")

    assert initial["date"] == "2025-01-06"


def test_the_numbers_are_proposed_again_for_another_date(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    url = reverse("admin:editorial_issue_propose_numbers")

    pk = str(publication.pk)
    later = editor_client.get(url, {"publication": pk, "date": "2024-12-31"})
    new_year = editor_client.get(url, {"publication": pk, "date": "2025-01-06"})
    bad = editor_client.get(url, {"publication": pk, "date": "2025-02-30"})

    assert later.json() == {"number": 52, "total_number": 180}
    assert new_year.json() == {"number": 1, "total_number": 180}
    assert bad.status_code == 400
    assert bad.json() == {"error": "请选择刊物并填写有效的日期。"}


def test_only_someone_who_may_add_issues_is_told_the_proposal(
    publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    client = Client()
    client.force_login(staff("cheng", "程茹", Role.BOARD_MEMBER))

    response = client.get(
        reverse("admin:editorial_issue_propose_numbers"), {"publication": publication.pk}
    )

    assert response.status_code == 403


def test_adding_an_issue_copies_the_masthead_and_pins_the_latest_notice(
    editor_client: Client, publication: Publication, year_end_issues: tuple[Issue, Issue]
) -> None:
    previous = year_end_issues[1]
    old_notice = factories.CopyrightNoticeFactory.create(publication=publication, version=1)
    latest_notice = factories.CopyrightNoticeFactory.create(publication=publication, version=2)
    previous.notice = old_notice
    previous.save()
    organisation = factories.OrganisationFactory.create(name="贵阳智能大数据战略研究院")
    person = factories.PersonFactory.create(name="宋希贤")
    MastheadOrganisation.objects.create(
        issue=previous, role=OrganisationRole.CHIEF_EDITOR, organisation=organisation, position=1
    )
    MastheadMember.objects.create(
        issue=previous, role=PersonRole.EDITOR_IN_CHIEF, person=person, position=1
    )

    response = editor_client.post(reverse(ADD_URL), issue_post(publication, "2025-01-06", 1, 180))

    assert response.status_code == 302
    new = Issue.objects.get(publication=publication, total_number=180)
    assert (new.number, new.date, new.status) == (1, datetime.date(2025, 1, 6), IssueStatus.DRAFT)
    assert new.cover_headline == "《数字经济2025年工作要点》"
    assert new.notice == latest_notice
    assert list(new.masthead_organisations.values_list("role", "organisation", "position")) == [
        (OrganisationRole.CHIEF_EDITOR, organisation.pk, 1)
    ]
    assert list(new.masthead_members.values_list("role", "person", "position")) == [
        (PersonRole.EDITOR_IN_CHIEF, person.pk, 1)
    ]
    assert previous.masthead_members.count() == 1
    log = LogEntry.objects.get(action_flag=ADDITION)
    assert log.object_id == str(new.pk)


@pytest.mark.parametrize(
    ("date", "number", "total", "message"),
    [
        ("2024-12-31", 51, 180, "该刊物同一年度已有相同期号的一期。"),
        ("2025-01-06", 1, 179, "该刊物已有相同总期号的一期。"),
        ("2024-12-31", 53, 180, "2024年期号不连续：缺少第52期。"),
        ("2025-01-06", 1, 181, "总期号不连续：缺少总第180期。"),
    ],
)
def test_a_duplicate_or_gap_number_is_refused_on_the_form_and_nothing_is_saved(
    editor_client: Client,
    publication: Publication,
    year_end_issues: tuple[Issue, Issue],
    date: str,
    number: int,
    total: int,
    message: str,
) -> None:
    before = list(Issue.objects.values_list("pk", "number", "total_number").order_by("pk"))

    response = editor_client.post(reverse(ADD_URL), issue_post(publication, date, number, total))

    assert response.status_code == 200
    assert response.content.decode().count(message) == 1
    assert list(Issue.objects.values_list("pk", "number", "total_number").order_by("pk")) == before
    assert not LogEntry.objects.exists()


def test_add_form_has_no_inlines_and_no_notice_field(
    editor_client: Client, publication: Publication
) -> None:
    data = form_data(editor_client.get(reverse(ADD_URL)).content.decode(), "issue_form")

    assert "notice" not in data
    assert not any(name.endswith("-TOTAL_FORMS") for name in data)


@pytest.fixture
def issue_with_articles(publication: Publication) -> Issue:
    issue = factories.IssueFactory.create(publication=publication, number=16, total_number=179)
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    for position, title in [(3, "第三篇"), (1, "第一篇"), (2, "第二篇")]:
        factories.ArticleFactory.create(
            issue=issue, section=section, position=position, title=title
        )
    MastheadMember.objects.create(
        issue=issue,
        role=PersonRole.EDITOR_IN_CHIEF,
        person=factories.PersonFactory.create(name="宋希贤"),
    )
    return issue


def change_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def test_change_page_lists_articles_in_position_order_in_a_sortable_inline(
    editor_client: Client, issue_with_articles: Issue
) -> None:
    response = editor_client.get(change_url(issue_with_articles))

    content = response.content.decode()
    assert response.status_code == 200
    assert "sortable" in content
    assert "adminsortable2/js/adminsortable2" in content
    positions = [content.index(title) for title in ("第一篇", "第二篇", "第三篇")]
    assert positions == sorted(positions)
    assert "草稿" in content
    assert "未上传" in content
    assert f"{reverse('admin:editorial_article_add')}?issue={issue_with_articles.pk}" in content


def test_change_page_query_count_does_not_grow_with_articles(
    editor_client: Client, issue_with_articles: Issue
) -> None:
    url = change_url(issue_with_articles)
    with CaptureQueriesContext(connection) as with_three:
        editor_client.get(url)
    factories.ArticleFactory.create_batch(
        6, issue=issue_with_articles, responsible_editor=factories.PersonFactory.create()
    )
    with CaptureQueriesContext(connection) as with_nine:
        editor_client.get(url)

    assert len(with_nine) == len(with_three)


def test_saving_the_change_form_stores_the_new_article_order(
    editor_client: Client, issue_with_articles: Issue
) -> None:
    url = change_url(issue_with_articles)
    data = form_data(editor_client.get(url).content.decode(), "issue_form")
    prefix = "articles"
    count = int(data[f"{prefix}-TOTAL_FORMS"][0])
    by_title = {data[f"{prefix}-{i}-title"][0]: i for i in range(count)}
    # What the drag and drop script does: renumber the rows in their new order.
    for new_position, title in enumerate(["第三篇", "第一篇", "第二篇"], start=1):
        data[f"{prefix}-{by_title[title]}-position"] = [str(new_position)]
    data["_continue"] = ["保存并继续编辑"]

    response = editor_client.post(url, data)

    assert response.status_code == 302
    titles = issue_with_articles.articles.order_by("position").values_list("title", flat=True)
    assert list(titles) == ["第三篇", "第一篇", "第二篇"]
    assert issue_with_articles.masthead_members.count() == 1
    issue_with_articles.refresh_from_db()
    assert issue_with_articles.status == IssueStatus.DRAFT


def test_the_status_cannot_be_set_through_the_form(
    editor_client: Client, issue_with_articles: Issue
) -> None:
    url = change_url(issue_with_articles)
    data = form_data(editor_client.get(url).content.decode(), "issue_form")
    data["status"] = [IssueStatus.PUBLISHED]

    response = editor_client.post(url, data)

    assert response.status_code == 302
    issue_with_articles.refresh_from_db()
    assert issue_with_articles.status == IssueStatus.DRAFT


def test_notice_choices_are_the_issues_own_publication(
    editor_client: Client, issue_with_articles: Issue
) -> None:
    own = factories.CopyrightNoticeFactory.create(publication=issue_with_articles.publication)
    factories.CopyrightNoticeFactory.create()

    response = editor_client.get(change_url(issue_with_articles))

    queryset = response.context["adminform"].form.fields["notice"].queryset
    assert list(queryset) == [own]


def read_only_issue(issue: Issue, case: str) -> tuple[Issue, Client]:
    """A published issue opened by its editor, or a draft opened by a board member."""
    if case == "published":
        client = logged_in(staff("zhou", "周编辑", Role.EXECUTIVE_EDITOR))
        return bring_to(issue, IssueStatus.PUBLISHED), client
    return issue, logged_in(staff("board", "编委甲", Role.BOARD_MEMBER))


@pytest.mark.parametrize("case", ["published", "without_permission"])
def test_a_read_only_issue_page_has_no_drag_handles_and_refuses_a_reorder(case: str) -> None:
    issue, client = read_only_issue(small_issue(articles=3), case)
    url = change_url(issue)
    before = list(issue.articles.order_by("position").values_list("pk", "position"))

    html = client.get(url).content.decode()

    assert re.findall(r'<fieldset class="module[^"]*"', html)  # the inlines are shown …
    assert not re.search(r'<fieldset class="module[^"]*\bsortable\b', html)  # … not draggable
    assert 'name="articles-0-position"' not in html
    reorder = {"articles-TOTAL_FORMS": ["3"], "articles-INITIAL_FORMS": ["3"]}
    for row, (pk, _) in enumerate(reversed(before)):
        reorder[f"articles-{row}-id"] = [str(pk)]
        reorder[f"articles-{row}-position"] = [str(before[row][1])]
    assert client.post(url, reorder).status_code == 403
    after = list(issue.articles.order_by("position").values_list("pk", "position"))
    assert after == before
