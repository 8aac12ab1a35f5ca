"""Readable differences between two stored revisions of an article."""

import difflib
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Field
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from editorial.models import Article, Figure
from editorial.richtext import plain_text

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
    before, after = old.field_dict, new.field_dict
    diffs = []
    for name in DIFF_FIELDS:
        field = cast(Field, Article._meta.get_field(name))
        attname = getattr(field, "attname", name)
        a, b = _text(name, before.get(attname)), _text(name, after.get(attname))
        if a != b:
            diffs.append(FieldDiff(name, str(field.verbose_name), a, b, _line_diff(a, b)))
    figures_before, figures_after = _figures(old), _figures(new)
    if figures_before != figures_after:
        a, b = "\n".join(figures_before), "\n".join(figures_after)
        diffs.append(FieldDiff("figures", "图", a, b, _line_diff(a, b)))
    return diffs


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


def _line_diff(a: str, b: str) -> SafeString:
    """Lines removed in <del>, added in <ins>, unchanged lines as they are (HTML-escaped)."""
    out = []
    for line in difflib.ndiff(a.splitlines(), b.splitlines()):
        tag, text = line[:2], escape(line[2:])
        if tag == "- ":
            out.append(f"<del>{text}</del>")
        elif tag == "+ ":
            out.append(f"<ins>{text}</ins>")
        elif tag == "  ":
            out.append(f"<span>{text}</span>")
    return mark_safe("<br>".join(out))  # noqa: S308 - every piece is escaped above
