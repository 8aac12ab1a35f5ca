"""Issues: the list editors work from, numbering proposals, articles and masthead in order."""

import datetime
from typing import Any, TypeVar

from adminsortable2.admin import SortableTabularInline
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Case, Count, QuerySet, When
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from reversion.models import Version

from editorial.diffs import FieldDiff, issue_version_diff
from editorial.models import (
    Article,
    CopyrightNotice,
    Issue,
    MastheadMember,
    MastheadOrganisation,
    Publication,
)
from editorial.models.issues import OrganisationRole, PersonRole
from editorial.selectors import edition_of, issue_for_edition
from editorial.services.articles import article_delete, article_save
from editorial.services.issue_edits import (
    ISSUE_EDITABLE_FIELDS,
    Masthead,
    MastheadRow,
    issue_check_fresh,
    issue_update,
)
from editorial.services.issues import issue_create, issue_propose_date, issue_propose_numbers
from editorial.services.policies import issue_editable_check
from editorial.services.revisions import issue_revision_restore, issue_versions
from editorial.workflow import ISSUE_EDITABLE

from .common import (
    NO_IMAGE,
    BaseVersionForm,
    SortableWhenEditableAdminBase,
    StaleSaveAdminMixin,
    adopt,
    error_list,
    thumbnail,
    without_base_version,
)
from .issue_workflow import (
    ApprovalsGuardAdmin,
    IssueWorkflowAdmin,
    approvals_voided,
    issue_panel_context,
)
from .outputs import IssueOutputsAdmin, outputs_panel
from .previews import IssuePreviewsAdmin, preview_panel
from .revisions import RevisionHistoryAdmin


def _role_order(values: list[str]) -> Case:
    """Order masthead rows by role as the roles are listed (as printed), not alphabetically."""
    return Case(*(When(role=value, then=index) for index, value in enumerate(values)))


class IssueForm(BaseVersionForm):
    """Never saved over a newer version of the issue; also checks the constraints that involve
    fields the form does not show.

    Django skips a constraint when one of its fields is not on the form; the issue's uniqueness
    constraints include such fields (set by the workflow, not by editors), so without this a
    duplicate number would only be refused by the service, as a server error instead of a
    message on the form.
    """

    def validate_unique(self) -> None:
        super().validate_unique()
        try:
            self.instance.validate_constraints(exclude=set(self.errors))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = name if name in self.fields else None
                shown = self.errors.get(field or NON_FIELD_ERRORS)
                for message in messages:
                    if shown is None or message not in shown:
                        self.add_error(field, message)

    def check_fresh(self, base_version: int | None) -> None:
        issue_check_fresh(self.instance, base_version)


class ArticleInline(SortableTabularInline):
    """The issue's articles in reading order; drag a row to move an article.

    Articles are written on their own page (body, notes, figures), so rows here are not added.
    """

    model = Article
    fields = ("title", "section", "source", "responsible_editor", "status")
    readonly_fields = ("section", "responsible_editor", "status")
    ordering = ("position", "id")
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("section", "responsible_editor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MastheadOrganisationInline(SortableTabularInline):
    """Folded: the masthead changes rarely, and its rows would push the comments far down."""

    model = MastheadOrganisation
    classes = ("collapse",)
    fields = ("role", "organisation")
    autocomplete_fields = ("organisation",)
    ordering = ("position", "id")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[MastheadOrganisation]:
        return (
            super()
            .get_queryset(request)
            .select_related("organisation")
            .order_by(_role_order(OrganisationRole.values), "position", "id")
        )


class MastheadMemberInline(SortableTabularInline):
    """Folded, like the organisations of the masthead."""

    model = MastheadMember
    classes = ("collapse",)
    fields = ("role", "person")
    autocomplete_fields = ("person",)
    ordering = ("position", "id")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[MastheadMember]:
        return (
            super()
            .get_queryset(request)
            .select_related("person")
            .order_by(_role_order(PersonRole.values), "position", "id")
        )


@admin.register(Issue)
class IssueAdmin(
    StaleSaveAdminMixin,
    SortableWhenEditableAdminBase,
    IssueOutputsAdmin,
    IssuePreviewsAdmin,
    ApprovalsGuardAdmin,
    IssueWorkflowAdmin,
    RevisionHistoryAdmin,
):
    """Issues are created by ``issue_create``; an edit of the issue's fields and masthead rows is
    one ``issue_update`` (lock, state, freshness, revision, audit, approvals), article rows edited
    here go through ``article_save`` (removed ones through ``article_delete``). A refused save
    changes nothing and says why. Past editing, an issue opens read-only. The 工作流 panel,
    transitions, comments and bulk actions: ``issue_workflow``; the 输出 panel, PDF and 公众号:
    ``outputs``; 修订历史: ``revisions``.
    """

    form = IssueForm
    list_display = (
        "publication",
        "date",
        "number_label",
        "total_number_label",
        "status",
        "article_count",
        "cover_headline_excerpt",
    )
    list_display_links = ("date", "number_label")
    ordering = ("publication", "-total_number")
    list_filter = ("status", "publication", "date")
    list_select_related = ("publication",)
    date_hierarchy = "date"
    search_fields = ("cover_headline", "articles__title")
    inlines = [ArticleInline, MastheadOrganisationInline, MastheadMemberInline]
    actions = ("start_edit_selected", "submit_selected", "publish_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Issue]:
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def get_fieldsets(self, request: HttpRequest, obj: Issue | None = None) -> Any:
        fieldsets = self._fieldsets(obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return without_base_version(fieldsets)

    def _fieldsets(self, obj: Issue | None) -> Any:
        if obj is None:
            # issue_create pins the latest notice and copies the masthead; a cover image is
            # uploaded once the issue exists.
            return [
                (
                    None,
                    {
                        "fields": (
                            "publication",
                            "date",
                            ("number", "total_number"),
                            "cover_headline",
                        ),
                        "description": "期号和总期号按该刊物已有的期自动建议，可修改。"
                        "保存后本期沿用上一期的报头，并使用最新版本的版权声明。",
                    },
                )
            ]
        return [
            (
                None,
                {
                    "fields": (
                        "publication",
                        "date",
                        ("number", "total_number"),
                        "status",
                        "base_version",
                    )
                },
            ),
            ("封面", {"fields": ("cover_headline", "cover_image", "cover_image_preview")}),
            ("版权声明", {"fields": ("notice",)}),
            ("文章", {"fields": ("add_article_link",)}),
            (
                "记录",
                {
                    "fields": (
                        ("revision", "corrects"),
                        ("scheduled_at", "published_at"),
                        "lock_version",
                        ("created_at", "updated_at"),
                    ),
                    "classes": ("collapse",),
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Issue | None = None) -> Any:
        if obj is None:
            return ()
        # The publication stays: numbering, sections and notices all belong to it.
        return (
            "publication",
            "status",
            "cover_image_preview",
            "add_article_link",
            "revision",
            "corrects",
            "scheduled_at",
            "published_at",
            "lock_version",
            "created_at",
            "updated_at",
        )

    def has_change_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        """Scheduled, published and superseded issues open read-only (corrections go elsewhere)."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or issue_editable_check(obj).allowed

    def has_delete_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or issue_editable_check(obj).allowed

    def get_inline_instances(
        self, request: HttpRequest, obj: Issue | None = None
    ) -> list[InlineModelAdmin]:
        """A new issue takes the previous masthead, so the inlines start on its change page."""
        if obj is None:
            return []
        return super().get_inline_instances(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Issue | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        """Offer only the notices of the issue's own publication."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "notice" in form.base_fields:
            field = form.base_fields["notice"]
            field.queryset = CopyrightNotice.objects.filter(  # type: ignore[attr-defined]
                publication_id=obj.publication_id
            ).select_related("publication")
        return form

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Issue | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            exported = issue_for_edition(obj.pk)  # loaded once for both panels
            context.update(issue_panel_context(request, obj, exported))
            context["outputs"] = outputs_panel(request, obj, exported, edition_of(exported))
            context["revisions_url"] = self.revisions_url(obj)
            context["previews"] = preview_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A save the services refuse under the lock (the issue was published, or changed, since
        the form was checked) rolls back whole, the admin's log entry included, and says why."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            messages.error(request, error_list("本期未保存：", exc.messages))
            return HttpResponseRedirect(request.get_full_path())

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        """Propose the date and the next numbers for ?publication=<id>&date=YYYY-MM-DD.

        Without them: the first publication, one period after its latest issue; the numbers
        follow the date (the page asks again when the editor changes it).
        """
        initial = super().get_changeform_initial_data(request)
        publication = _publication_or_first(initial.get("publication"))
        if publication is None:
            return initial
        date = _date_or(initial.get("date"), issue_propose_date(publication=publication))
        number, total_number = issue_propose_numbers(publication=publication, date=date)
        initial["date"] = date.isoformat()
        initial["publication"] = str(publication.pk)
        initial.setdefault("number", str(number))
        initial.setdefault("total_number", str(total_number))
        return initial

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "propose-numbers/",
                self.admin_site.admin_view(self.propose_numbers_view),
                name="editorial_issue_propose_numbers",
            ),
            *super().get_urls(),
        ]

    def propose_numbers_view(self, request: HttpRequest) -> JsonResponse:
        """The numbers ``get_changeform_initial_data`` would propose, for the add page's script
        when the editor changes the date or the publication."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        publication = _publication_or_first(request.GET.get("publication"))
        date = _date_or(request.GET.get("date"), None)
        if publication is None or date is None:
            return JsonResponse({"error": "请选择刊物并填写有效的日期。"}, status=400)
        number, total_number = issue_propose_numbers(publication=publication, date=date)
        return JsonResponse({"number": number, "total_number": total_number})

    def save_model(self, request: HttpRequest, obj: Issue, form: ModelForm, change: bool) -> None:
        """A new issue is created by the service: masthead copied, latest notice pinned.

        An edit is saved with its masthead rows in ``save_related``, in one service call.
        """
        if change:
            return
        issue = issue_create(
            actor=request.user,
            publication=obj.publication,
            date=obj.date,
            number=obj.number,
            total_number=obj.total_number,
            cover_headline=obj.cover_headline,
        )
        adopt(obj, issue)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        """The issue's fields and masthead rows in one ``issue_update``, then the article rows."""
        if not change:
            super().save_related(request, form, formsets, change)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        changes = {name: value for name, value in changes.items() if name in ISSUE_EDITABLE_FIELDS}
        if changes.get("cover_image") is False:  # the form's "clear" box
            changes["cover_image"] = ""
        masthead = _masthead_from(form.instance, formsets)
        articles_changed = any(f.model is Article and f.has_changed() for f in formsets)
        if changes or masthead is not None or articles_changed:
            self.approvals_guard(request, form.instance, form.instance.label)
        if changes or masthead is not None:
            issue = issue_update(
                actor=request.user,
                issue_id=form.instance.pk,
                base_version=form.cleaned_data.get("base_version"),
                changes=changes,
                masthead=masthead,
            )
            adopt(form.instance, issue)
        for formset in formsets:
            if formset.model is Article:
                self.save_formset(request, form, formset, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Article rows changed here are saved by ``article_save``, like on the article's page."""
        changed = {article.pk for article in formset.save(commit=False)}
        for article_form in formset.forms:
            if article_form.instance.pk in changed:
                article_save(
                    actor=request.user,
                    article=article_form.instance,
                    base_version=None,
                    what="在期页面修改",
                    layout=set(article_form.changed_data) <= {"position"},
                )
        for article in formset.deleted_objects:
            article_delete(actor=request.user, article_id=article.pk)

    # The 修订历史 page (RevisionHistoryAdmin): fields and masthead, restored by the service.

    revisions_noun = "本期"

    def object_versions(self, obj: Issue) -> list[Version]:
        return issue_versions(obj)

    def version_diff(self, old: Version, new: Version) -> list[FieldDiff]:
        return issue_version_diff(old, new)

    def revision_restore(self, request: HttpRequest, obj: Issue, version_id: int) -> Issue:
        return issue_revision_restore(actor=request.user, issue_id=obj.pk, version_id=version_id)

    def restored_message(self, obj: Issue) -> str:
        return f"已将{obj.label}恢复到所选版本（保存为新的一版）。"

    def restore_warnings(self, obj: Issue) -> list[str]:
        return approvals_voided(obj)

    @admin.display(description="第N期", ordering="number")
    def number_label(self, obj: Issue) -> str:
        return f"第{obj.number}期"

    @admin.display(description="总第N期", ordering="total_number")
    def total_number_label(self, obj: Issue) -> str:
        return obj.label_total

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, obj: Issue) -> int:
        return obj.article_count  # type: ignore[attr-defined]

    @admin.display(description="封面要闻", ordering="cover_headline")
    def cover_headline_excerpt(self, obj: Issue) -> str:
        return Truncator(obj.cover_headline).chars(24)

    @admin.display(description="封面预览")
    def cover_image_preview(self, obj: Issue) -> str:
        return thumbnail(obj.cover_image, height=160) or NO_IMAGE

    @admin.display(description="添加文章")
    def add_article_link(self, obj: Issue) -> str:
        if obj.status not in ISSUE_EDITABLE:
            return f"{obj.get_status_display()}的期不能再添加文章。"
        return format_html(
            '<a class="addlink" href="{}?issue={}">在本期添加文章</a>　'
            '<a class="addlink" href="{}?issue={}" id="import-link">从原文链接导入</a>',
            reverse("admin:editorial_article_add"),
            obj.pk,
            reverse("admin:editorial_article_import"),
            obj.pk,
        )


def _masthead_from(issue: Issue, formsets: list[BaseInlineFormSet]) -> Masthead | None:
    """The masthead as the inline rows now stand, or None when the editor changed none of them.

    ``save(commit=False)`` writes nothing: it applies the rows' input (and tells the admin's
    change message what was added, changed and deleted).
    """
    inlines = {f.model: f for f in formsets if f.model in (MastheadOrganisation, MastheadMember)}
    for inline in inlines.values():
        inline.save(commit=False)
    if not any(inline.has_changed() for inline in inlines.values()):
        return None
    current = Masthead.of(issue)
    rows = {}
    for model, subject in (
        (MastheadOrganisation, "organisation_id"),
        (MastheadMember, "person_id"),
    ):
        formset = inlines.get(model)
        if formset is not None:
            rows[model] = tuple(
                MastheadRow(f.instance.role, getattr(f.instance, subject), f.instance.position)
                for f in formset.forms
                if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
            )
    return Masthead(
        organisations=rows.get(MastheadOrganisation, current.organisations),
        members=rows.get(MastheadMember, current.members),
    )


def _publication_or_first(value: object) -> Publication | None:
    """The publication named by a ?publication= id, or the first one when none (or a bad one) is."""
    publications = Publication.objects.all()
    if isinstance(value, str) and value.isdigit():
        chosen = publications.filter(pk=int(value)).first()
        if chosen is not None:
            return chosen
    return publications.first()


T = TypeVar("T")


def _date_or(value: object, default: T) -> datetime.date | T:
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return default
