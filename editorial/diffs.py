"""Readable differences between two stored revisions of an article or of an issue."""

import difflib
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Field, Model
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from editorial.models import (
    Article,
    CopyrightNotice,
    Figure,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Organisation,
    Person,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.richtext import plain_text
from editorial.services.issue_edits import ISSUE_EDITABLE_FIELDS, MastheadRow
from editorial.services.revisions import version_masthead

# Fields an editor reads; bookkeeping fields (lock_version, timestamps, status) are left out.
DIFF_FIELDS = (
    "title",
    "section",
    "position",
    "body",
    "source",
    "original_url",
    "qr_caption",
    "notes",
)
_RICH = {"body", "notes"}


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    html: SafeString


def article_version_diff(old: Version, new: Version) -> list[FieldDiff]:
    """The fields that differ between two versions of one article, with a line diff each."""
    diffs = _field_diffs(Article, DIFF_FIELDS, old, new, {})
    return diffs + _lines_diff("figures", "图", _figures(old), _figures(new))


def issue_version_diff(old: Version, new: Version) -> list[FieldDiff]:
    """The fields and masthead rows that differ between two versions of one issue."""
    notice_ids = {v.field_dict.get("notice_id") for v in (old, new)} - {None}
    notices = {
        pk: f"第 {version} 版"
        for pk, version in CopyrightNotice.objects.filter(pk__in=notice_ids).values_list(
            "pk", "version"
        )
    }
    diffs = _field_diffs(Issue, ISSUE_EDITABLE_FIELDS, old, new, {"notice": notices})
    before, after = version_masthead(old), version_masthead(new)
    names = _names(Organisation, [*before.organisations, *after.organisations])
    diffs += _lines_diff(
        "masthead_organisations",
        str(MastheadOrganisation._meta.verbose_name),
        _masthead(before.organisations, OrganisationRole, names),
        _masthead(after.organisations, OrganisationRole, names),
    )
    names = _names(Person, [*before.members, *after.members])
    diffs += _lines_diff(
        "masthead_members",
        str(MastheadMember._meta.verbose_name),
        _masthead(before.members, PersonRole, names),
        _masthead(after.members, PersonRole, names),
    )
    return diffs


def _field_diffs(
    model: type[Model],
    names: tuple[str, ...],
    old: Version,
    new: Version,
    shown: dict[str, dict[Any, str]],
) -> list[FieldDiff]:
    """``shown``: how a related field's ids read (otherwise the value as text)."""
    before, after = old.field_dict, new.field_dict
    diffs = []
    for name in names:
        field = cast(Field, model._meta.get_field(name))
        attname = getattr(field, "attname", name)
        labels = shown.get(name)
        values = [before.get(attname), after.get(attname)]
        if labels is not None:
            values = [labels.get(value, "") for value in values]
        a, b = (_text(name, value) for value in values)
        if a != b:
            diffs.append(FieldDiff(name, str(field.verbose_name), a, b, _line_diff(a, b)))
    return diffs


def _lines_diff(name: str, label: str, before: list[str], after: list[str]) -> list[FieldDiff]:
    if before == after:
        return []
    a, b = "\n".join(before), "\n".join(after)
    return [FieldDiff(name, label, a, b, _line_diff(a, b))]


def _names(model: type[Organisation] | type[Person], rows: list[MastheadRow]) -> dict[int, str]:
    ids = {row.subject_id for row in rows}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def _masthead(
    rows: tuple[MastheadRow, ...],
    roles: type[OrganisationRole] | type[PersonRole],
    names: dict[int, str],
) -> list[str]:
    """One line per row, in the printed order (roles as listed, then position)."""
    order = {value: index for index, value in enumerate(roles.values)}
    shown = sorted(rows, key=lambda r: (order.get(r.role, len(order)), r.position, r.subject_id))
    labels = dict(roles.choices)
    return [f"{labels.get(r.role, r.role)}：{names.get(r.subject_id, '（已删除）')}" for r in shown]


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    return plain_text(value) if name in _RICH else str(value)


def _figures(version: Version) -> list[str]:
    figure_type = ContentType.objects.get_for_model(Figure).pk  # cached by Django
    revision_versions = version.revision.version_set.all()
    rows = [v.field_dict for v in revision_versions if v.content_type_id == figure_type]
    return [
        f"图 {r['number']} {r['caption']}（{r['image']}）"
        for r in sorted(rows, key=lambda r: r["number"])
    ]


# Two paragraphs at least this alike are one paragraph edited: its changed characters are marked
# inside it (13.8% → 13.<del>8</del><ins>9</ins>%); less alike, one replaced the other.
EDITED_PARAGRAPH_SIMILARITY = 0.5


def _line_diff(a: str, b: str) -> SafeString:
    """Lines (paragraphs) removed in <del>, added in <ins>, unchanged as they are, an edited one
    once with its changed characters in <del>/<ins> — every piece HTML-escaped."""
    old, new = a.splitlines(), b.splitlines()
    out = []
    lines = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag == "equal":
            out += [f"<span>{escape(line)}</span>" for line in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added)) if tag == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            chars = difflib.SequenceMatcher(None, before, after, autojunk=False)
            if chars.ratio() >= EDITED_PARAGRAPH_SIMILARITY:
                out.append(f'<span class="edited">{_chars_diff(chars, before, after)}</span>')
            else:
                out += [f"<del>{escape(before)}</del>", f"<ins>{escape(after)}</ins>"]
        out += [f"<del>{escape(line)}</del>" for line in removed[paired:]]
        out += [f"<ins>{escape(line)}</ins>" for line in added[paired:]]
    return mark_safe("<br>".join(out))  # noqa: S308 - every piece is escaped


def _chars_diff(chars: difflib.SequenceMatcher[str], a: str, b: str) -> str:
    out: list[str] = []
    for tag, i1, i2, j1, j2 in chars.get_opcodes():
        if tag == "equal":
            out.append(escape(a[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(a[i1:i2])}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(b[j1:j2])}</ins>")
    return "".join(out)
