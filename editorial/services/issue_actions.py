"""Every issue action by name, for the interfaces (admin buttons, API) that take the name as
input: one table, so no interface can reach a service another cannot, or skip a check."""

import datetime
from collections.abc import Callable
from typing import Any

from editorial.models import Approval, Issue

from .approvals import issue_approve
from .issue_transitions import (
    TransitionRefused,
    issue_correct,
    issue_publish,
    issue_request_changes,
    issue_schedule,
    issue_start_edit,
    issue_submit,
    issue_unschedule,
    issue_withdraw,
)
from .permissions import Actor

IssueAction = Callable[..., Issue | Approval]

ISSUE_ACTIONS: dict[str, IssueAction] = {
    "start_edit": lambda actor, pk, **_: issue_start_edit(actor=actor, issue_id=pk),
    "submit": lambda actor, pk, **_: issue_submit(actor=actor, issue_id=pk),
    "request_changes": lambda actor, pk, comment="", **_: issue_request_changes(
        actor=actor, issue_id=pk, comment=comment
    ),
    "withdraw": lambda actor, pk, comment="", **_: issue_withdraw(
        actor=actor, issue_id=pk, comment=comment
    ),
    "approve": lambda actor, pk, comment="", **_: issue_approve(
        actor=actor, issue_id=pk, comment=comment
    ),
    "schedule": lambda actor, pk, at=None, **_: issue_schedule(
        actor=actor, issue_id=pk, at=_required_time(at)
    ),
    "unschedule": lambda actor, pk, **_: issue_unschedule(actor=actor, issue_id=pk),
    "publish": lambda actor, pk, **_: issue_publish(actor=actor, issue_id=pk),
    "correct": lambda actor, pk, reason="", **_: issue_correct(
        actor=actor, issue_id=pk, reason=reason
    ),
}


def issue_take(*, actor: Actor, issue_id: int, name: str, **data: Any) -> Issue | Approval:
    """Take the action ``name`` on the issue; ``data`` carries comment, at or reason."""
    try:
        action = ISSUE_ACTIONS[name]
    except KeyError:
        raise TransitionRefused(f"没有这个操作：{name}", code="unknown") from None
    return action(actor, issue_id, **data)


def _required_time(at: datetime.datetime | None) -> datetime.datetime:
    if at is None:
        raise TransitionRefused("请填写发布时间。", code="time_required")
    return at
