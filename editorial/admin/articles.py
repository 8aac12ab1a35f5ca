"""Articles and their numbered figures."""

import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.db.models.fields.related import RelatedField
from django.forms import BaseInlineFormSet, ModelForm, TextInput
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from editorial.models import Article, Figure, Issue, QrCaption, Section
from editorial.rendering.wechat import propose_wechat_digest, propose_wechat_title
from editorial.richtext import quoted_title, sanitize_html_reporting
from editorial.search import article_search_filter
from editorial.services.approvals import issue_require_editable
from editorial.services.articles import (
    article_check_fresh,
    article_content_changed,
    article_save,
)
from editorial.services.locks import lock_require_save
from editorial.services.permissions import Actor
from editorial.services.policies import article_edit_check, issue_editable_check

from .article_imports import ArticleImportAdmin
from .article_workflow import ArticleWorkflowAdmin
from .common import NO_IMAGE, BaseVersionForm, StaleSaveAdminMixin, thumbnail, viewable_object
from .editor import (
    clean_paste_view,
    editor_media_with_nonce,
    editor_widgets,
    figure_upload_view,
)
from .issue_workflow import ApprovalsGuardAdmin

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class FigureFormSet(BaseInlineFormSet):
    """A figure added here is numbered after the article's others; saving renumbers them all by
    their place in the text (``article_content_changed``), so the number is never typed."""

    def save_new(self, form: ModelForm, commit: bool = True) -> Figure:
        last = Figure.objects.filter(article=self.instance).aggregate(n=Max("number"))["n"]
        form.instance.number = (last or 0) + 1
        figure: Figure = super().save_new(form, commit=commit)
        return figure


class FigureInline(admin.TabularInline):
    model = Figure
    formset = FigureFormSet
    fields = ("number", "caption", "image", "preview")
    readonly_fields = ("number", "preview")
    ordering = ("number",)
    extra = 0

    @admin.display(description="预览")
    def preview(self, obj: Figure) -> str:
        return thumbnail(obj.image, height=60) or NO_IMAGE


class SectionListFilter(admin.RelatedFieldListFilter):
    """Section names repeat across publications, so name the publication when there are several."""

    def field_choices(
        self, field: RelatedField, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> "list[tuple[str, str | StrPromise]]":
        sections = list(
            Section.objects.select_related("publication").order_by(
                "publication__name", "position", "id"
            )
        )
        several = len({section.publication_id for section in sections}) > 1
        return [
            (str(section.pk), f"{section.publication} · {section}" if several else str(section))
            for section in sections
        ]


class IssueStatusFilter(admin.ChoicesFieldListFilter):
    """The issue's state, titled apart from the article's own state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "所在期的状态"


class IssueFilter(admin.SimpleListFilter):
    """The articles of one issue: the latest issues to choose from, and the one chosen."""

    title = "期"
    parameter_name = "issue"
    LATEST = 12

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        issues = list(
            Issue.objects.select_related("publication").order_by("-date", "-total_number")[
                : self.LATEST
            ]
        )
        chosen = self.value()
        if chosen and chosen.isdigit() and all(str(i.pk) != chosen for i in issues):
            issues += list(Issue.objects.select_related("publication").filter(pk=int(chosen)))
        several = len({issue.publication_id for issue in issues}) > 1
        return [
            (str(i.pk), f"{i.publication} {i.label}" if several else f"{i.date.year}年{i.label}")
            for i in issues
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        chosen = self.value()
        if chosen and chosen.isdigit():
            return queryset.filter(issue_id=int(chosen))
        return queryset


# What the sanitizer cleans, and so reports on save.
RICH_TEXT_FIELDS = ("body", "notes")


def _label(field: str) -> str:
    return str(getattr(Article._meta.get_field(field), "verbose_name", field))


# Changing only these is layout work, which art editors may do too (see article_save).
LAYOUT_FIELDS = frozenset({"position", "section"})


class PresetsInput(TextInput):
    """A text box that offers ``presets`` (an HTML datalist) and still takes any other text."""

    def __init__(self, presets: list[str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.presets = presets

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = dict(attrs or {})
        attrs["list"] = f"{attrs.get('id', name)}_presets"
        options = format_html_join("", '<option value="{}">', ((p,) for p in self.presets))
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', box, attrs["list"], options)


class OpenedAtField(forms.Field):
    """When the editor's page was opened, signed so that a form cannot claim a later time."""

    widget = forms.HiddenInput
    salt = "editorial.article.opened"

    @classmethod
    def sign(cls, when: datetime.datetime) -> str:
        return signing.dumps(when.isoformat(), salt=cls.salt)

    def to_python(self, value: Any) -> datetime.datetime | None:
        if not value:
            return None
        try:
            return datetime.datetime.fromisoformat(signing.loads(value, salt=self.salt))
        except (signing.BadSignature, TypeError, ValueError):
            return None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False  # bookkeeping, not the editor's change


class ArticleForm(BaseVersionForm):
    """An article's form: never saved over a newer version, nor after someone else started
    editing since the page was opened, nor into an issue past editing."""

    opened_at = OpenedAtField(required=False, label="打开时间")
    actor: Actor = None  # the editor, set by ArticleAdmin.get_form

    class Meta:
        widgets = {"qr_caption": PresetsInput(QrCaption.values, attrs={"size": 40})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opened_at"].initial = OpenedAtField.sign(timezone.now())

    def check_fresh(self, base_version: int | None) -> None:
        article_check_fresh(self.instance, base_version)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.instance.pk is not None:
            opened_at = self.cleaned_data.get("opened_at")
            if opened_at is None:
                raise forms.ValidationError(
                    "保存被拒绝：表单没有带上它的打开时间，无法确认期间是否有人接管了编辑。"
                    "您的修改仍在表单中，请复制后重新打开这篇文章再保存。",
                    code="opened_at_missing",
                )
            lock_require_save(actor=self.actor, article_id=self.instance.pk, opened_at=opened_at)
        issue = self.cleaned_data.get("issue") or getattr(self.instance, "issue", None)
        if issue is not None:
            issue_require_editable(issue)
        return cleaned


@admin.register(Article)
class ArticleAdmin(
    StaleSaveAdminMixin, ArticleImportAdmin, ApprovalsGuardAdmin, ArticleWorkflowAdmin
):
    """Articles are saved through ``article_save`` (permission, issue state, freshness, revision,
    audit, approvals invalidated); their figures through ``article_content_changed``; deleted
    through ``article_delete``. Transitions, lock, history and comments: ``article_workflow``;
    从原文链接导入: ``article_imports``. What the sanitizer removes from a body or notes is told
    to the editor on save.
    """

    form = ArticleForm
    list_display = (
        "title",
        "issue_label",
        "section",
        "position",
        "source",
        "responsible_editor",
        "status",
        "figure_count",
        "updated_at",
    )
    list_filter = (
        IssueFilter,
        "status",
        ("issue__status", IssueStatusFilter),
        ("section", SectionListFilter),
        "issue__date",
        ("responsible_editor", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("issue", "section", "responsible_editor")
    ordering = ("issue", "position", "id")
    # Shows the search box; get_search_results searches through editorial.search.
    search_fields = ("title",)
    autocomplete_fields = ("issue", "responsible_editor")
    readonly_fields = ("status", "lock_version", "created_at", "updated_at")
    # Links to originals are typed without a scheme more often than not; they are https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [FigureInline]
    actions = ("start_edit_selected", "mark_ready_selected", "delete_selected")
    fieldsets = (
        (
            None,
            {"fields": ("issue", "section", "position", "title", "base_version", "opened_at")},
        ),
        ("正文", {"fields": ("body", "notes")}),
        ("来源", {"fields": ("source", "original_url", "qr_caption")}),
        (
            "公众号",
            {
                "fields": ("wechat_title", "wechat_digest"),
                "description": "留空时推送使用框中灰色的建议；在期页面的“公众号预览”中查看效果。",
            },
        ),
        (
            "编辑",
            {
                "fields": (
                    "responsible_editor",
                    "status",
                    "lock_version",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).annotate(figure_count=Count("figures"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        """Chinese search (jieba and the full-text index) instead of ``icontains`` over every
        body: published articles through the index, the rest by their text."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(article_search_filter(search_term)), False

    def get_form(
        self, request: HttpRequest, obj: Article | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        """Show the WeChat title and digest proposals in the blank fields (what a push uses)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        for name, widget in editor_widgets(obj).items():
            if name in form.base_fields:
                form.base_fields[name].widget = widget
        if obj is not None:
            proposals = {
                "wechat_title": propose_wechat_title(obj.title),
                "wechat_digest": propose_wechat_digest(obj.body),
            }
            for name, proposal in proposals.items():
                if name in form.base_fields:
                    form.base_fields[name].widget.attrs["placeholder"] = proposal
        return form

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "clean-paste/",
                wrap(require_POST(clean_paste_view)),
                name="editorial_article_clean_paste",
            ),
            path(
                "<int:article_id>/figures/",
                wrap(require_POST(self.figure_upload)),
                name="editorial_article_figure_upload",
            ),
            *super().get_urls(),
        ]

    def figure_upload(self, request: HttpRequest, article_id: int) -> HttpResponse:
        viewable_object(self, request, article_id, "没有这篇文章。")
        return figure_upload_view(request, article_id)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Article | None = None,
    ) -> HttpResponse:
        context["media"] = editor_media_with_nonce(context["media"], request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> Any:
        """An article stays in its issue (a correction copies the issue instead)."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if obj is None else ("issue", *readonly)

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        """Read-only once the issue is past editing, or when the article is not the user's."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or article_edit_check(request.user, obj, obj.issue).allowed

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or issue_editable_check(obj.issue).allowed

    def save_model(self, request: HttpRequest, obj: Article, form: ModelForm, change: bool) -> None:
        if change and not form.has_changed():
            return  # an unchanged save must not count as a content change
        if change:
            self.approvals_guard(request, obj.issue, f"文章“{obj.title}”")
        removed = [
            (field, report)
            for field in RICH_TEXT_FIELDS
            if field in form.changed_data
            and (report := sanitize_html_reporting(form.cleaned_data.get(field) or "")[1])
        ]
        what = "修改文章" if change else "新建文章"
        article_save(
            actor=request.user,
            article=obj,
            base_version=form.cleaned_data.get("base_version"),
            what="；".join([what, *(f"{_label(field)}{report}" for field, report in removed)]),
            layout=change and set(form.changed_data) <= LAYOUT_FIELDS,
            opened_at=form.cleaned_data.get("opened_at"),
        )
        for field, report in removed:
            messages.warning(request, f"{quoted_title(obj.title)}的{_label(field)}：{report}。")

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        if change and any(formset.has_changed() for formset in formsets):
            self.approvals_guard(request, form.instance.issue, f"文章“{form.instance.title}”的图")
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            article_content_changed(actor=request.user, article_id=form.instance.pk, what="修改图")

    def response_add(
        self, request: HttpRequest, obj: Article, post_url_continue: str | None = None
    ) -> HttpResponse:
        """保存并增加另一个 stays in the issue and the section of the article just added."""
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and isinstance(response, HttpResponseRedirect):
            parts = urlsplit(response.url)
            kept = {"issue": str(obj.issue_id), "section": str(obj.section_id)}
            query = urlencode(
                [(k, v) for k, v in parse_qsl(parts.query) if k not in kept] + list(kept.items())
            )
            return HttpResponseRedirect(urlunsplit(parts._replace(query=query)))
        return response

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        """Coming from an issue (?issue=<id>), place the new article after its last one."""
        initial = super().get_changeform_initial_data(request)
        issue_id = initial.get("issue")
        if isinstance(issue_id, str) and issue_id.isdigit() and "position" not in initial:
            last = Article.objects.filter(issue_id=int(issue_id)).aggregate(p=Max("position"))["p"]
            initial["position"] = str((last or 0) + 1)
        return initial

    @admin.display(description="期", ordering="issue__total_number")
    def issue_label(self, obj: Article) -> str:
        return obj.issue.label

    @admin.display(description="图数", ordering="figure_count")
    def figure_count(self, obj: Article) -> int:
        return obj.figure_count  # type: ignore[attr-defined]
