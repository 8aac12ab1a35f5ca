"""The admin offers a form for exactly the actions the service layer can take by name."""

from editorial.admin.issue_workflow import ISSUE_STEPS
from editorial.services.issue_actions import ISSUE_ACTIONS
from editorial.workflow import ISSUE_TRANSITIONS


def test_every_action_has_an_admin_step_and_no_more() -> None:
    assert set(ISSUE_STEPS) == set(ISSUE_ACTIONS)
    offered = {name for name, t in ISSUE_TRANSITIONS.items() if not t.system_only}
    assert set(ISSUE_ACTIONS) == offered
