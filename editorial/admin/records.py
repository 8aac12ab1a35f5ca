"""What the workflow records, for editors to look up: audit log, approvals, comments, locks,
notifications. All read-only here: the workflow services are the only writers of these rows.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from editorial.models import Approval, AuditEntry, Comment, EditLock, Issue, Notification
from editorial.services.policies import records_browse_check
from editorial.workflow import ARTICLE_TRANSITIONS, ISSUE_TRANSITIONS, OTHER_ACTIONS, action_label

from . import inbox
from .comments import comment_resolve_from_post
from .common import local, state_change, who

RECENT_ISSUES_IN_FILTER = 20


class ReadOnlyAdmin(admin.ModelAdmin):
    """View and search only; adding, changing or deleting goes through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InternalRecordAdmin(ReadOnlyAdmin):
    """Records the workflow keeps for itself: listed in the index and sidebar only for those
    who run the system (``policies.records_browse_check``); the pages that show them link here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and records_browse_check(request.user).allowed


class ActionFilter(admin.SimpleListFilter):
    """Every action the log records, by its Chinese label (no query)."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        names = dict.fromkeys([*ISSUE_TRANSITIONS, *ARTICLE_TRANSITIONS, *OTHER_ACTIONS])
        return [(name, action_label(name)) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


class ActorFilter(admin.SimpleListFilter):
    """Who acted, by name: the people who appear in the log."""

    title = "操作人"
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        actors = User.objects.filter(
            pk__in=AuditEntry.objects.values("actor_id").distinct()
        ).select_related("person")
        return sorted(((str(u.pk), who(u)) for u in actors), key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(actor_id=int(value)) if value and value.isdigit() else queryset


class EventFilter(ActionFilter):
    """A notification's event: the audit action it tells of, by the same labels."""

    title = "事件"
    parameter_name = "event"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(event=value) if value else queryset


class IssueFilter(admin.SimpleListFilter):
    """The recent issues (and the chosen one): the issue page links here with ?issue_id=<id>."""

    title = "期"
    parameter_name = "issue_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        value = self.value()
        chosen = int(value) if value and value.isdigit() else 0
        issues = Issue.objects.select_related("publication").order_by("-date", "-pk")
        recent = list(issues[:RECENT_ISSUES_IN_FILTER])
        if chosen and all(issue.pk != chosen for issue in recent):
            recent += list(issues.filter(pk=chosen))
        return [(str(issue.pk), str(issue)) for issue in recent]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(issue_id=int(value))
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "action_name", "object_link", "states", "note_excerpt")
    list_filter = (
        ActionFilter,
        ActorFilter,
        IssueFilter,
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    list_select_related = ("actor__person", "content_type")
    search_fields = ("note", "object_repr")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    # The change page says what the list says: names and labels, not codes.
    fields = ("time", "actor_name", "action_name", "object_link", "states", "note")
    readonly_fields = fields

    @admin.display(description="时间", ordering="created_at")
    def time(self, obj: AuditEntry) -> str:
        return f"{local(obj.created_at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description="操作人", ordering="actor")
    def actor_name(self, obj: AuditEntry) -> str:
        return who(obj.actor)

    @admin.display(description="操作", ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return obj.action_label

    @admin.display(description="对象", ordering="object_repr")
    def object_link(self, obj: AuditEntry) -> SafeString | str:
        if obj.article_id is not None:
            url = reverse("admin:editorial_article_change", args=[obj.article_id])
        elif obj.issue_id is not None:
            url = reverse("admin:editorial_issue_change", args=[obj.issue_id])
        elif obj.content_type is not None and obj.action != "delete":
            kind = obj.content_type
            url = reverse(f"admin:{kind.app_label}_{kind.model}_change", args=[obj.object_id])
        else:
            return obj.object_repr
        return format_html('<a href="{}">{}</a>', url, obj.object_repr)

    @admin.display(description="状态变化")
    def states(self, obj: AuditEntry) -> str:
        return state_change(obj)

    @admin.display(description="说明")
    def note_excerpt(self, obj: AuditEntry) -> str:
        return Truncator(obj.note).chars(80)


@admin.register(Approval)
class ApprovalAdmin(InternalRecordAdmin):
    list_display = ("issue", "approver_name", "as_editor_in_chief", "is_valid", "created_at")
    list_filter = ("as_editor_in_chief", ("invalidated_at", admin.EmptyFieldListFilter))
    list_select_related = ("issue__publication", "approver__person")
    exclude = ("approver",)  # by name instead
    readonly_fields = ("approver_name",)

    @admin.display(description="批准人", ordering="approver")
    def approver_name(self, obj: Approval) -> str:
        return who(obj.approver)

    @admin.display(description="有效", boolean=True)
    def is_valid(self, obj: Approval) -> bool:
        return obj.is_valid


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments are written on the issue and article pages; resolving posts here."""

    list_display = ("excerpt", "issue", "article", "author_name", "created_at", "is_resolved")
    list_select_related = ("issue__publication", "article", "author__person")
    search_fields = ("body",)
    exclude = ("author", "resolved_by")  # by name instead
    readonly_fields = ("author_name", "resolver_name")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:comment_id>/resolve/",
                self.admin_site.admin_view(require_POST(self.resolve_view)),
                name="editorial_comment_resolve",
            ),
            *super().get_urls(),
        ]

    def resolve_view(self, request: HttpRequest, comment_id: int) -> HttpResponse:
        return comment_resolve_from_post(request, comment_id)

    @admin.display(description="内容")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(40)

    @admin.display(description="已解决", boolean=True)
    def is_resolved(self, obj: Comment) -> bool:
        return obj.resolved_at is not None

    @admin.display(description="提出人", ordering="author")
    def author_name(self, obj: Comment) -> str:
        return who(obj.author)

    @admin.display(description="解决人")
    def resolver_name(self, obj: Comment) -> str:
        return who(obj.resolved_by) if obj.resolved_by_id is not None else "—"


@admin.register(EditLock)
class EditLockAdmin(InternalRecordAdmin):
    list_display = ("article", "holder_name", "acquired_at", "expires_at")
    list_select_related = ("article", "holder__person")
    exclude = ("holder",)  # by name instead
    readonly_fields = ("holder_name",)
    ordering = ("-acquired_at",)

    @admin.display(description="编辑人", ordering="holder")
    def holder_name(self, obj: EditLock) -> str:
        return who(obj.holder)


@admin.register(Notification)
class NotificationAdmin(InternalRecordAdmin):
    """Everyone's notifications, for those who look after delivery; each user's own are at
    ``mine/`` (我的通知, ``inbox.py``)."""

    list_display = (
        "created_at",
        "recipient_name",
        "event_label",
        "subject",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", EventFilter)
    list_select_related = ("recipient__person",)
    search_fields = ("subject", "recipient__username", "recipient__person__name")
    # Names and labels instead of the login and the event's code; the de-duplication key is
    # the service's own business.
    exclude = ("key", "recipient", "event")
    readonly_fields = ("recipient_name", "event_label")

    @admin.display(description="收件人", ordering="recipient")
    def recipient_name(self, obj: Notification) -> str:
        return who(obj.recipient)

    @admin.display(description="事件", ordering="event")
    def event_label(self, obj: Notification) -> str:
        return action_label(obj.event)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "mine/",
                wrap(self.inbox_view),
                name="editorial_notification_mine",
            ),
            path(
                "mine/<int:notification_id>/",
                wrap(inbox.inbox_open),
                name="editorial_notification_open",
            ),
            path(
                "mine/read-all/",
                wrap(require_POST(inbox.inbox_mark_all_read)),
                name="editorial_notification_read_all",
            ),
            *super().get_urls(),
        ]

    def inbox_view(self, request: HttpRequest) -> HttpResponse:
        return inbox.inbox_response(request, self.admin_site)
