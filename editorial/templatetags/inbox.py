"""The unread count of 我的通知 in the admin header (``templates/admin/base_site.html``)."""

from django import template
from django.contrib.auth.models import AnonymousUser, User

from editorial.services.notifications import notifications_unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: User | AnonymousUser) -> int:
    return notifications_unread_count(user) if isinstance(user, User) else 0
