"""What the workflow records, for editors to look up: audit log, approvals, comments, locks,
notifications. All read-only here: the workflow services are the only writers of these rows.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator

from editorial.models import Approval, AuditEntry, Comment, EditLock, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """View and search only; adding, changing or deleting goes through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "from_state", "to_state")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("object_repr", "note", "actor__username")
    date_hierarchy = "created_at"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("issue", "approver", "as_editor_in_chief", "is_valid", "created_at")
    list_filter = ("as_editor_in_chief", ("invalidated_at", admin.EmptyFieldListFilter))
    list_select_related = ("issue__publication", "approver")

    @admin.display(description="有效", boolean=True)
    def is_valid(self, obj: Approval) -> bool:
        return obj.is_valid


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("excerpt", "issue", "article", "author", "created_at", "is_resolved")
    list_select_related = ("issue__publication", "article", "author")
    search_fields = ("body",)

    @admin.display(description="内容")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(40)

    @admin.display(description="已解决", boolean=True)
    def is_resolved(self, obj: Comment) -> bool:
        return obj.resolved_at is not None


@admin.register(EditLock)
class EditLockAdmin(ReadOnlyAdmin):
    list_display = ("article", "holder", "acquired_at", "expires_at")
    list_select_related = ("article", "holder")
    ordering = ("-acquired_at",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "event", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "event")
    list_select_related = ("recipient",)
    search_fields = ("subject", "recipient__username")
