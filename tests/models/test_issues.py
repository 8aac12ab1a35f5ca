"""Issue numbering: unique per publication, contiguous, proposed across a year boundary."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from editorial.models import Issue, Publication
from editorial.services.issues import issue_propose_numbers
from tests import factories

pytestmark = pytest.mark.django_db


def make_issue(publication: Publication, date: str, number: int, total: int) -> Issue:
    return factories.IssueFactory.create(
        publication=publication,
        date=datetime.date.fromisoformat(date),
        number=number,
        total_number=total,
    )


def test_database_refuses_duplicate_total_number(publication: Publication) -> None:
    make_issue(publication, "2024-05-06", 16, 179)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_issue(publication, "2024-05-13", 17, 179)


def test_database_refuses_duplicate_number_within_a_year(publication: Publication) -> None:
    make_issue(publication, "2024-05-06", 16, 179)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_issue(publication, "2024-12-30", 16, 180)


def test_same_number_in_another_year_or_publication_is_allowed(publication: Publication) -> None:
    make_issue(publication, "2024-05-06", 16, 179)
    make_issue(publication, "2025-05-05", 16, 180)
    make_issue(factories.PublicationFactory.create(), "2024-05-06", 16, 179)
    assert Issue.objects.filter(number=16).count() == 3


def test_database_refuses_numbers_below_one(publication: Publication) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_issue(publication, "2024-05-06", 0, 179)


def test_full_clean_reports_duplicates_in_chinese(publication: Publication) -> None:
    make_issue(publication, "2024-05-06", 16, 179)
    duplicate = Issue(
        publication=publication, date=datetime.date(2024, 5, 13), number=16, total_number=180
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "该刊物同一年度已有相同期号的一期。" in excinfo.value.messages


def test_full_clean_reports_gaps(publication: Publication) -> None:
    make_issue(publication, "2024-05-06", 16, 179)
    gap = Issue(
        publication=publication, date=datetime.date(2024, 5, 20), number=18, total_number=181
    )
    with pytest.raises(ValidationError) as excinfo:
        gap.full_clean()
    assert excinfo.value.message_dict == {
        "number": ["2024年期号不连续：缺少第17期。"],
        "total_number": ["总期号不连续：缺少总第180期。"],
    }


def test_first_issue_of_a_new_year_may_restart_at_one(publication: Publication) -> None:
    make_issue(publication, "2024-12-30", 52, 215)
    first = Issue(
        publication=publication, date=datetime.date(2025, 1, 6), number=1, total_number=216
    )
    first.full_clean()


def test_proposal_continues_within_the_year(publication: Publication) -> None:
    make_issue(publication, "2024-04-29", 15, 178)
    make_issue(publication, "2024-05-06", 16, 179)
    assert issue_propose_numbers(publication=publication, date=datetime.date(2024, 5, 13)) == (
        17,
        180,
    )


def test_proposal_restarts_the_number_in_a_new_year_but_not_the_total(
    publication: Publication,
) -> None:
    make_issue(publication, "2024-12-23", 51, 214)
    make_issue(publication, "2024-12-30", 52, 215)
    assert issue_propose_numbers(publication=publication, date=datetime.date(2025, 1, 6)) == (
        1,
        216,
    )


def test_proposal_for_a_new_publication_starts_at_one(publication: Publication) -> None:
    assert issue_propose_numbers(publication=publication, date=datetime.date(2024, 1, 1)) == (1, 1)


def test_notice_of_another_publication_is_refused(publication: Publication) -> None:
    other_notice = factories.CopyrightNoticeFactory.create()
    issue = Issue(
        publication=publication,
        date=datetime.date(2024, 5, 6),
        number=16,
        total_number=179,
        notice=other_notice,
    )
    with pytest.raises(ValidationError) as excinfo:
        issue.full_clean()
    assert excinfo.value.message_dict == {"notice": ["版权声明必须属于本刊物。"]}
