"""Every role against every transition service: the allowed ones move the issue or article to
the table's target; the refused ones raise PermissionDenied and change nothing at all.

"Allowed" comes from the table in editorial/issue_transitions.py, so the matrix follows it; a few
hard-coded expectations at the end check the table itself.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from reversion.models import Version

from editorial.models import Approval, Article, AuditEntry, Comment, Issue, Person
from editorial.roles import Role
from editorial.services import approvals, articles, issue_transitions
from editorial.workflow import ARTICLE_TRANSITIONS, ISSUE_TRANSITIONS, ArticleStatus, IssueStatus
from tests import factories
from tests.workflow.states import bring_to, in_hours, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

# Each role, and a staff login holding none.
ACTORS: dict[str, Role | None] = {role.value: role for role in Role} | {"no_role": None}


def actor_for(key: str) -> User:
    role = ACTORS[key]
    return staff(f"actor_{key}", f"人员_{key}", *([role] if role else []))


IssueCall = Callable[[User | None, int], Any]
ISSUE_CALLS: dict[str, IssueCall] = {
    "start_edit": lambda a, pk: issue_transitions.issue_start_edit(actor=a, issue_id=pk),
    "submit": lambda a, pk: issue_transitions.issue_submit(actor=a, issue_id=pk),
    "request_changes": lambda a, pk: issue_transitions.issue_request_changes(
        actor=a, issue_id=pk, comment="第1篇的来源请再核对"
    ),
    "withdraw": lambda a, pk: issue_transitions.issue_withdraw(
        actor=a, issue_id=pk, comment="补一篇稿"
    ),
    "approve": lambda a, pk: approvals.issue_approve(actor=a, issue_id=pk, comment="同意"),
    "schedule": lambda a, pk: issue_transitions.issue_schedule(
        actor=a, issue_id=pk, at=in_hours(3)
    ),
    "unschedule": lambda a, pk: issue_transitions.issue_unschedule(actor=a, issue_id=pk),
    "publish": lambda a, pk: issue_transitions.issue_publish(actor=a, issue_id=pk),
    "correct": lambda a, pk: issue_transitions.issue_correct(
        actor=a, issue_id=pk, reason="第1篇来源有误"
    ),
}
# The audit rows each transition leaves, in order, when they differ from just its name.
NEW_ENTRIES = {"approve": ["approval", "approve"], "correct": ["correct", "create"]}
ISSUE_CASES = [
    pytest.param(name, source, id=f"{name}-from-{source}")
    for name in ISSUE_CALLS
    for source in sorted(ISSUE_TRANSITIONS[name].sources)
]


def test_every_transition_a_person_may_take_has_a_service_in_the_matrix() -> None:
    people = {n for n, t in ISSUE_TRANSITIONS.items() if not t.system_only}
    assert set(ISSUE_CALLS) == people
    assert len(ISSUE_CASES) == 13


@pytest.mark.parametrize("actor_key", ACTORS)
@pytest.mark.parametrize(("name", "source"), ISSUE_CASES)
def test_issue_transition_by_role(name: str, source: str, actor_key: str) -> None:
    transition = ISSUE_TRANSITIONS[name]
    role = ACTORS[actor_key]
    actor = actor_for(actor_key)
    issue = bring_to(small_issue(quorum=1), source)
    before = snapshot(issue.pk)
    live_approvals = Approval.objects.filter(issue=issue, invalidated_at__isnull=True).count()

    if role is None or role not in transition.roles:
        with pytest.raises(PermissionDenied):
            ISSUE_CALLS[name](actor, issue.pk)
        assert snapshot(issue.pk) == before
        return

    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ISSUE_CALLS[name](actor, issue.pk)
    issue.refresh_from_db()
    assert issue.status == transition.target
    new_entries = AuditEntry.objects.filter(pk__gt=last_entry).order_by("pk")
    assert [e.action for e in new_entries] == NEW_ENTRIES.get(name, [name])
    assert {e.actor for e in new_entries} == {actor}
    if name == "correct":
        entry = new_entries.get(action="correct")
        assert (entry.issue, entry.note) == (issue, "第1篇来源有误")
        revision = Issue.objects.get(corrects=issue)
        assert (revision.status, revision.revision) == (IssueStatus.IN_EDIT, 2)
        assert new_entries.get(action="create").issue == revision
        return
    entry = new_entries.get(action=name)
    assert (entry.issue, entry.from_state, entry.to_state) == (issue, source, transition.target)
    if name == "approve":
        approval = Approval.objects.get(issue=issue, approver=actor)
        assert approval.as_editor_in_chief == (role == Role.EDITOR_IN_CHIEF)
        assert approval.is_valid
    if name in ("request_changes", "withdraw"):
        assert live_approvals == (0 if source == IssueStatus.IN_REVIEW else 1)
        assert not Approval.objects.filter(issue=issue, invalidated_at__isnull=True).exists()
        assert issue.scheduled_at is None
    if name == "request_changes":
        assert Comment.objects.get(issue=issue).body == "第1篇的来源请再核对"
    if name == "schedule":
        assert issue.scheduled_at is not None
    if name == "unschedule":
        assert issue.scheduled_at is None
    if name == "publish":
        assert issue.published_at is not None


# Articles: the issue is being edited; responsible editors may act only on their own articles.
ARTICLE_CASES = [
    pytest.param(name, source, id=f"{name}-from-{source}")
    for name, t in ARTICLE_TRANSITIONS.items()
    for source in sorted(t.sources)
]


def article_in_edit_issue(actor: User, *, assigned: bool, status: str) -> Article:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    article = issue.articles.get()
    article.status = status
    article.responsible_editor = (
        Person.objects.get(user=actor)
        if assigned
        else factories.PersonFactory.create(name="别的责任编辑")
    )
    article.save(update_fields=["status", "responsible_editor"])
    return article


@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "not_assigned"])
@pytest.mark.parametrize("actor_key", ACTORS)
@pytest.mark.parametrize(("name", "source"), ARTICLE_CASES)
def test_article_transition_by_role(name: str, source: str, actor_key: str, assigned: bool) -> None:
    transition = ARTICLE_TRANSITIONS[name]
    role = ACTORS[actor_key]
    actor = actor_for(actor_key)
    article = article_in_edit_issue(actor, assigned=assigned, status=source)
    before = snapshot(article.issue_id)
    allowed = role in transition.roles and (assigned or role not in transition.assigned_only)

    if not allowed:
        with pytest.raises(PermissionDenied):
            articles.article_transition(actor=actor, article_id=article.pk, name=name)
        assert snapshot(article.issue_id) == before
        return

    articles.article_transition(actor=actor, article_id=article.pk, name=name)
    article.refresh_from_db()
    assert article.status == transition.target
    entry = AuditEntry.objects.get(article=article, action=name)
    assert (entry.actor, entry.from_state, entry.to_state) == (actor, source, transition.target)
    # A status change is not a content change: no new revision, same version numbers.
    assert Version.objects.count() == before["version_count"]
    assert article.lock_version == before["articles"][0][2]


# Who may change an article's text, or only its layout (position, section, figures).
TEXT_EDITORS = {Role.EXECUTIVE_EDITOR, Role.PUBLISHER}
LAYOUT_EDITORS = TEXT_EDITORS | {Role.ART_EDITOR}


@pytest.mark.parametrize("layout", [False, True], ids=["text", "layout"])
@pytest.mark.parametrize("assigned", [True, False], ids=["assigned", "not_assigned"])
@pytest.mark.parametrize("actor_key", ACTORS)
def test_article_save_by_role(actor_key: str, assigned: bool, layout: bool) -> None:
    role = ACTORS[actor_key]
    actor = actor_for(actor_key)
    article = article_in_edit_issue(actor, assigned=assigned, status=ArticleStatus.IN_EDIT)
    issue_version = Issue.objects.get(pk=article.issue_id).lock_version
    before = snapshot(article.issue_id)
    editing = Article.objects.get(pk=article.pk)
    if layout:
        editing.position += 10
    else:
        editing.body = "<p>改过的正文。</p>"
    anyone = LAYOUT_EDITORS if layout else TEXT_EDITORS
    allowed = role in anyone or (role == Role.RESPONSIBLE_EDITOR and assigned)

    if not allowed:
        with pytest.raises(PermissionDenied):
            articles.article_save(
                actor=actor, article=editing, base_version=editing.lock_version, layout=layout
            )
        assert snapshot(article.issue_id) == before
        return

    articles.article_save(
        actor=actor, article=editing, base_version=editing.lock_version, layout=layout
    )
    stored = Article.objects.get(pk=article.pk)
    assert (stored.body, stored.position) == (
        (article.body, article.position + 10)
        if layout
        else ("<p>改过的正文。</p>", article.position)
    )
    assert stored.lock_version == article.lock_version + 1
    assert Issue.objects.get(pk=article.issue_id).lock_version == issue_version + 1
    entry = AuditEntry.objects.get(article=article, action="update")
    assert (entry.actor, entry.note) == (actor, "修改文章")
    versions = Version.objects.get_for_object(stored)
    assert versions.count() == 1
    assert versions.get().revision.user == actor


@pytest.mark.parametrize("actor_key", ACTORS)
def test_article_delete_by_role(actor_key: str) -> None:
    role = ACTORS[actor_key]
    actor = actor_for(actor_key)
    issue = bring_to(small_issue(articles=2), IssueStatus.IN_EDIT)
    doomed = issue.articles.first()
    assert doomed is not None
    before = snapshot(issue.pk)

    if role not in TEXT_EDITORS:
        with pytest.raises(PermissionDenied):
            articles.article_delete(actor=actor, article_id=doomed.pk)
        assert snapshot(issue.pk) == before
        return

    articles.article_delete(actor=actor, article_id=doomed.pk)
    assert list(issue.articles.values_list("pk", flat=True)) == [before["articles"][1][0]]
    entry = AuditEntry.objects.get(issue=issue, action="delete")
    assert (entry.actor, entry.note) == (actor, f"删除文章《{doomed.title}》")
    assert Issue.objects.get(pk=issue.pk).lock_version == before["issue"][1] + 1


@pytest.mark.parametrize(
    "status", [IssueStatus.SCHEDULED, IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED]
)
def test_article_save_and_transition_refused_once_the_issue_is_out_of_editing(
    status: IssueStatus,
) -> None:
    executive = actor_for(Role.EXECUTIVE_EDITOR.value)
    issue = bring_to(small_issue(), status)
    before = snapshot(issue.pk)
    editing = issue.articles.get()
    editing.body = "<p>晚到的修改。</p>"
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        articles.article_save(actor=executive, article=editing, base_version=editing.lock_version)
    assert refused.value.code == "not_editable"
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        articles.article_transition(actor=executive, article_id=editing.pk, name="reopen")
    assert refused.value.code == "not_editable"
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        articles.article_delete(actor=executive, article_id=editing.pk)
    assert refused.value.code == "not_editable"
    assert snapshot(issue.pk) == before


# The table checked by hand: these are the rules the editors asked for.
HARD_CODED = [
    (Role.BOARD_MEMBER, "publish", IssueStatus.APPROVED, False),
    (Role.BOARD_MEMBER, "schedule", IssueStatus.APPROVED, False),
    (Role.BOARD_MEMBER, "request_changes", IssueStatus.APPROVED, True),
    (Role.RESPONSIBLE_EDITOR, "submit", IssueStatus.IN_EDIT, False),
    (Role.ART_EDITOR, "start_edit", IssueStatus.DRAFT, False),
    (Role.EXECUTIVE_EDITOR, "approve", IssueStatus.IN_REVIEW, False),
    (Role.EXECUTIVE_EDITOR, "submit", IssueStatus.IN_EDIT, True),
    # A publisher is a superuser, yet only reviewers sign off.
    (Role.PUBLISHER, "approve", IssueStatus.IN_REVIEW, False),
    (Role.EDITOR_IN_CHIEF, "withdraw", IssueStatus.IN_REVIEW, False),
    (Role.EDITOR_IN_CHIEF, "publish", IssueStatus.SCHEDULED, True),
    (Role.EDITOR_IN_CHIEF, "correct", IssueStatus.PUBLISHED, True),
    (Role.BOARD_MEMBER, "correct", IssueStatus.PUBLISHED, False),
    (None, "start_edit", IssueStatus.DRAFT, False),
]


@pytest.mark.parametrize(("role", "name", "source", "allowed"), HARD_CODED)
def test_hard_coded_rules(role: Role | None, name: str, source: str, allowed: bool) -> None:
    assert (role in ISSUE_TRANSITIONS[name].roles) is allowed
    actor = actor_for(role.value if role else "no_role")
    issue = bring_to(small_issue(), source)
    before = snapshot(issue.pk)
    if not allowed:
        with pytest.raises(PermissionDenied):
            ISSUE_CALLS[name](actor, issue.pk)
        assert snapshot(issue.pk) == before
    else:
        ISSUE_CALLS[name](actor, issue.pk)
        assert Issue.objects.get(pk=issue.pk).status == ISSUE_TRANSITIONS[name].target


def test_editor_in_chief_approves_alone_whatever_the_quorum() -> None:
    chief = actor_for(Role.EDITOR_IN_CHIEF.value)
    issue = bring_to(small_issue(quorum=3), IssueStatus.IN_REVIEW)
    approval = approvals.issue_approve(actor=chief, issue_id=issue.pk)
    assert approval.as_editor_in_chief is True
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    entry = AuditEntry.objects.get(issue=issue, action="approve")
    assert entry.actor == chief
    assert entry.note.startswith("总编辑批准；内容指纹 ")


def test_one_board_member_is_not_a_quorum_of_two() -> None:
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    board2 = staff("board2", "钟新敏", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    approvals.issue_approve(actor=board1, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert not AuditEntry.objects.filter(issue=issue, action="approve").exists()
    # The same member approving twice is refused and changes nothing.
    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        approvals.issue_approve(actor=board1, issue_id=issue.pk)
    assert refused.value.code == "duplicate"
    assert snapshot(issue.pk) == before
    approvals.issue_approve(actor=board2, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    entry = AuditEntry.objects.get(issue=issue, action="approve")
    assert (entry.actor, entry.note[:8]) == (board2, "2 位编委批准；")


def test_an_inactive_executive_editor_is_refused() -> None:
    executive = actor_for(Role.EXECUTIVE_EDITOR.value)
    executive.is_active = False
    executive.save(update_fields=["is_active"])
    executive = User.objects.get(pk=executive.pk)
    issue = small_issue()
    before = snapshot(issue.pk)
    with pytest.raises(PermissionDenied):
        issue_transitions.issue_start_edit(actor=executive, issue_id=issue.pk)
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize("comment", ["", "   "])
def test_request_changes_needs_a_comment(comment: str) -> None:
    board = actor_for(Role.BOARD_MEMBER.value)
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        issue_transitions.issue_request_changes(actor=board, issue_id=issue.pk, comment=comment)
    assert refused.value.code == "comment_required"
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("submit", IssueStatus.IN_REVIEW),
        ("start_edit", IssueStatus.IN_EDIT),
        ("publish", IssueStatus.IN_REVIEW),
        ("schedule", IssueStatus.SCHEDULED),
        ("unschedule", IssueStatus.APPROVED),
        ("withdraw", IssueStatus.PUBLISHED),
        ("approve", IssueStatus.APPROVED),
        ("correct", IssueStatus.APPROVED),
    ],
)
def test_allowed_role_in_the_wrong_state_is_refused_cleanly(name: str, source: str) -> None:
    role = Role.EDITOR_IN_CHIEF if name == "approve" else Role.PUBLISHER
    actor = actor_for(role.value)
    issue = bring_to(small_issue(), source)
    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        ISSUE_CALLS[name](actor, issue.pk)
    assert refused.value.code == "wrong_state"
    assert snapshot(issue.pk) == before


def test_submit_is_refused_by_blocking_preflight_and_changes_nothing() -> None:
    executive = actor_for(Role.EXECUTIVE_EDITOR.value)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    Article.objects.filter(issue=issue).update(source="")
    title = issue.articles.get().title
    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        issue_transitions.issue_submit(actor=executive, issue_id=issue.pk)
    assert refused.value.messages == [f"《{title}》：缺少来源。"]
    assert snapshot(issue.pk) == before


def test_preflight_refusal_carries_its_code() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    Article.objects.filter(issue=issue).update(source="")
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    assert [e.code for e in refused.value.error_list] == ["preflight"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("body", "<p>美术编辑改了正文。</p>"), ("title", "美术编辑改的标题"), ("source", "别处")],
)
def test_a_layout_save_cannot_change_the_text(field: str, value: str) -> None:
    art = actor_for(Role.ART_EDITOR.value)
    article = article_in_edit_issue(art, assigned=False, status=ArticleStatus.IN_EDIT)
    before = snapshot(article.issue_id)
    editing = Article.objects.get(pk=article.pk)
    editing.position += 1
    setattr(editing, field, value)
    with pytest.raises(PermissionDenied):
        articles.article_save(
            actor=art, article=editing, base_version=editing.lock_version, layout=True
        )
    assert snapshot(article.issue_id) == before
