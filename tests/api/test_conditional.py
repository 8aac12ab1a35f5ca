"""ETags on reads and If-Match on writes: 304 for what the client holds, 428 without a version,
412 for another version — and nothing written."""

import pytest
from django.test import Client

from editorial.models import Article
from editorial.roles import Role
from editorial.selectors import issue_live_edition
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def executive() -> Client:
    client = Client()
    client.force_login(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    return client


def test_an_issue_s_etag_is_its_fingerprint_and_moves_with_its_state(executive: Client) -> None:
    issue = small_issue()
    url = f"/api/v1/issues/{issue.pk}/"
    fingerprint = issue_live_edition(issue.pk).fingerprint
    assert executive.get(url)["ETag"] == f'"{fingerprint}-draft"'
    bring_to(issue, IssueStatus.PUBLISHED)
    published = executive.get(url)
    assert published["ETag"] == f'"{fingerprint}"'  # what the board signed, nothing else
    again = executive.get(url, HTTP_IF_NONE_MATCH=published["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_a_list_s_etag_is_its_bytes(executive: Client) -> None:
    small_issue()
    first = executive.get("/api/v1/issues/")
    assert first["ETag"].startswith('"') and len(first["ETag"]) == 34
    assert executive.get("/api/v1/issues/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    small_issue()
    assert executive.get("/api/v1/issues/")["ETag"] != first["ETag"]


def test_a_write_names_the_version_it_was_made_from(executive: Client) -> None:
    article = factories.ArticleFactory.create(title="原标题")
    url = f"/api/v1/articles/{article.pk}/"
    etag = executive.get(url)["ETag"]
    assert etag == '"0-draft"'
    edit = {"data": {"title": "新标题"}, "content_type": "application/json"}

    missing = executive.patch(url, **edit)  # type: ignore[arg-type]
    other = executive.patch(url, HTTP_IF_MATCH='"7-draft"', **edit)  # type: ignore[arg-type]

    assert (missing.status_code, missing.json()["code"]) == (428, "precondition_required")
    assert (other.status_code, other.json()["code"]) == (412, "precondition_failed")
    assert Article.objects.get(pk=article.pk).title == "原标题"
    listed = executive.patch(url, HTTP_IF_MATCH=f'"x", {etag}', **edit)  # type: ignore[arg-type]
    assert listed.status_code == 200 and listed["ETag"] == '"1-draft"'
    anything = executive.patch(url, HTTP_IF_MATCH="*", **edit)  # type: ignore[arg-type]
    assert anything.status_code == 200 and anything.json()["lock_version"] == 2
