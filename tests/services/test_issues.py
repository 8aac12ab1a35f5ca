"""Creating an issue (proposed numbers, the previous masthead copied, the latest notice pinned)
and editing it (lock, state, freshness, revision, audit, approvals), restoring a revision.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from editorial.models import AuditEntry, Issue, MastheadMember, Publication
from editorial.models.issues import PersonRole
from editorial.roles import Role
from editorial.services import approvals, issue_transitions
from editorial.services.articles import StaleEdit
from editorial.services.issue_edits import Masthead, MastheadRow, issue_update
from editorial.services.issue_transitions import TransitionRefused
from editorial.services.issues import issue_create
from editorial.services.notices import notice_revise
from editorial.services.revisions import issue_revision_restore, issue_versions, version_masthead
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, chief, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_new_issue_gets_proposed_numbers_latest_notice_and_own_masthead_copy(
    publication: Publication,
) -> None:
    previous = factories.IssueFactory.create(
        publication=publication, date=datetime.date(2024, 12, 30), number=52, total_number=215
    )
    chief = factories.PersonFactory.create(name="宋希贤")
    MastheadMember.objects.create(issue=previous, role=PersonRole.EDITOR_IN_CHIEF, person=chief)
    factories.CopyrightNoticeFactory.create(publication=publication, version=1)
    latest = factories.CopyrightNoticeFactory.create(publication=publication, version=2)

    issue = issue_create(actor=None, publication=publication, date=datetime.date(2025, 1, 6))

    assert (issue.number, issue.total_number, issue.notice) == (1, 216, latest)
    assert list(issue.masthead_members.values_list("role", "person__name")) == [
        ("editor_in_chief", "宋希贤")
    ]
    # Changing the board for the new issue leaves the earlier issue's masthead as printed.
    issue.masthead_members.all().delete()
    assert previous.masthead_members.count() == 1


def test_explicit_duplicate_numbers_are_refused(publication: Publication) -> None:
    factories.IssueFactory.create(
        publication=publication, date=datetime.date(2024, 5, 6), number=16, total_number=179
    )
    with pytest.raises(ValidationError):
        issue_create(
            actor=None,
            publication=publication,
            date=datetime.date(2024, 5, 13),
            number=16,
            total_number=180,
        )
    assert Issue.objects.count() == 1


def test_issue_create_checks_the_actor(publication: Publication) -> None:
    user = factories.UserFactory.create()
    with pytest.raises(PermissionDenied):
        issue_create(actor=user, publication=publication, date=datetime.date(2024, 5, 6))
    user.user_permissions.add(Permission.objects.get(codename="add_issue"))
    user = type(user).objects.get(pk=user.pk)  # drop the permission cache
    issue = issue_create(actor=user, publication=publication, date=datetime.date(2024, 5, 6))
    assert issue.total_number == 1


def test_notice_revision_adds_a_version_and_keeps_pinned_ones(publication: Publication) -> None:
    first = notice_revise(actor=None, publication=publication, text="声明: 第一版。")
    issue = factories.IssueFactory.create(publication=publication, notice=first)
    second = notice_revise(actor=None, publication=publication, text="  声明: 第二版。 ")

    assert (first.version, second.version, second.text) == (1, 2, "声明: 第二版。")
    issue.refresh_from_db()
    assert issue.notice == first


# Editing an issue: issue_update and issue_revision_restore.


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


def test_issue_create_starts_the_history(publication: Publication) -> None:
    issue = issue_create(actor=None, publication=publication, date=datetime.date(2024, 5, 6))

    [version] = issue_versions(issue)
    assert version.revision.comment == "新建本期"
    assert AuditEntry.objects.get(issue=issue).action == "create"


def test_restore_brings_back_fields_and_masthead_and_invalidates_approvals() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    original = Masthead.of(issue)
    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "原来的要闻"},
    )
    first = issue_versions(issue)[0]
    issue = fresh(issue)
    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "改坏了的要闻"},
        masthead=Masthead(
            organisations=original.organisations,
            members=(
                MastheadRow(PersonRole.EDITOR_IN_CHIEF, factories.PersonFactory.create().pk, 0),
            ),
        ),
    )
    issue = bring_to_approved(issue)

    restored = issue_revision_restore(actor=executive, issue_id=issue.pk, version_id=first.pk)

    restored = fresh(restored)
    assert restored.cover_headline == "原来的要闻"
    assert Masthead.of(restored) == original
    assert restored.status == IssueStatus.IN_REVIEW
    assert not restored.approvals.filter(invalidated_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert entry.action == "revision_restore" and f"#{first.pk}" in entry.note
    assert len(issue_versions(issue)) == 3


def test_a_version_of_another_issue_cannot_be_restored() -> None:
    one = bring_to(small_issue(), IssueStatus.IN_EDIT)
    other = bring_to(small_issue(), IssueStatus.IN_EDIT)
    issue_update(
        actor=None,
        issue_id=other.pk,
        base_version=other.lock_version,
        changes={"cover_headline": "别的期"},
    )
    before = snapshot(one.pk)

    with pytest.raises(PermissionDenied):
        issue_revision_restore(actor=None, issue_id=one.pk, version_id=issue_versions(other)[0].pk)

    assert snapshot(one.pk) == before


def bring_to_approved(issue: Issue) -> Issue:
    """From in edit to approved, as the board would."""
    issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    approvals.issue_approve(actor=chief(), issue_id=issue.pk)
    approved = fresh(issue)
    assert approved.status == IssueStatus.APPROVED
    return approved
