"""Role × transition through the API: the same cases as the admin's matrix, a fourth entry point.

Allowed roles move the issue or article to the table's target; every other actor gets a 403
and nothing changes at all (the same snapshot the admin's matrix uses).
"""

import datetime

import pytest
from django.utils import timezone

from editorial.models import Issue
from editorial.services.policies import may_read_unpublished
from editorial.workflow import ARTICLE_TRANSITIONS, ISSUE_PUBLIC
from tests.admin.test_entry_points import (
    ARTICLE_ACTORS,
    ARTICLE_SOURCES,
    INPUT,
    ISSUE_CASES,
    article_in,
    assert_article_moved,
    assert_issue_moved,
    issue_in,
    may,
)
from tests.admin.workflow_setup import ACTORS, actor, logged_in
from tests.workflow.states import snapshot
from tests.workflow_helpers import api_etag

pytestmark = pytest.mark.django_db


def payload(name: str) -> dict[str, str]:
    """The JSON a client sends: the form's input, a time for schedule."""
    data = {key: values[0] for key, values in INPUT.get(name, {}).items()}
    if name == "schedule":
        data["at"] = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    return data


@pytest.mark.parametrize("key", ACTORS)
@pytest.mark.parametrize(("name", "source"), ISSUE_CASES)
def test_issue_transition_through_the_api(name: str, source: str, key: str) -> None:
    issue = issue_in(source)
    client = logged_in(actor(key))
    url = f"/api/v1/issues/{issue.pk}/"
    if_match = api_etag(client, url)
    before, issues = snapshot(issue.pk), Issue.objects.count()

    response = client.post(
        f"{url}actions/{name}/", payload(name), content_type="application/json", **if_match
    )

    if not may(name, key):
        # Who may not read an unpublished issue does not learn it exists.
        hidden = issue.status not in ISSUE_PUBLIC and not may_read_unpublished(actor(key))
        assert response.status_code == (404 if hidden else 403), response.content
        assert snapshot(issue.pk) == before
        return
    assert response.status_code == (201 if name == "correct" else 200), response.content
    assert_issue_moved(issue, name, issues)


@pytest.mark.parametrize("key", ARTICLE_ACTORS)
@pytest.mark.parametrize("name", ARTICLE_SOURCES)
def test_article_transition_through_the_api(name: str, key: str) -> None:
    article, user = article_in(ARTICLE_SOURCES[name], key)
    client = logged_in(user)
    before = snapshot(article.issue_id)

    url = f"/api/v1/articles/{article.pk}/"
    response = client.post(
        f"{url}transition/",
        {"name": name},
        content_type="application/json",
        **api_etag(client, url),
    )

    if not may(name, key, ARTICLE_TRANSITIONS):
        hidden = not may_read_unpublished(user)
        assert response.status_code == (404 if hidden else 403), response.content
        assert snapshot(article.issue_id) == before
        return
    assert response.status_code == 200, response.content
    assert_article_moved(article, name)
