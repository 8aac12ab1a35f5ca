"""Security headers, read with the test client: the Content-Security-Policy (nonces, no inline
script), Permissions-Policy, Referrer-Policy, no-store on what carries unpublished content, and
nosniff on every file."""

import re

import pytest
from django.test import Client

from editorial.models import Issue
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


@pytest.fixture
def issue() -> Issue:
    return sample_issue()


@pytest.fixture
def editor_client(client: Client) -> Client:
    client.force_login(
        factories.UserFactory.create(username="admin", is_staff=True, is_superuser=True)
    )
    return client


def csp(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_common(response: object) -> None:
    assert response["Permissions-Policy"].startswith("accelerometer=()")  # type: ignore[index]
    assert "camera=()" in response["Permissions-Policy"]  # type: ignore[index]
    assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]


def test_admin_pages_have_a_nonce_policy_and_are_never_stored(
    editor_client: Client, issue: Issue
) -> None:
    response = editor_client.get(f"/admin/editorial/issue/{issue.pk}/change/")
    assert response.status_code == 200
    policy = csp(response)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])
    assert nonce is not None
    assert policy["script-src"] == f"'self' 'nonce-{nonce[1]}'"
    assert policy["style-src"] == f"'self' 'nonce-{nonce[1]}'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"] + policy["style-src"]
    page = response.content.decode()
    # Every inline <script> and <style> carries the nonce; the rest load from our origin.
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
        assert "src=" in tag or f'nonce="{nonce[1]}"' in tag or 'type="application/json"' in tag
    assert "no-store" in response["Cache-Control"]
    assert_common(response)


def test_the_wechat_preview_allows_the_inline_styles_of_the_articles_it_shows(
    editor_client: Client, issue: Issue
) -> None:
    response = editor_client.get(f"/admin/editorial/issue/{issue.pk}/wechat/")
    policy = csp(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert re.fullmatch(r"'self' 'nonce-[^']+'", policy["script-src"])


def test_api_responses_are_never_stored(editor_client: Client, issue: Issue) -> None:
    for url in ("/api/v1/issues/", f"/api/v1/issues/{issue.pk}/"):
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE
        assert "Content-Security-Policy" in response
        assert_common(response)


def test_public_pages_are_public_and_have_the_policy(client: Client, issue: Issue) -> None:
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    for url in ("/archive/", "/archive/dsjfzdt/179/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=300"
        policy = csp(response)
        # Public pages carry no inline script or <style>: they are stored and shared.
        assert policy["style-src"] == "'self'" and policy["script-src"] == "'self'"
        assert_common(response)
    pages = (client.get(f"/archive/dsjfzdt/179/{n}/").content.decode() for n in range(1, 17))
    image = next(filter(None, (re.search(r'<img src="([^"]+)"', page) for page in pages)), None)
    assert image is not None
    response = client.get(image[1])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert_common(response)


def test_the_admin_login_page_is_never_stored(client: Client) -> None:
    response = client.get("/admin/login/")
    assert "no-store" in response["Cache-Control"]
    assert_common(response)
