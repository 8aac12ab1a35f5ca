"""The header's unread count: a logged-in user's unread notifications; nothing for anyone else."""

import pytest
from django.contrib.auth.models import AnonymousUser

from editorial.models import Notification
from editorial.roles import Role
from editorial.templatetags.inbox import unread_notifications
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_the_count_is_the_users_unread_notifications() -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    bring_to(small_issue(), IssueStatus.IN_REVIEW)
    bring_to(small_issue(), IssueStatus.IN_REVIEW)
    assert unread_notifications(board) == 2

    Notification.objects.filter(recipient=board).update(read_at="2024-04-22T08:00:00Z")

    assert unread_notifications(board) == 0
    assert unread_notifications(AnonymousUser()) == 0
