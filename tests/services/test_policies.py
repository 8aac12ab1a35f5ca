"""The decisions of services/policies.py agree with the services that refuse with them, the
admin shows exactly what they allow, and the quorum is counted by one function.

"Allowed" means the service does not refuse on the grounds the decision covers (who, state,
a second approval, an existing correction); "refused" means it raises what the decision says
and changes nothing.
"""

import datetime
import inspect
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from editorial.admin.issue_workflow import ISSUE_STEPS
from editorial.api.serializers import IssueActionSerializer
from editorial.models import Approval, Issue, Publication, WechatPush, WechatPushStatus
from editorial.roles import Role
from editorial.services.approvals import issue_approve, sign_off_state
from editorial.services.issue_actions import ISSUE_ACTIONS, issue_take
from editorial.services.issue_transitions import TransitionRefused
from editorial.services.policies import (
    FORBIDDEN,
    IN_PROGRESS,
    Decision,
    issue_action_check,
    wechat_publish_check,
    wechat_push_check,
)
from editorial.services.wechat import wechat_publish_request, wechat_push_request
from editorial.workflow import ISSUE_TRANSITIONS, IssueStatus
from tests.admin.workflow_setup import ACTORS, actor, logged_in
from tests.services.test_permissions import ISSUE_CALLS
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import api_etag, staff

# Codes of the refusals the issue decision covers; others (pre-flight, input) are the service's.
DECIDED = {FORBIDDEN, "wrong_state", "anonymous", "duplicate", "correction_exists"}


def assert_service_agrees(decision: Decision, call: Callable[[], object], issue_id: int) -> None:
    """Run ``call`` in a savepoint rolled back afterwards, and hold it to ``decision``."""
    before = snapshot(issue_id)
    sid = transaction.savepoint()
    try:
        if decision.allowed:
            try:
                call()
            except PermissionDenied:
                pytest.fail("allowed, yet refused the person")
            except ValidationError as exc:
                assert not {e.code for e in exc.error_list} & DECIDED, exc.messages
            return
        expected = PermissionDenied if decision.code == FORBIDDEN else ValidationError
        with pytest.raises(expected) as refused:
            call()
        assert str(decision.reason) in str(refused.value)
        if isinstance(refused.value, ValidationError):
            assert refused.value.code == decision.code
        assert snapshot(issue_id) == before
    finally:
        transaction.savepoint_rollback(sid)


# Role sets live in the table --------------------------------------------------------------

ROLE_SET = re.compile(r"[\[{(]\s*Role\.\w+\s*[,}]|frozenset\(\s*\{?\s*Role\.")


def test_role_sets_are_written_only_in_the_workflow_table() -> None:
    root = Path(settings.BASE_DIR)
    allowed = {root / "editorial" / "workflow.py", root / "editorial" / "roles.py"}
    # The demo's people and the roles they hold are data, not a rule.
    allowed.add(root / "editorial" / "management" / "commands" / "setup_demo.py")
    offenders = [
        str(path.relative_to(root))
        for path in sorted((root / "editorial").rglob("*.py"))
        if path not in allowed and ROLE_SET.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    templates = [
        str(path.relative_to(root))
        for path in sorted((root / "templates").rglob("*.html"))
        if "Role." in path.read_text(encoding="utf-8")
    ]
    assert templates == []


# Issue transitions: the decision and the service, every role in every state ----------------

PERSON_TRANSITIONS = [n for n, t in ISSUE_TRANSITIONS.items() if not t.system_only]
STATE_CASES = [
    pytest.param(name, state, id=f"{name}-in-{state}")
    for name in PERSON_TRANSITIONS
    for state in IssueStatus.values
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), STATE_CASES)
def test_issue_decision_agrees_with_the_service(name: str, state: str) -> None:
    issue = bring_to(small_issue(quorum=1), state)
    corrected = Issue.objects.filter(corrects=issue).exists()
    approvals = list(issue.approvals.all())
    for key in ACTORS:
        user = actor(key)
        decision = issue_action_check(user, issue, name, approvals=approvals, corrected=corrected)
        role = ACTORS[key]
        assert decision.allowed == (
            role in ISSUE_TRANSITIONS[name].roles and state in ISSUE_TRANSITIONS[name].sources
        ), key
        assert_service_agrees(decision, partial(ISSUE_CALLS[name], user, issue.pk), issue.pk)


@pytest.mark.django_db
def test_a_second_approval_of_the_same_content_is_refused_by_both() -> None:
    board = staff("board", "程茹", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    issue_approve(actor=board, issue_id=issue.pk)

    decision = issue_action_check(board, issue, "approve", approvals=issue.approvals.all())

    assert (decision.allowed, decision.code) == (False, "duplicate")
    assert decision.reason == "您已批准过本期的当前内容。"
    assert_service_agrees(decision, lambda: issue_approve(actor=board, issue_id=issue.pk), issue.pk)


@pytest.mark.django_db
def test_a_second_correction_is_refused_by_both() -> None:
    publisher = actor("publisher")
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    ISSUE_CALLS["correct"](publisher, issue.pk)

    decision = issue_action_check(publisher, issue, "correct", corrected=True)

    assert (decision.allowed, decision.code) == (False, "correction_exists")
    assert_service_agrees(decision, lambda: ISSUE_CALLS["correct"](publisher, issue.pk), issue.pk)


def test_who_is_decided_before_the_state() -> None:
    board = staff_free(Role.BOARD_MEMBER)
    published = Issue(status=IssueStatus.PUBLISHED)

    decision = issue_action_check(board, published, "publish")

    assert decision.code == FORBIDDEN
    assert "已发布" not in decision.reason  # a refused person learns nothing about the issue


def staff_free(*roles: Role) -> User:
    """A user with ``roles`` without a database, as actor_roles caches them."""
    user = User(username="someone", is_active=True)
    user._editorial_roles = frozenset(roles)  # type: ignore[attr-defined]
    return user


# The admin shows exactly the buttons the decision allows -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", IssueStatus.values)
def test_the_admin_offers_exactly_the_allowed_buttons(state: str) -> None:
    issue = bring_to(small_issue(), state)
    approvals = list(issue.approvals.all())
    corrected = Issue.objects.filter(corrects=issue).exists()
    url = reverse("admin:editorial_issue_change", args=[issue.pk])
    for key in ACTORS:
        user = actor(key)
        page = logged_in(user).get(url)
        html = page.content.decode() if page.status_code == 200 else ""
        shown = re.findall(r'id="transition-([a-z_]+)"', html)
        allowed = [
            name
            for name in ISSUE_STEPS
            if issue_action_check(
                user, issue, name, approvals=approvals, corrected=corrected
            ).allowed
        ]
        # The panel orders them (the action that moves the issue on first); the set is the rule.
        assert sorted(shown) == sorted(allowed), key


@pytest.mark.django_db
def test_the_api_lists_the_allowed_actions() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    for key, expected in {
        "executive_editor": ["withdraw", "schedule", "publish"],
        "board_member": ["request_changes"],
        "art_editor": [],
    }.items():
        body = logged_in(actor(key)).get(f"/api/v1/issues/{issue.pk}/actions/").json()
        assert body["actions"] == expected, key


# WeChat: the push and publish decisions and their services ---------------------------------

P = WechatPushStatus
PUSH_ROWS: dict[str, dict[str, object] | None] = {
    "none": None,
    "drafted": {"status": P.DRAFTED, "draft_media_ids": ["D1"]},
    "pending": {"status": P.PENDING},
    "failed": {"status": P.FAILED, "draft_media_ids": ["D1"], "error": "45166"},
    "publish_failed": {"status": P.FAILED, "draft_media_ids": ["D1"], "publish_ids": [""]},
    "publishing": {"status": P.PUBLISHING, "draft_media_ids": ["D1"], "publish_ids": ["1"]},
    "published": {"status": P.PUBLISHED, "draft_media_ids": ["D1"], "publish_ids": ["1"]},
}
WECHAT_STATES = [IssueStatus.IN_REVIEW, IssueStatus.APPROVED, IssueStatus.PUBLISHED]
PUSHERS = {Role.EXECUTIVE_EDITOR, Role.EDITOR_IN_CHIEF, Role.PUBLISHER}  # by hand, on purpose


@pytest.mark.django_db
@pytest.mark.parametrize("enabled", [True, False], ids=["enabled", "disabled"])
@pytest.mark.parametrize("row", PUSH_ROWS)
@pytest.mark.parametrize("state", WECHAT_STATES)
def test_wechat_decisions_agree_with_the_services(state: str, row: str, enabled: bool) -> None:
    issue = small_issue()
    Issue.objects.filter(pk=issue.pk).update(status=state)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=enabled)
    fields = PUSH_ROWS[row]
    push = WechatPush.objects.create(issue=issue, **fields) if fields is not None else None
    issue = Issue.objects.select_related("publication").get(pk=issue.pk)
    for key in [*ACTORS, "system"]:
        user = None if key == "system" else actor(key)
        if push is not None:
            push.refresh_from_db()
        pushing = wechat_push_check(user, issue, push)
        assert (pushing.code == FORBIDDEN) == (key != "system" and ACTORS[key] not in PUSHERS)
        assert_wechat_agrees(
            pushing, partial(wechat_push_request, actor=user, issue_id=issue.pk, enqueue=False)
        )
        if push is not None:
            publishing = wechat_publish_check(user, issue, push)
            assert_wechat_agrees(
                publishing,
                partial(wechat_publish_request, actor=user, push_id=push.pk, enqueue=False),
            )


def push_rows() -> list[tuple[object, ...]]:
    return list(WechatPush.objects.values_list("pk", "status", "publish_ids", "updated_at"))


def assert_wechat_agrees(decision: Decision, call: Callable[[], WechatPush]) -> None:
    """Run ``call`` in a savepoint rolled back afterwards, and hold it to ``decision``."""
    before = push_rows()
    sid = transaction.savepoint()
    try:
        if decision.code == IN_PROGRESS:  # the push is returned as it is
            call()
            assert push_rows() == before
        elif decision.allowed:
            assert WechatPush.objects.get(pk=call().pk).status == P.PENDING
        else:
            expected = PermissionDenied if decision.code == FORBIDDEN else ValidationError
            with pytest.raises(expected) as refused:
                call()
            assert decision.reason in str(refused.value)
            if isinstance(refused.value, ValidationError):
                assert refused.value.code == decision.code
            assert push_rows() == before
    finally:
        transaction.savepoint_rollback(sid)


# The quorum, counted once ------------------------------------------------------------------


def issue_with_quorum(quorum: int) -> Issue:
    return Issue(publication=Publication(approval_quorum=quorum))


def approval(*, chief: bool = False, invalidated: bool = False) -> Approval:
    when = timezone.now() - datetime.timedelta(minutes=1) if invalidated else None
    return Approval(as_editor_in_chief=chief, invalidated_at=when)


def test_the_editor_in_chief_alone_completes_the_sign_off() -> None:
    state = sign_off_state(issue_with_quorum(3), [approval(chief=True)])
    assert (state.board_count, state.by_chief, state.quorum, state.complete) == (0, True, 3, True)


@pytest.mark.parametrize(
    ("quorum", "board", "complete"), [(2, 1, False), (2, 2, True), (3, 2, False), (3, 3, True)]
)
def test_a_board_quorum_completes_the_sign_off(quorum: int, board: int, complete: bool) -> None:
    state = sign_off_state(issue_with_quorum(quorum), [approval() for _ in range(board)])
    assert (state.board_count, state.by_chief, state.complete) == (board, False, complete)


def test_invalidated_approvals_do_not_count() -> None:
    approvals = [approval(), approval(invalidated=True), approval(chief=True, invalidated=True)]
    state = sign_off_state(issue_with_quorum(2), approvals)
    assert (state.board_count, state.by_chief, state.complete) == (1, False, False)


# The action table: exact parameters --------------------------------------------------------


def test_each_action_takes_exactly_what_its_form_sends_and_its_service_accepts() -> None:
    serializer_fields = set(IssueActionSerializer().fields)
    for name, action in ISSUE_ACTIONS.items():
        form = ISSUE_STEPS[name].form
        assert set(action.defaults) == (set(form.base_fields) if form else set()), name
        assert set(action.defaults) <= serializer_fields, name
        service = set(inspect.signature(action.service).parameters) - {"actor", "issue_id"}
        assert set(action.defaults) == service, name
    taken = {p for action in ISSUE_ACTIONS.values() for p in action.defaults}
    assert taken == serializer_fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [("publish", {"comment": "顺便说一句"}), ("request_changes", {"coment": "拼错了"})],
)
def test_an_unknown_parameter_is_refused_and_changes_nothing(
    name: str, data: dict[str, str]
) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    before = snapshot(issue.pk)
    with pytest.raises(TransitionRefused) as refused:
        issue_take(actor=None, issue_id=issue.pk, name=name, data=data)
    assert refused.value.code == "unknown_field"
    assert snapshot(issue.pk) == before


@pytest.mark.django_db
def test_the_api_refuses_a_field_it_does_not_know() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    before = snapshot(issue.pk)
    client = logged_in(actor("publisher"))
    url = f"/api/v1/issues/{issue.pk}/"
    response = client.post(
        f"{url}actions/publish/",
        {"note": "?"},
        content_type="application/json",
        **api_etag(client, url),
    )
    assert response.status_code == 400, response.content
    assert snapshot(issue.pk) == before
