"""Small helpers the admin modules share."""

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.utils import ErrorList
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from editorial.files import stored_file_url
from editorial.models import AuditEntry
from editorial.models.people import who as who  # the admin modules' name for it
from editorial.services.articles import StaleEdit
from editorial.services.locks import LockTakenOver
from editorial.workflow import ArticleStatus, IssueStatus

# What a read-only preview shows without an image (a change form would otherwise print "None").
NO_IMAGE = "未上传"


def thumbnail(file: FieldFile | None, *, height: int = 48) -> SafeString | None:
    """A small inline preview, so that editors recognise an image without opening it; through
    the checked view, as stored files have no public URL."""
    if not file:
        return None
    return format_html(
        '<img src="{}" alt="" style="max-height:{}px;max-width:{}px;vertical-align:middle">',
        stored_file_url(str(file.name)),
        height,
        height * 3,
    )


def adopt(target: models.Model, source: models.Model) -> None:
    """Make the admin's unsaved ``target`` the row a service saved as ``source``.

    The admin goes on with the object its form built (for the log entry, the message and the
    redirect), so after a service has created the real row we copy that row's values over.
    """
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


# Editors read and enter times in Beijing time, whatever the server's or the browser's zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(value: datetime.datetime) -> datetime.datetime:
    """``value`` in Asia/Shanghai, for showing."""
    return value.astimezone(SHANGHAI)


# Article and issue states share codes where they share meaning (草稿, 编辑中).
STATE_LABELS = {**dict(ArticleStatus.choices), **dict(IssueStatus.choices)}


def state_change(entry: AuditEntry) -> str:
    """A transition row's change of state, as "编辑中 → 审核中"; empty for other rows."""
    if not (entry.from_state or entry.to_state):
        return ""
    before = STATE_LABELS.get(entry.from_state, entry.from_state) or "—"
    after = STATE_LABELS.get(entry.to_state, entry.to_state) or "—"
    return f"{before} → {after}"


def error_list(title: str, reasons: Iterable[object]) -> SafeString:
    """A refusal as one message: what was not done, then every reason (escaped)."""
    messages = [str(reason) for reason in reasons]
    if len(messages) == 1:
        return format_html("{}{}", title, messages[0])
    items = format_html_join("", "<li>{}</li>", ((m,) for m in messages))
    return format_html('{}<ul class="workflow-reasons">{}</ul>', title, items)


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the page a form was posted from (``next``), when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


M = TypeVar("M", bound=models.Model)


def viewable_object(
    model_admin: "admin.ModelAdmin[M]", request: HttpRequest, pk: int, missing: str
) -> M:
    """The object behind a custom admin view: 404 when it does not exist, 403 when the user may
    not see it — the same rule for every page and button the admin adds."""
    obj = model_admin.get_object(request, str(pk))
    if obj is None:
        raise Http404(missing)
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    return obj


class BaseVersionForm(forms.ModelForm):
    """Remembers the version the editor opened, so a save over a newer one is refused on the form.

    The service checks the same again under a row lock; checking here as well lets the refusal
    (and the editor's unsaved input) come back as a form error instead of a server error.

    On a refusal the form keeps the editor's input, remembers the version they started from
    (``stale_base``, for showing what changed since) and now carries the stored version: once
    they have merged the other changes into their input, saving again goes through.
    """

    base_version = forms.IntegerField(
        label="所基于的版本", widget=forms.HiddenInput, required=False
    )
    stale_base: int | None = None
    # The refusal (who saved meanwhile, when, which version): shown once, in the stale box.
    stale_message: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["base_version"].initial = self.instance.lock_version

    def check_fresh(self, base_version: int | None) -> None:
        """Raise ``StaleEdit`` unless the stored object is still at ``base_version``."""
        raise NotImplementedError

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.instance.pk is not None:
            base = self.cleaned_data.get("base_version")
            if base is None:
                # Without it a save would silently replace whatever was stored (the API's 428).
                self._adopt_stored_version()
                raise forms.ValidationError(
                    "保存被拒绝：表单没有带上它所基于的版本，无法确认是否覆盖他人的修改。"
                    "您的修改仍在表单中，请与当前内容核对后再保存。",
                    code="base_version_missing",
                )
            try:
                self.check_fresh(base)
            except StaleEdit as refusal:
                self.stale_base = base
                self.stale_message = str(refusal.message)
                self._adopt_stored_version()
                raise
        return cleaned

    def non_field_errors(self) -> ErrorList:
        """Without the stale refusal: the page shows it once, in its own box above the form."""
        errors = super().non_field_errors()
        if self.stale_message is None:
            return errors
        return self.error_class(
            [e for e in errors.as_data() if e.code != "stale"],
            error_class="nonfield",
            renderer=self.renderer,
        )

    def _adopt_stored_version(self) -> None:
        """Carry the stored version from now on, so the next save after checking goes through."""
        stored = type(self.instance)._default_manager.values_list("lock_version", flat=True)
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("base_version")] = str(stored.get(pk=self.instance.pk))
        self.data = data


# The form's hidden fields (the version it was opened at, when the page was opened).
HIDDEN_FIELDS = ("base_version", "opened_at")


def without_base_version(fieldsets: Any) -> list[Any]:
    """``fieldsets`` without the form's hidden fields: a read-only page would show each as a
    field of its own (its label and "None")."""
    return [
        (name, {**options, "fields": tuple(f for f in options["fields"] if f not in HIDDEN_FIELDS)})
        for name, options in fieldsets
    ]


class StaleSaveAdminMixin:
    """A save that loses a race under the service's row lock comes back as the form's refusal.

    The form's freshness check runs before the lock, so simultaneous saves all pass it and all
    but the first are refused by the service (``StaleEdit``, or ``LockTakenOver`` when a
    take-over slipped in between) after the admin's transaction has
    started. That transaction is rolled back; the view then runs once more, when the form's own
    check sees the newer version and shows the editor their input with the conflict.
    """

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return fieldsets
        return without_base_version(fieldsets)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        """A stale refusal is said once, in the stale box: not again as the admin's "please
        correct the errors" note nor in the form's error list."""
        form = getattr(context.get("adminform"), "form", None)
        message = getattr(form, "stale_message", None)
        if form is not None and message is not None:
            context["stale_message"] = message
            if not form.non_field_errors():
                refusal = form.errors.get(NON_FIELD_ERRORS)
                context["errors"] = [e for e in context["errors"] if e is not refusal]
        return super().render_change_form(  # type: ignore[misc]
            request, context, add, change, form_url, obj
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except (StaleEdit, LockTakenOver):
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )


class SortableWhenEditableAdminBase(SortableAdminBase):
    """Drag handles only on rows the page may change: a read-only page (an issue that can no
    longer be edited, or a person without the right) shows its rows in order, without handles,
    and its inline is not made draggable. The save itself is refused by the view (403)."""

    def get_inline_formsets(self, *args: Any, **kwargs: Any) -> Any:
        inline_admin_formsets = super().get_inline_formsets(*args, **kwargs)  # type: ignore[misc]
        for inline_admin_formset in inline_admin_formsets:
            if not inline_admin_formset.has_change_permission:
                classes = inline_admin_formset.classes.split()
                inline_admin_formset.classes = " ".join(c for c in classes if c != "sortable")
        return inline_admin_formsets
