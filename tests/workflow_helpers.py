"""People with editorial roles and the sample issue, for workflow tests."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from editorial.models import Issue
from editorial.roles import Role
from editorial.services.accounts import account_provision
from editorial.services.bundles import issue_import

SAMPLE = Path(settings.BASE_DIR) / "samples" / "digest-2024-16"


def staff(username: str, person: str, *roles: Role) -> User:
    user = account_provision(
        actor=None,
        username=username,
        password="pass-word-123",
        person_name=person,
        roles=list(roles),
    )
    user.email = f"{username}@example.org"
    user.save(update_fields=["email"])
    return User.objects.get(pk=user.pk)


def sample_issue() -> Issue:
    return issue_import(actor=None, source=SAMPLE)


def api_etag(client: Client, url: str) -> dict[str, Any]:
    """The If-Match header of a write to the API resource at ``url``, from a read of it (one
    that matches nothing when the client may not read it)."""
    return {"HTTP_IF_MATCH": client.get(url).get("ETag", '"unreadable"')}
