"""Creating an issue: proposed numbers, the previous masthead copied, the latest notice pinned,
the history started."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from editorial.models import AuditEntry, Issue, MastheadMember, Publication
from editorial.models.issues import PersonRole
from editorial.services.issues import issue_create, issue_propose_date
from editorial.services.revisions import issue_versions
from tests import factories

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


def test_issue_create_starts_the_history(publication: Publication) -> None:
    issue = issue_create(actor=None, publication=publication, date=datetime.date(2024, 5, 6))

    [version] = issue_versions(issue)
    assert version.revision.comment == "新建本期"
    assert AuditEntry.objects.get(issue=issue).action == "create"


@pytest.mark.parametrize(
    ("frequency", "latest", "proposed"),
    [
        ("weekly", datetime.date(2024, 4, 19), datetime.date(2024, 4, 26)),
        ("weekly", datetime.date(2024, 12, 30), datetime.date(2025, 1, 6)),
        ("biweekly", datetime.date(2024, 4, 19), datetime.date(2024, 5, 3)),
        ("monthly", datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        ("monthly", datetime.date(2024, 12, 15), datetime.date(2025, 1, 15)),
    ],
)
def test_the_next_date_is_one_period_after_the_latest_issue(
    frequency: str, latest: datetime.date, proposed: datetime.date
) -> None:
    publication = factories.PublicationFactory.create(frequency=frequency)
    factories.IssueFactory.create(publication=publication, date=latest - datetime.timedelta(99))
    factories.IssueFactory.create(publication=publication, date=latest)

    assert issue_propose_date(publication=publication) == proposed


def test_a_first_or_irregular_issue_is_proposed_for_today() -> None:
    first = factories.PublicationFactory.create(frequency="weekly")
    irregular = factories.PublicationFactory.create(frequency="irregular")
    factories.IssueFactory.create(publication=irregular, date=datetime.date(2024, 4, 19))

    assert issue_propose_date(publication=first) == timezone.localdate()
    assert issue_propose_date(publication=irregular) == timezone.localdate()
