"""The 修订历史 page that articles and issues share: every stored version with who, when and why,
a readable diff of any two, and 恢复到此版本 through the model's own restore service.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST
from reversion.models import Version

from editorial.diffs import FieldDiff
from editorial.models import Person

from .common import error_list, local, viewable_object
from .confirmations import Confirmation, confirmation_response, is_confirmed


@dataclass(frozen=True)
class VersionRow:
    version: Version
    number: int
    user: str
    comment: str

    @property
    def date(self) -> str:
        return f"{local(self.version.revision.date_created):%Y-%m-%d %H:%M}"


def version_rows(versions: list[Version]) -> list[VersionRow]:
    """``versions`` (newest first) numbered from the oldest (第 1 版).

    The people behind the logins are read in one query for all the versions.
    """
    user_ids = {v.revision.user_id for v in versions if v.revision.user_id is not None}
    names = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))

    def name(version: Version) -> str:
        user = version.revision.user
        return names.get(user.pk) or user.get_username() if user is not None else "系统"

    count = len(versions)
    return [VersionRow(v, count - i, name(v), v.revision.comment) for i, v in enumerate(versions)]


class RevisionHistoryAdmin(admin.ModelAdmin):
    """Adds ``<id>/revisions/`` (named ``<app>_<model>_revisions``) and its restore button.

    A model admin says what its versions are, how two differ and which service restores one.
    """

    # How the pages name one object: "这篇文章", "本期".
    revisions_noun = ""

    def object_versions(self, obj: Any) -> list[Version]:
        raise NotImplementedError

    def version_diff(self, old: Version, new: Version) -> list[FieldDiff]:
        raise NotImplementedError

    def revision_restore(self, request: HttpRequest, obj: Any, version_id: int) -> Model:
        """Call the restore service; it refuses with ValidationError or PermissionDenied."""
        raise NotImplementedError

    def restored_message(self, obj: Any) -> str:
        raise NotImplementedError

    def restore_warnings(self, obj: Any) -> list[str]:
        """What the confirmation before a restore should warn of (approvals it would void)."""
        return []

    def revisions_url(self, obj: Model) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_revisions", args=[obj.pk]
        )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:object_id>/revisions/",
                wrap(self.revisions_view),
                name=f"{name}_revisions",
            ),
            path(
                "<int:object_id>/revisions/<int:version_id>/restore/",
                wrap(require_POST(self.restore_view)),
                name=f"{name}_revision_restore",
            ),
            *super().get_urls(),
        ]

    def revisions_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        obj = viewable_object(self, request, object_id, f"没有{self.revisions_noun}。")
        rows = version_rows(self.object_versions(obj))
        by_id = {str(row.version.pk): row for row in rows}
        old, new = by_id.get(request.GET.get("old", "")), by_id.get(request.GET.get("new", ""))
        if old is None and new is None and len(rows) >= 2:
            new, old = rows[0], rows[1]
        elif old is not None and new is None:
            new = rows[0]  # ?old=<version> alone: what changed since, up to now
        diff = None
        if old is not None and new is not None:
            if old.number > new.number:
                old, new = new, old
            diff = self.version_diff(old.version, new.version)
        return TemplateResponse(
            request,
            "admin/editorial/revisions.html",
            {
                **self.admin_site.each_context(request),
                "title": f"修订历史：{obj}",
                "opts": self.opts,
                "original": obj,
                "noun": self.revisions_noun,
                "rows": rows,
                "old": old,
                "new": new,
                "diff": diff,
                "may_restore": self.has_change_permission(request, obj),
            },
        )

    def restore_view(self, request: HttpRequest, object_id: int, version_id: int) -> HttpResponse:
        obj = viewable_object(self, request, object_id, f"没有{self.revisions_noun}。")
        rows = version_rows(self.object_versions(obj))
        row = next((r for r in rows if r.version.pk == version_id), None)
        may_restore = self.has_change_permission(request, obj)
        if row is not None and may_restore and not is_confirmed(request):
            confirmation = Confirmation(
                title=f"确认恢复：{obj}",
                button="确认恢复",
                consequences=[
                    f"{self.revisions_noun}将恢复为第 {row.number} 版（{row.date}，{row.user}）"
                    f"的内容，保存为新的第 {len(rows) + 1} 版。",
                    "当前内容不会丢失：它仍在修订历史中，可以再恢复。",
                ],
                warnings=self.restore_warnings(obj),
            )
            return confirmation_response(
                request, self.admin_site, confirmation, back=self.revisions_url(obj)
            )
        try:
            obj = self.revision_restore(request, obj, version_id)
        except ValidationError as exc:
            messages.error(request, error_list("未能恢复：", exc.messages))
            return HttpResponseRedirect(self.revisions_url(obj))
        messages.success(request, self.restored_message(obj))
        change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return HttpResponseRedirect(reverse(change, args=[obj.pk]))
