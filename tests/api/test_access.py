"""Who reads what: anyone the published issues and their articles and figures; staff the rest;
anonymous readers rate-limited in the shared cache."""

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings
from rest_framework.authtoken.models import Token

from editorial.models import Issue
from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_anonymous_readers_see_published_content_only() -> None:
    published = bring_to(small_issue(), IssueStatus.PUBLISHED)
    draft = factories.FigureFactory.create().article
    reader = Client()
    issues = reader.get("/api/v1/issues/").json()["results"]
    articles = reader.get("/api/v1/articles/").json()["results"]
    figures = reader.get("/api/v1/figures/").json()["results"]
    assert [i["id"] for i in issues] == [published.pk]
    assert {a["issue"] for a in articles} == {published.pk}
    assert draft.pk not in {f["article"] for f in figures}
    assert reader.get(f"/api/v1/articles/{draft.pk}/").status_code == 404
    for staff_only in ("people", "organisations", "notices", "comments", "renditions"):
        assert reader.get(f"/api/v1/{staff_only}/").status_code == 401, staff_only
    # A login without an editorial role reads as anyone does.
    outsider = Client()
    outsider.force_login(factories.UserFactory.create())
    assert outsider.get(f"/api/v1/issues/{draft.issue_id}/").status_code == 404
    assert outsider.get("/api/v1/comments/").status_code == 403
    assert outsider.get(f"/api/v1/issues/{published.pk}/preflight/").status_code == 403


def test_a_token_logs_in_as_its_owner() -> None:
    draft = small_issue()
    user = staff("board", "程茹", Role.BOARD_MEMBER)
    token = Token.objects.create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/issues/{draft.pk}/").status_code == 200
    bad = Client(HTTP_AUTHORIZATION="Token 0000").get("/api/v1/issues/")
    assert bad.status_code == 401 and bad.json()["code"] == "authentication_failed"


def test_anonymous_readers_are_rate_limited(settings: Settings) -> None:
    settings.DIGEST_API_ANON_RATE = "3/min"
    cache.clear()
    reader = Client(REMOTE_ADDR="192.0.2.7")
    assert [reader.get("/api/v1/publications/").status_code for _ in range(3)] == [200] * 3
    limited = reader.get("/api/v1/publications/")
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    # Another address, and a logged-in editor, are not held back.
    assert Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/publications/").status_code == 200
    editor = Client(REMOTE_ADDR="192.0.2.7")
    editor.force_login(staff("board", "程茹", Role.BOARD_MEMBER))
    assert editor.get("/api/v1/publications/").status_code == 200
    assert Issue.objects.count() == 0
