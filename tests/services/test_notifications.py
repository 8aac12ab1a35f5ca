"""Notification rows: one per recipient with an address, recorded with the event, never twice;
delivery itself (SMTP, the worker, retries) is tested in tests/tasks/test_notifications.py."""

import pytest
from django.test import TestCase

from editorial.models import AuditEntry, Notification
from editorial.roles import Role
from editorial.services import issue_transitions
from editorial.services.notifications import notify_event, recipients_for
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_submission_is_recorded_for_every_reviewer_with_an_address() -> None:
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    board2 = staff("board2", "李丽", Role.BOARD_MEMBER)
    board2.email = ""
    board2.save(update_fields=["email"])
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)

    with TestCase.captureOnCommitCallbacks(execute=False):
        issue_transitions.issue_submit(actor=None, issue_id=issue.pk)

    recipients = set(
        Notification.objects.filter(event="submit").values_list("recipient", flat=True)
    )
    assert board1.pk in recipients and board2.pk not in recipients
    assert board2 not in recipients_for("submit", issue)


def test_the_same_event_is_never_recorded_twice() -> None:
    staff("board1", "程茹", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    entry = AuditEntry.objects.get(issue=issue, action="submit")
    count = Notification.objects.count()

    assert notify_event(entry=entry, issue=issue) == []
    assert Notification.objects.count() == count
