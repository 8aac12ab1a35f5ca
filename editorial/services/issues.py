"""Creating issues: numbering proposals, the masthead carried over, the notice pinned."""

import calendar
import datetime

import reversion
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from editorial.models import (
    CopyrightNotice,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Publication,
)
from editorial.models.publications import Frequency

from .audit import audit_record, revision_meta
from .permissions import Actor, require_perm


def issue_propose_date(*, publication: Publication) -> datetime.date:
    """The next issue's date: one period after the latest issue (a week, a fortnight, a month);
    today for a publication's first issue or an irregular one."""
    latest = (
        Issue.objects.filter(publication=publication)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if latest is None or publication.frequency == Frequency.IRREGULAR:
        return timezone.localdate()
    if publication.frequency == Frequency.MONTHLY:
        year, month = divmod(latest.year * 12 + latest.month, 12)  # the month after ``latest``
        last_day = calendar.monthrange(year, month + 1)[1]
        return datetime.date(year, month + 1, min(latest.day, last_day))
    days = 14 if publication.frequency == Frequency.BIWEEKLY else 7
    return latest + datetime.timedelta(days=days)


def issue_propose_numbers(*, publication: Publication, date: datetime.date) -> tuple[int, int]:
    """The next number within ``date``'s year (restarting at 1 each year) and the next total."""
    issues = Issue.objects.filter(publication=publication)
    max_in_year = issues.filter(date__year=date.year).aggregate(n=Max("number"))["n"]
    max_total = issues.aggregate(n=Max("total_number"))["n"]
    return (max_in_year or 0) + 1, (max_total or 0) + 1


@transaction.atomic
def issue_create(
    *,
    actor: Actor,
    publication: Publication,
    date: datetime.date,
    number: int | None = None,
    total_number: int | None = None,
    cover_headline: str = "",
) -> Issue:
    """Create an issue with proposed numbers, the latest notice, and the previous masthead.

    Its first revision is where the issue's 修订历史 starts.
    """
    require_perm(actor, "editorial.add_issue")
    proposed_number, proposed_total = issue_propose_numbers(publication=publication, date=date)
    previous = Issue.objects.filter(publication=publication).order_by("-total_number").first()
    issue = Issue(
        publication=publication,
        date=date,
        number=number or proposed_number,
        total_number=total_number or proposed_total,
        cover_headline=cover_headline,
        notice=CopyrightNotice.objects.filter(publication=publication).order_by("-version").first(),
    )
    issue.full_clean()
    with reversion.create_revision(atomic=False):
        issue.save()
        if previous is not None:
            masthead_copy(source=previous, target=issue)
        reversion.add_to_revision(issue)  # with the copied rows, which bulk_create did not report
        revision_meta(actor, "新建本期")
    audit_record(actor=actor, action="create", obj=issue, to_state=issue.status, note="新建本期")
    return issue


def masthead_copy(*, source: Issue, target: Issue) -> None:
    """Give ``target`` its own copy of ``source``'s masthead rows."""
    MastheadOrganisation.objects.bulk_create(
        MastheadOrganisation(
            issue=target, role=row.role, organisation_id=row.organisation_id, position=row.position
        )
        for row in source.masthead_organisations.all()
    )
    MastheadMember.objects.bulk_create(
        MastheadMember(issue=target, role=row.role, person_id=row.person_id, position=row.position)
        for row in source.masthead_members.all()
    )
