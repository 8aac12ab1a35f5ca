"""Editing an issue's own fields and masthead: under the issue's lock, never over a newer save,
always with a revision, an audit row and the board told.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Field, FileField, Model
from django.db.models.fields.files import FieldFile

from editorial.models import AuditEntry, Issue, MastheadMember, MastheadOrganisation

from .approvals import issue_content_changed, issue_require_editable
from .articles import StaleEdit
from .audit import audit_record, revision_meta
from .issue_transitions import issue_lock
from .permissions import Actor, require_perm

# What editors change on an issue; status, numbering of revisions and lock_version belong to the
# workflow services, the publication to the issue for good.
ISSUE_EDITABLE_FIELDS = (
    "date",
    "number",
    "total_number",
    "cover_headline",
    "cover_image",
    "notice",
)


class MastheadRow(NamedTuple):
    role: str
    subject_id: int  # the organisation's or the person's id
    position: int


@dataclass(frozen=True)
class Masthead:
    """An issue's whole masthead, as printed: organisations and members with role and position."""

    organisations: tuple[MastheadRow, ...]
    members: tuple[MastheadRow, ...]

    def __post_init__(self) -> None:
        # Rows in a fixed order, so that two mastheads with the same rows are equal.
        object.__setattr__(self, "organisations", _rows(self.organisations))
        object.__setattr__(self, "members", _rows(self.members))

    @classmethod
    def of(cls, issue: Issue) -> "Masthead":
        organisations = issue.masthead_organisations.values_list(
            "role", "organisation_id", "position"
        )
        members = issue.masthead_members.values_list("role", "person_id", "position")
        return cls(
            organisations=tuple(MastheadRow(*row) for row in organisations),
            members=tuple(MastheadRow(*row) for row in members),
        )


def _rows(rows: Iterable[MastheadRow]) -> tuple[MastheadRow, ...]:
    return tuple(sorted(MastheadRow(str(r.role), r.subject_id, r.position) for r in rows))


def issue_last_change(issue: Issue) -> AuditEntry | None:
    """The latest edit of the issue or of one of its articles (what a stale save missed)."""
    return (
        AuditEntry.objects.filter(issue=issue, action__in=["update", "delete", "revision_restore"])
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def issue_check_fresh(issue: Issue, base_version: int | None) -> None:
    """Refuse a save made from an older version than the stored one (``base_version``)."""
    if base_version is None:
        return
    stored = Issue.objects.only("lock_version", "updated_at").get(pk=issue.pk)
    if stored.lock_version != base_version:
        raise StaleEdit(stored, issue_last_change(stored))


@transaction.atomic
def issue_update(
    *,
    actor: Actor,
    issue_id: int,
    base_version: int | None,
    changes: Mapping[str, Any],
    masthead: Masthead | None = None,
) -> Issue:
    """Change the issue's editable fields (``changes``: name → value) and, when given, replace
    its masthead; what did not change is left alone, and nothing at all is a no-op.
    """
    unknown = set(changes) - set(ISSUE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable on an issue: {sorted(unknown)}")
    issue = issue_lock(issue_id)
    require_perm(actor, "editorial.change_issue")
    issue_require_editable(issue)
    issue_check_fresh(issue, base_version)
    issue_write(actor=actor, issue=issue, changes=changes, masthead=masthead, action="update")
    return issue


def issue_write(
    *,
    actor: Actor,
    issue: Issue,
    changes: Mapping[str, Any],
    masthead: Masthead | None,
    action: str,
    note: str = "",
) -> list[str]:
    """Apply and record the changes on the locked, editable ``issue`` once the caller has checked
    who and when; return the labels of what changed. ``note``: why (a restore always records).
    """
    fields = [name for name, value in changes.items() if _differs(issue, name, value)]
    for name in fields:
        setattr(issue, name, changes[name])
    labels = [_label(name) for name in fields]
    if masthead is not None:
        masthead_labels = _masthead_labels(Masthead.of(issue), masthead)
        labels += masthead_labels
        if not masthead_labels:
            masthead = None  # unchanged: its rows stay as they are
    if not labels and not note:
        return []
    what = note or f"修改{'、'.join(labels)}"
    with reversion.create_revision(atomic=False):
        if fields:
            issue.full_clean()
            issue.save(update_fields=[*fields, "updated_at"])
        if masthead is not None:
            _masthead_replace(issue, masthead)
        issue_content_changed(actor=actor, issue=issue, what=what)
        reversion.add_to_revision(issue)  # as it is now, with the masthead rows it has now
        revision_meta(actor, what)
    audit_record(actor=actor, action=action, obj=issue, note=what)
    return labels


def _label(name: str) -> str:
    return str(cast(Field, Issue._meta.get_field(name)).verbose_name)


def _differs(issue: Issue, name: str, value: Any) -> bool:
    field = Issue._meta.get_field(name)
    current = field.value_from_object(issue)  # type: ignore[union-attr]
    if isinstance(field, FileField):
        if isinstance(value, File) and not isinstance(value, FieldFile):
            return True  # a new upload
        return str(getattr(value, "name", value) or "") != (current.name or "")
    return (value.pk if isinstance(value, Model) else value) != current


def _masthead_labels(before: Masthead, after: Masthead) -> list[str]:
    return [
        str(model._meta.verbose_name)
        for model, old, new in (
            (MastheadOrganisation, before.organisations, after.organisations),
            (MastheadMember, before.members, after.members),
        )
        if old != new
    ]


def _masthead_replace(issue: Issue, masthead: Masthead) -> None:
    """The issue's rows become exactly ``masthead``'s; each is validated (roles, duplicates)."""
    issue.masthead_organisations.all().delete()
    issue.masthead_members.all().delete()
    rows: list[MastheadOrganisation | MastheadMember] = [
        *(
            MastheadOrganisation(
                issue=issue, role=r.role, organisation_id=r.subject_id, position=r.position
            )
            for r in masthead.organisations
        ),
        *(
            MastheadMember(issue=issue, role=r.role, person_id=r.subject_id, position=r.position)
            for r in masthead.members
        ),
    ]
    for row in rows:
        try:
            row.full_clean()
        except ValidationError as exc:
            role = row.get_role_display()
            raise ValidationError([f"报头“{role}”：{m}" for m in exc.messages]) from exc
        row.save()
