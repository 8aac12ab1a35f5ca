"""Every issue action by name, for the interfaces (admin buttons, API) that take the name as
input: one table, so no interface can reach a service another cannot, or skip a check.

Each entry names the input its service takes; anything else is refused, not dropped, so a
mistyped field cannot silently turn into an empty comment or a missing time.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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


def _schedule(*, actor: Actor, issue_id: int, at: datetime.datetime | None) -> Issue:
    if at is None:
        raise TransitionRefused("请填写发布时间。", code="time_required")
    return issue_schedule(actor=actor, issue_id=issue_id, at=at)


@dataclass(frozen=True)
class IssueAction:
    """One action: its service, and the input it takes with the value of each when absent."""

    service: Callable[..., Issue | Approval]
    defaults: Mapping[str, object] = field(default_factory=dict)

    def __call__(
        self, *, actor: Actor, issue_id: int, data: Mapping[str, object]
    ) -> Issue | Approval:
        unknown = sorted(set(data) - set(self.defaults))
        if unknown:
            raise TransitionRefused(
                f"这个操作不接受以下输入：{'、'.join(unknown)}", code="unknown_field"
            )
        return self.service(actor=actor, issue_id=issue_id, **{**self.defaults, **data})


_COMMENT = {"comment": ""}
ISSUE_ACTIONS: dict[str, IssueAction] = {
    "start_edit": IssueAction(issue_start_edit),
    "submit": IssueAction(issue_submit),
    "request_changes": IssueAction(issue_request_changes, _COMMENT),
    "withdraw": IssueAction(issue_withdraw, _COMMENT),
    "approve": IssueAction(issue_approve, _COMMENT),
    "schedule": IssueAction(_schedule, {"at": None}),
    "unschedule": IssueAction(issue_unschedule),
    "publish": IssueAction(issue_publish),
    "correct": IssueAction(issue_correct, {"reason": ""}),
}


def issue_take(
    *, actor: Actor, issue_id: int, name: str, data: Mapping[str, object] | None = None
) -> Issue | Approval:
    """Take the action ``name`` on the issue with ``data``, exactly the input it takes."""
    try:
        action = ISSUE_ACTIONS[name]
    except KeyError:
        raise TransitionRefused(f"没有这个操作：{name}", code="unknown") from None
    return action(actor=actor, issue_id=issue_id, data=data or {})
