"""Editing an issue (issue_update): lock, state, freshness, revision, audit, approvals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from editorial.models import AuditEntry, Issue
from editorial.models.issues import PersonRole
from editorial.roles import Role
from editorial.services.articles import StaleEdit
from editorial.services.issue_edits import Masthead, MastheadRow, issue_update
from editorial.services.issue_transitions import TransitionRefused
from editorial.services.revisions import issue_revision_restore, issue_versions, version_masthead
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def fresh(issue: Issue) -> Issue:
    return Issue.objects.get(pk=issue.pk)


def test_an_edit_leaves_a_revision_an_audit_row_and_a_new_version() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)

    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "《数字经济2024年工作要点》", "number": issue.number},
    )

    edited = fresh(issue)
    assert edited.cover_headline == "《数字经济2024年工作要点》"
    assert edited.lock_version == issue.lock_version + 1
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert (entry.action, entry.actor, entry.note) == ("update", executive, "修改封面要闻")
    [version] = issue_versions(issue)
    assert (version.revision.user, version.revision.comment) == (executive, "修改封面要闻")
    assert version.field_dict["cover_headline"] == "《数字经济2024年工作要点》"
    assert version.field_dict["lock_version"] == edited.lock_version


def test_an_edit_that_changes_nothing_writes_nothing() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    before = snapshot(issue.pk)

    issue_update(
        actor=None,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": issue.cover_headline},
        masthead=Masthead.of(issue),
    )

    assert snapshot(issue.pk) == before


def test_replacing_the_masthead_sends_an_approved_issue_back_to_the_board() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    deputy = factories.PersonFactory.create(name="程茹")
    current = Masthead.of(issue)
    masthead = Masthead(
        organisations=current.organisations,
        members=(*current.members, MastheadRow(PersonRole.DEPUTY_EDITOR, deputy.pk, 2)),
    )

    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={},
        masthead=masthead,
    )

    edited = fresh(issue)
    assert edited.status == IssueStatus.IN_REVIEW
    assert Masthead.of(edited) == masthead
    assert not edited.approvals.filter(invalidated_at__isnull=True).exists()
    assert edited.approvals.get().invalidated_reason == "内容变更：修改报头人员"
    assert AuditEntry.objects.filter(issue=issue).latest("pk").note == "修改报头人员"
    [version] = issue_versions(issue)
    assert version_masthead(version) == masthead


def test_a_stale_base_version_is_refused_and_changes_nothing() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "先到的修改"},
    )
    before = snapshot(issue.pk)

    with pytest.raises(StaleEdit) as stale:
        issue_update(
            actor=executive,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={"cover_headline": "晚到的修改"},
        )

    assert stale.value.code == "stale"
    assert stale.value.messages[0].startswith("保存被拒绝：本期已被 杨婷 于 ")
    assert snapshot(issue.pk) == before
    assert fresh(issue).cover_headline == "先到的修改"


@pytest.mark.parametrize("status", [IssueStatus.SCHEDULED, IssueStatus.PUBLISHED])
def test_an_issue_past_editing_is_refused_and_changes_nothing(status: str) -> None:
    issue = bring_to(small_issue(), status)
    before = snapshot(issue.pk)

    with pytest.raises(TransitionRefused) as refused:
        issue_update(
            actor=None,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={"cover_headline": "发布后的修改"},
        )

    assert refused.value.code == "not_editable"
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.EDITOR_IN_CHIEF, Role.RESPONSIBLE_EDITOR, Role.ART_EDITOR]
)
def test_roles_without_change_issue_are_refused(role: Role) -> None:
    user = staff("someone", "某人", role)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    before = snapshot(issue.pk)

    with pytest.raises(PermissionDenied):
        issue_update(
            actor=user,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={"cover_headline": "无权的修改"},
        )
    with pytest.raises(PermissionDenied):
        issue_revision_restore(actor=user, issue_id=issue.pk, version_id=0)

    assert snapshot(issue.pk) == before


def test_a_duplicate_masthead_row_is_refused_and_nothing_is_half_done() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    chief = Masthead.of(issue).members[0]
    before = snapshot(issue.pk), Masthead.of(issue)

    with pytest.raises(ValidationError):
        issue_update(
            actor=None,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={"cover_headline": "连同报头一起改"},
            masthead=Masthead(organisations=(), members=(chief, chief._replace(position=2))),
        )

    assert (snapshot(issue.pk), Masthead.of(issue)) == before
