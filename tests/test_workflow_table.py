"""The workflow table itself, without a database: states, ways forward, who is offered what."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from editorial.roles import Role
from editorial.services.permissions import may_take
from editorial.workflow import (
    ARTICLE_TRANSITIONS,
    ISSUE_TRANSITIONS,
    ArticleStatus,
    IssueStatus,
    Transition,
    available,
    mermaid,
)

TABLES: dict[str, tuple[dict[str, Transition], type[IssueStatus] | type[ArticleStatus]]] = {
    "issue": (ISSUE_TRANSITIONS, IssueStatus),
    "article": (ARTICLE_TRANSITIONS, ArticleStatus),
}
TERMINAL = {IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED}

RE = Role.RESPONSIBLE_EDITOR
ART = Role.ART_EDITOR
EXE = Role.EXECUTIVE_EDITOR
BOARD = Role.BOARD_MEMBER
EIC = Role.EDITOR_IN_CHIEF
PUB = Role.PUBLISHER

# What each role is offered in each issue state, written out by hand so that a change to the
# table has to be made twice, on purpose. Roles missing from a state's row are offered nothing.
EXPECTED_ISSUE_OFFERS: dict[IssueStatus, dict[Role, list[str]]] = {
    IssueStatus.DRAFT: {EXE: ["start_edit"], PUB: ["start_edit"]},
    IssueStatus.IN_EDIT: {EXE: ["submit"], PUB: ["submit"]},
    IssueStatus.IN_REVIEW: {
        BOARD: ["request_changes", "approve"],
        EIC: ["request_changes", "approve"],
        EXE: ["withdraw"],
        PUB: ["withdraw"],
    },
    IssueStatus.APPROVED: {
        BOARD: ["request_changes"],
        EIC: ["request_changes", "schedule", "publish"],
        EXE: ["withdraw", "schedule", "publish"],
        PUB: ["withdraw", "schedule", "publish"],
    },
    IssueStatus.SCHEDULED: {
        EIC: ["unschedule", "publish"],
        EXE: ["withdraw", "unschedule", "publish"],
        PUB: ["withdraw", "unschedule", "publish"],
    },
    IssueStatus.PUBLISHED: {EIC: ["correct"], EXE: ["correct"], PUB: ["correct"]},
    IssueStatus.SUPERSEDED: {},
}
EXPECTED_ARTICLE_OFFERS: dict[ArticleStatus, list[str]] = {
    ArticleStatus.DRAFT: ["start_edit"],
    ArticleStatus.IN_EDIT: ["mark_ready"],
    ArticleStatus.READY: ["reopen"],
}
ARTICLE_EDITORS = {RE, EXE, PUB}


@pytest.mark.parametrize("kind", TABLES)
def test_every_transition_goes_between_known_states(kind: str) -> None:
    transitions, states = TABLES[kind]
    for name, t in transitions.items():
        assert t.name == name
        assert t.sources, name
        assert t.sources <= set(states.values), name
        assert t.target in states.values, name
        assert t.roles, name
        assert t.assigned_only <= t.roles, name


def test_issue_states_have_a_way_forward_except_published_and_superseded() -> None:
    for state in set(IssueStatus) - TERMINAL:
        # Someone (not only the system) may move the issue to another state.
        offered = available(ISSUE_TRANSITIONS, state, Role)
        assert [t for t in offered if t.target != state], state
    # Superseded is the end; published moves on only when a correction supersedes it.
    assert not [t for t in ISSUE_TRANSITIONS.values() if IssueStatus.SUPERSEDED in t.sources]
    assert {t.name for t in ISSUE_TRANSITIONS.values() if IssueStatus.PUBLISHED in t.sources} == {
        "correct",
        "supersede",
    }


def test_every_issue_state_is_reachable_from_draft() -> None:
    reached = {IssueStatus.DRAFT.value}
    frontier = [IssueStatus.DRAFT.value]
    while frontier:
        state = frontier.pop()
        for t in ISSUE_TRANSITIONS.values():
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(IssueStatus.values)


def test_article_states_each_have_a_way_forward() -> None:
    for state in ArticleStatus:
        assert [t.target for t in available(ARTICLE_TRANSITIONS, state, Role)] != [], state
        assert all(t.target != state for t in available(ARTICLE_TRANSITIONS, state, Role))


@pytest.mark.parametrize("state", list(IssueStatus))
@pytest.mark.parametrize("role", list(Role))
def test_available_issue_transitions_per_role(state: IssueStatus, role: Role) -> None:
    offered = [t.name for t in available(ISSUE_TRANSITIONS, state, [role])]
    assert offered == EXPECTED_ISSUE_OFFERS[state].get(role, [])


@pytest.mark.parametrize("state", list(ArticleStatus))
@pytest.mark.parametrize("role", list(Role))
def test_available_article_transitions_per_role(state: ArticleStatus, role: Role) -> None:
    offered = [t.name for t in available(ARTICLE_TRANSITIONS, state, [role])]
    assert offered == (EXPECTED_ARTICLE_OFFERS[state] if role in ARTICLE_EDITORS else [])


def test_available_examples_from_the_brief() -> None:
    in_review = IssueStatus.IN_REVIEW
    assert [t.name for t in available(ISSUE_TRANSITIONS, in_review, [BOARD])] == [
        "request_changes",
        "approve",
    ]
    assert [t.name for t in available(ISSUE_TRANSITIONS, in_review, [EXE])] == ["withdraw"]
    assert available(ISSUE_TRANSITIONS, in_review, []) == []
    # Several roles: the union, in table order, each transition once.
    assert [t.name for t in available(ISSUE_TRANSITIONS, in_review, [EXE, BOARD, EIC])] == [
        "request_changes",
        "withdraw",
        "approve",
    ]


def test_system_only_transitions_are_never_offered_nor_allowed_to_a_person() -> None:
    system_only = [t for t in ISSUE_TRANSITIONS.values() if t.system_only]
    assert {t.name for t in system_only} == {"reopen_review", "supersede"}
    assert not [t for t in ARTICLE_TRANSITIONS.values() if t.system_only]
    everyone = User(username="everyone", is_active=True, is_superuser=True)
    everyone._editorial_roles = frozenset(Role)  # type: ignore[attr-defined]
    for t in system_only:
        assert not t.allows(Role)
        assert not may_take(everyone, t)
        assert may_take(None, t)  # the system itself
        for state in IssueStatus:
            assert t not in available(ISSUE_TRANSITIONS, state, Role)


def test_comment_required_only_when_sending_back() -> None:
    assert {n for n, t in ISSUE_TRANSITIONS.items() if t.comment_required} == {"request_changes"}


def test_assigned_only_applies_to_responsible_editors_on_articles() -> None:
    for t in ARTICLE_TRANSITIONS.values():
        assert t.assigned_only == {RE}
    for t in ISSUE_TRANSITIONS.values():
        assert t.assigned_only == frozenset()


def test_mermaid_has_one_line_per_source_and_transition() -> None:
    lines = mermaid().split("\n")
    assert lines[0] == "stateDiagram-v2"
    expected = [
        f"    {prefix}_{source} --> {prefix}_{t.target}: {t.name}"
        for prefix, (transitions, _) in TABLES.items()
        for t in transitions.values()
        for source in sorted(t.sources)
    ]
    assert lines[1:] == expected
    assert len(set(lines)) == len(lines) == 1 + 16 + 3
    for line in (
        "    issue_in_review --> issue_approved: approve",
        "    issue_scheduled --> issue_in_edit: withdraw",
        "    issue_approved --> issue_in_review: reopen_review",
        "    issue_published --> issue_superseded: supersede",
        "    article_ready --> article_in_edit: reopen",
    ):
        assert line in lines
    for line in lines[1:]:
        assert re.fullmatch(
            r"    (issue|article)_[a-z_]+ --> (issue|article)_[a-z_]+: [a-z_]+", line
        )


def test_readme_draws_exactly_the_table() -> None:
    """editorial/README.md shows ``mermaid()`` verbatim in a ```mermaid block."""
    readme = (Path(settings.BASE_DIR) / "editorial" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```mermaid\n(.*?)\n```$", readme, flags=re.DOTALL | re.MULTILINE)
    assert blocks == [mermaid()]
