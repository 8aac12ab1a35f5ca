"""The REST API: reads with fixed query counts, writes through the services, the schema."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from editorial.models import (
    Article,
    AuditEntry,
    DocumentBuild,
    DocumentBuildStatus,
    Issue,
    Person,
    PublishedDocument,
    Rendition,
)
from editorial.roles import Role
from editorial.selectors import issue_edition, issue_live_edition
from editorial.services.comments import comment_add
from editorial.services.documents import document_build_run
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.builders import published_archive
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import api_etag, staff

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


def test_unpublished_issues_are_for_staff_only() -> None:
    issue = make_issues(1)[0]
    assert Client().get("/api/v1/issues/").json()["results"] == []
    assert Client().get(f"/api/v1/issues/{issue.pk}/").status_code == 404
    outsider = Client()
    outsider.force_login(factories.UserFactory.create(is_staff=True))
    assert outsider.get(f"/api/v1/issues/{issue.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/articles/?issue={issue.pk}").json()["results"] == []
    board = client_for(Role.BOARD_MEMBER)
    assert [i["id"] for i in board.get("/api/v1/issues/").json()["results"]] == [issue.pk]


# Query budgets: each list and detail, staff (with their session, two-factor and role lookups)
# and anonymous (published resources only), the same on 1 and on 50 issues.
BUDGETS: dict[str, tuple[int, int | None]] = {
    "/api/v1/publications/": (7, 3),
    "/api/v1/publications/{publication}/": (7, 3),
    "/api/v1/issues/": (8, 2),
    "/api/v1/issues/?year=2024&section={section}": (7, 1),
    "/api/v1/issues/{issue}/": (9, 3),
    "/api/v1/issues/{issue}/?format=html": (8, 2),
    "/api/v1/issues/{issue}/actions/": (10, 4),
    "/api/v1/articles/": (9, 3),
    "/api/v1/articles/?format=text&section={section}": (8, 2),
    "/api/v1/articles/{article}/": (9, 3),
    "/api/v1/figures/": (8, 2),
    "/api/v1/figures/{figure}/": (8, 2),
    "/api/v1/people/": (8, None),
    "/api/v1/people/{person}/": (8, None),
    "/api/v1/organisations/": (8, None),
    "/api/v1/organisations/{organisation}/": (8, None),
    "/api/v1/notices/": (8, None),
    "/api/v1/notices/{notice}/": (8, None),
    "/api/v1/comments/": (8, None),
    "/api/v1/comments/{comment}/": (8, None),
    "/api/v1/renditions/": (8, None),
    "/api/v1/renditions/{rendition}/": (8, None),
}


@pytest.mark.parametrize("size", [1, 50])
def test_every_read_has_a_fixed_query_budget(size: int, django_assert_max_num_queries: Any) -> None:
    issues = published_archive(size, articles=3, figures=True)
    issue = issues[-1]
    article = issue.articles.order_by("position").first()
    assert article is not None
    figure = article.figures.get()
    board = staff("board", "程茹", Role.BOARD_MEMBER)
    ids = {
        "publication": issue.publication_id,
        "section": article.section.slug,
        "issue": issue.pk,
        "article": article.pk,
        "figure": figure.pk,
        "person": Person.objects.get(user=board).pk,
        "organisation": factories.OrganisationFactory.create().pk,
        "notice": factories.CopyrightNoticeFactory.create(publication=issue.publication).pk,
        "comment": comment_add(actor=board, issue=issue, body="核实数据").pk,
        "rendition": Rendition.objects.create(
            issue=issue, kind="pdf", proof=False, content_hash="x" * 64
        ).pk,
    }
    client = Client()
    client.force_login(board)
    for url, (budget, anonymous) in BUDGETS.items():
        with django_assert_max_num_queries(budget, info=url):
            response = client.get(url.format(**ids))
        assert response.status_code == 200, (url, response.content)
        with django_assert_max_num_queries(anonymous or 1, info=f"anonymous {url}"):
            response = Client().get(url.format(**ids))
        assert response.status_code == (200 if anonymous else 401), url
    page = client.get("/api/v1/issues/").json()
    assert len(page["results"]) == size and page["results"][0]["article_count"] == 3


def test_issue_detail_holds_its_edition_by_section_in_order() -> None:
    issue = make_issues(1)[0]
    response = client_for(Role.BOARD_MEMBER).get(f"/api/v1/issues/{issue.pk}/")
    data = response.json()
    edition = issue_live_edition(issue.pk)
    assert response["ETag"] == f'"{edition.fingerprint}-draft"'
    assert data["fingerprint"] == edition.fingerprint and data["title"] == edition.title
    shown = [(s["name"], a["title"]) for s in data["sections"] for a in s["articles"]]
    assert shown == [(a.section.name, a.title) for a in edition.articles]
    assert data["article_count"] == 3
    first = edition.articles[0].figures[0]
    assert first.image is not None
    assert data["sections"][0]["articles"][0]["figures"] == [
        {
            "number": first.number,
            "caption": first.caption,
            "image_url": f"/files/{first.image.name}",
        }
    ]


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
    client = client_for(role)
    url = f"/api/v1/issues/{issue.pk}/"
    response = client.post(f"{url}actions/start_edit/", **api_etag(client, url))
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
    url = f"/api/v1/issues/{issue.pk}/"
    refused = board.post(f"{url}actions/request_changes/", {}, **api_etag(board, url))
    assert refused.status_code == 400
    assert refused.json() == {"code": "comment_required", "message": "“退回修改”必须填写意见。"}
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    done = board.post(
        f"{url}actions/request_changes/", {"comment": "第二段数据需核实"}, **api_etag(board, url)
    )
    assert done.status_code == 200 and done.json()["status"] == "in_edit"


def test_approval_and_scheduling_through_the_api() -> None:
    issue = make_issues(1)[0]
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_REVIEW)
    chief = client_for(Role.EDITOR_IN_CHIEF, username="chief", person="宋希贤")
    url = f"/api/v1/issues/{issue.pk}/"
    approved = chief.post(f"{url}actions/approve/", **api_etag(chief, url))
    assert approved.json()["status"] == "approved"
    assert approved["ETag"] == api_etag(chief, url)["HTTP_IF_MATCH"]
    at = timezone.now() + datetime.timedelta(days=1)
    scheduled = chief.post(
        f"{url}actions/schedule/", {"at": at.isoformat()}, **api_etag(chief, url)
    ).json()
    assert scheduled["status"] == "scheduled"
    assert datetime.datetime.fromisoformat(scheduled["scheduled_at"]) == at
    unknown = chief.post(f"{url}actions/explode/", **api_etag(chief, url))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


def test_article_edit_needs_the_version_it_was_made_from() -> None:
    issue = make_issues(1)[0]
    article = issue.articles.order_by("position").first()
    assert article is not None
    executive = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    url = f"/api/v1/articles/{article.pk}/"
    read = api_etag(executive, url)
    first = executive.patch(url, {"title": "新标题"}, content_type="application/json", **read)
    assert first.status_code == 200
    assert (first.json()["title"], first.json()["lock_version"]) == ("新标题", 1)
    assert first["ETag"] == '"1-draft"' != read["HTTP_IF_MATCH"]
    stale = executive.patch(
        url, {"title": "旧版本上的修改"}, content_type="application/json", **read
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Article.objects.get(pk=article.pk).title == "新标题"
    bad_url = executive.patch(
        url,
        {"original_url": "notaurl"},
        content_type="application/json",
        **api_etag(executive, url),
    )
    assert bad_url.status_code == 400
    assert bad_url.json()["fields"]["original_url"] == ["请输入合法的URL。"]


def test_article_transition_only_for_the_assigned_responsible_editor() -> None:
    issue = make_issues(1)[0]
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_EDIT)
    article = issue.articles.order_by("position").first()
    assert article is not None
    editor = client_for(Role.RESPONSIBLE_EDITOR, username="editor", person="熊灵犀")
    read = f"/api/v1/articles/{article.pk}/"
    url = f"{read}transition/"
    assert editor.post(url, {"name": "start_edit"}, **api_etag(editor, read)).status_code == 403
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT
    Article.objects.filter(pk=article.pk).update(
        responsible_editor=Person.objects.get(name="熊灵犀")
    )
    started = editor.post(url, {"name": "start_edit"}, **api_etag(editor, read))
    assert started.json()["status"] == "in_edit"
    assert editor.post(url, {"name": "explode"}, **api_etag(editor, read)).status_code == 400


def test_preflight_and_rendition_request() -> None:
    issue = make_issues(1)[0]
    client = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    checks = client.get(f"/api/v1/issues/{issue.pk}/preflight/").json()
    assert {c["code"] for c in checks} >= {"notice", "masthead", "not_ready"}
    url = f"/api/v1/issues/{issue.pk}/"
    rendition = client.post(f"{url}renditions/", **api_etag(client, url))
    assert rendition.status_code == 202
    assert rendition.json()["proof"] is True
    assert Rendition.objects.get().status == rendition.json()["status"]


def test_issue_edit_goes_through_the_service_with_its_version() -> None:
    issue = make_issues(1)[0]
    executive = client_for(Role.EXECUTIVE_EDITOR, username="executive", person="杨婷")
    url = f"/api/v1/issues/{issue.pk}/"
    read = api_etag(executive, url)
    first = executive.patch(
        url,
        {"cover_headline": "《数字经济2024年工作要点》"},
        content_type="application/json",
        **read,
    )
    assert first.status_code == 200
    assert (first.json()["cover_headline"], first.json()["lock_version"]) == (
        "《数字经济2024年工作要点》",
        1,
    )
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert (entry.action, entry.note) == ("update", "修改封面要闻")
    stale = executive.patch(
        url, {"cover_headline": "旧版本上的修改"}, content_type="application/json", **read
    )
    assert stale.status_code == 412
    missing = executive.patch(url, {"cover_headline": "无版本"}, content_type="application/json")
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    board = client_for(Role.BOARD_MEMBER, username="board", person="程茹")
    refused = board.patch(
        url, {"cover_headline": "无权"}, content_type="application/json", **api_etag(board, url)
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    published = executive.patch(
        url,
        {"cover_headline": "发布后"},
        content_type="application/json",
        **api_etag(executive, url),
    )
    assert published.status_code == 400 and published.json()["code"] == "not_editable"
    assert Issue.objects.get(pk=issue.pk).cover_headline == "《数字经济2024年工作要点》"


def test_a_published_issue_is_served_from_the_document_made_at_publication(
    client: Client,
) -> None:
    issue = bring_to(small_issue(articles=2), IssueStatus.PUBLISHED)
    url = f"/api/v1/issues/{issue.pk}/"
    missed = client.get(url)  # no document yet: the view answers
    fingerprint = f'"{issue_edition(issue.pk).fingerprint}"'
    assert missed.status_code == 200 and missed["ETag"] == fingerprint
    build = document_build_run(DocumentBuild.objects.get(issue=issue).pk)
    assert build is not None and build.status == DocumentBuildStatus.DONE
    document = PublishedDocument.objects.get(path=url)
    assert (document.kind, document.etag) == ("api-issue", fingerprint)
    assert bytes(document.body) == missed.content
    served = client.get(url)
    assert served.content == missed.content and served["ETag"] == fingerprint
    assert served["Cache-Control"] == "public, max-age=300"
    assert client.get(url, HTTP_IF_NONE_MATCH=fingerprint).status_code == 304
    # A query string goes to the view, which gives the same answer.
    assert client.get(f"{url}?format=source").content == missed.content


def test_a_comment_is_made_on_the_version_of_the_issue_read() -> None:
    issue = make_issues(1)[0]
    article = issue.articles.order_by("position").first()
    assert article is not None
    board = client_for(Role.BOARD_MEMBER, username="board", person="程茹")
    url = f"/api/v1/issues/{issue.pk}/"
    comment = {"issue": issue.pk, "article": article.pk, "body": "第二段数据需核实"}
    missing = board.post("/api/v1/comments/", comment, content_type="application/json")
    assert missing.status_code == 428
    made = board.post(
        "/api/v1/comments/", comment, content_type="application/json", **api_etag(board, url)
    )
    assert made.status_code == 201, made.content
    assert (made.json()["article"], made.json()["author"]) == (article.pk, "board")
    reply = board.post(
        "/api/v1/comments/",
        {"issue": issue.pk, "parent": made.json()["id"], "body": "已核实"},
        content_type="application/json",
        **api_etag(board, url),
    )
    assert reply.status_code == 201 and reply.json()["article"] == article.pk
    assert AuditEntry.objects.filter(action="comment").count() == 2
    anonymous = Client().post("/api/v1/comments/", comment, content_type="application/json")
    assert anonymous.status_code == 401
