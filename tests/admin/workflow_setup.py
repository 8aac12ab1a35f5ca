"""Issues in any workflow state and people in every role, for the admin's workflow tests.

The states are reached through the services as the system (``actor=None``); only approvals need
a person, the editor-in-chief ``setup_chief``. ``snapshot`` is everything a refused action must
leave as it was.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests.admin.forms import form_data
from tests.workflow_helpers import staff

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

S = IssueStatus

# Every role, and a staff login holding none.
ACTORS: dict[str, Role | None] = {role.value: role for role in Role} | {"no_role": None}


def actor(key: str) -> User:
    """A staff login holding the role ``key`` (a Role value, or "no_role")."""
    role = ACTORS[key]
    return staff(f"actor_{key}", f"人员_{key}", *([role] if role else []))


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: "_MonkeyPatchedWSGIResponse") -> list[str]:
    """The messages the response's request left for the next page, as text."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_confirmed(
    client: Client, url: str, data: dict[str, Any] | None = None
) -> "_MonkeyPatchedWSGIResponse":
    """Post as a person does: when the admin answers with its confirmation page, press 确认.

    Fails when no confirmation was asked, so a test of a confirmed action notices if the
    confirmation step disappears.
    """
    asked = client.post(url, data or {})
    page = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirmation"' in page, "no confirmation was asked"
    return client.post(url, form_data(page, "confirm"))
