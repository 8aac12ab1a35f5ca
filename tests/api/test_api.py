"""The REST API: reads with fixed query counts, writes through the services, the schema."""

import datetime

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.models import Article, AuditEntry, Issue, Person, Rendition
from editorial.roles import Role
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def client_for(*roles: Role, username: str = "api-user", person: str = "接口用户") -> Client:
    client = Client()
    client.force_login(staff(username, person, *roles))
    return client


def make_issues(n: int) -> list[Issue]:
    publication = factories.PublicationFactory.create()
    issues = []
    for i in range(n):
        issue = factories.IssueFactory.create(
            publication=publication,
            number=i + 1,
            total_number=i + 1,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * i),
        )
        for _ in range(3):
            factories.FigureFactory.create(article=factories.ArticleFactory.create(issue=issue))
        issues.append(issue)
    return issues


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reading_needs_a_login_and_a_role() -> None:
    issue = make_issues(1)[0]
    assert Client().get("/api/issues/").status_code == 403
    outsider = Client()
    outsider.force_login(factories.UserFactory.create(is_staff=True))
    assert outsider.get(f"/api/issues/{issue.pk}/").status_code == 403


def test_query_counts_do_not_grow_with_the_data() -> None:
    client = client_for(Role.BOARD_MEMBER)
    small = make_issues(2)
    list_small = count_queries(client, "/api/issues/")
    detail_small = count_queries(client, f"/api/issues/{small[0].pk}/")
    articles_small = count_queries(client, f"/api/articles/?issue={small[0].pk}")
    big = make_issues(6)
    for issue in big:
        for _ in range(3):
            factories.ArticleFactory.create(issue=issue)
    assert count_queries(client, "/api/issues/") == list_small
    assert count_queries(client, f"/api/issues/{big[0].pk}/") == detail_small
    assert count_queries(client, f"/api/articles/?issue={big[0].pk}") == articles_small
    assert list_small <= 8


def test_issue_detail_holds_the_articles_in_order() -> None:
    issue = make_issues(1)[0]
    data = client_for(Role.BOARD_MEMBER).get(f"/api/issues/{issue.pk}/").json()
    titles = list(issue.articles.order_by("position").values_list("title", flat=True))
    assert [a["title"] for a in data["articles"]] == titles
    assert data["article_count"] == 3 and len(data["articles"][0]["figures"]) == 1


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.EXECUTIVE_EDITOR, True),
        (Role.PUBLISHER, True),
        (Role.BOARD_MEMBER, False),
        (Role.RESPONSIBLE_EDITOR, False),
    ],
)
def test_start_edit_through_the_api_follows_the_table(role: Role, allowed: bool) -> None:
    issue = make_issues(1)[0]
    response = client_for(role).post(f"/api/issues/{issue.pk}/actions/start_edit/")
    issue.refresh_from_db()
    if allowed:
        assert response.status_code == 200 and response.json()["status"] == "in_edit"
        assert issue.status == IssueStatus.IN_EDIT
    else:
        assert response.status_code == 403
        assert issue.status == IssueStatus.DRAFT
        assert AuditEntry.objects.count() == 0


def test_request_changes_needs_a_comment_and_refusal_changes_nothing() -> None:
    issue = make_issues(1)[0]
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_REVIEW)
    board = client_for(Role.BOARD_MEMBER)
    refused = board.post(f"/api/issues/{issue.pk}/actions/request_changes/", {})
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["“退回修改”必须填写意见。"]}
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    done = board.post(
        f"/api/issues/{issue.pk}/actions/request_changes/", {"comment": "第二段数据需核实"}
    )
    assert done.status_code == 200 and done.json()["status"] == "in_edit"


def test_approval_and_scheduling_through_the_api() -> None:
    issue = make_issues(1)[0]
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_REVIEW)
    chief = client_for(Role.EDITOR_IN_CHIEF, username="chief", person="宋希贤")
    assert chief.post(f"/api/issues/{issue.pk}/actions/approve/").json()["status"] == "approved"
    at = timezone.now() + datetime.timedelta(days=1)
    scheduled = chief.post(
        f"/api/issues/{issue.pk}/actions/schedule/", {"at": at.isoformat()}
    ).json()
    assert scheduled["status"] == "scheduled"
    assert datetime.datetime.fromisoformat(scheduled["scheduled_at"]) == at
    unknown = chief.post(f"/api/issues/{issue.pk}/actions/explode/")
    assert unknown.status_code == 404


def test_article_edit_needs_the_version_it_was_made_from() -> None:
    issue = make_issues(1)[0]
    article = issue.articles.order_by("position").first()
    assert article is not None
    executive = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    url = f"/api/articles/{article.pk}/"
    first = executive.patch(
        url, {"title": "新标题", "base_version": 0}, content_type="application/json"
    )
    assert first.status_code == 200
    assert (first.json()["title"], first.json()["lock_version"]) == ("新标题", 1)
    stale = executive.patch(
        url, {"title": "旧版本上的修改", "base_version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("保存被拒绝：这篇文章已被 杨婷 于")
    assert Article.objects.get(pk=article.pk).title == "新标题"
    bad_url = executive.patch(
        url, {"original_url": "notaurl", "base_version": 1}, content_type="application/json"
    )
    assert bad_url.status_code == 400


def test_article_transition_only_for_the_assigned_responsible_editor() -> None:
    issue = make_issues(1)[0]
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_EDIT)
    article = issue.articles.order_by("position").first()
    assert article is not None
    editor = client_for(Role.RESPONSIBLE_EDITOR, username="editor", person="熊灵犀")
    url = f"/api/articles/{article.pk}/transition/"
    assert editor.post(url, {"name": "start_edit"}).status_code == 403
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT
    Article.objects.filter(pk=article.pk).update(
        responsible_editor=Person.objects.get(name="熊灵犀")
    )
    assert editor.post(url, {"name": "start_edit"}).json()["status"] == "in_edit"
    assert editor.post(url, {"name": "explode"}).status_code == 400


def test_preflight_and_rendition_request() -> None:
    issue = make_issues(1)[0]
    client = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    checks = client.get(f"/api/issues/{issue.pk}/preflight/").json()
    assert {c["code"] for c in checks} >= {"notice", "masthead", "not_ready"}
    rendition = client.post(f"/api/issues/{issue.pk}/renditions/")
    assert rendition.status_code == 202
    assert rendition.json()["proof"] is True
    assert Rendition.objects.get().status == rendition.json()["status"]


def test_openapi_schema_describes_the_api() -> None:
    response = client_for(Role.BOARD_MEMBER).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/issues/",
        "/api/issues/{id}/",
        "/api/issues/{id}/actions/{name}/",
        "/api/issues/{id}/preflight/",
        "/api/issues/{id}/renditions/",
        "/api/articles/{id}/",
        "/api/articles/{id}/transition/",
    } <= set(schema["paths"])


def test_schema_generates_without_warnings() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_issue_edit_goes_through_the_service_with_its_version() -> None:
    issue = make_issues(1)[0]
    executive = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    url = f"/api/issues/{issue.pk}/"
    first = executive.patch(
        url,
        {"cover_headline": "《数字经济2024年工作要点》", "base_version": 0},
        content_type="application/json",
    )
    assert first.status_code == 200
    assert (first.json()["cover_headline"], first.json()["lock_version"]) == (
        "《数字经济2024年工作要点》",
        1,
    )
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert (entry.action, entry.note) == ("update", "修改封面要闻")
    stale = executive.patch(
        url,
        {"cover_headline": "旧版本上的修改", "base_version": 0},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("保存被拒绝：本期已被 杨婷 于")
    board = client_for(Role.BOARD_MEMBER, username="board", person="程茹")
    refused = board.patch(
        url, {"cover_headline": "无权", "base_version": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    published = executive.patch(
        url, {"cover_headline": "发布后", "base_version": 1}, content_type="application/json"
    )
    assert published.status_code == 400
    assert Issue.objects.get(pk=issue.pk).cover_headline == "《数字经济2024年工作要点》"
