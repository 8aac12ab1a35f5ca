"""Who reads what, and how often: anyone reads published issues and their articles; staff
(``policies.may_read_unpublished``) everything else; writes need a login and are then decided
by the services. Anonymous readers are rate-limited in the shared (Redis) cache."""

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from digest.middleware import client_ip
from editorial.services.documents import RENDERING
from editorial.services.policies import Decision, may_read_unpublished


class ReadPublishedOrStaff(BasePermission):
    """A view with ``public = True`` is readable by anyone (its queryset shows them only what
    is published); any other view is for staff. Writes need a login; the services decide."""

    message = "需要登录并具有编辑部权限。"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not getattr(view, "public", False):
            return may_read_unpublished(request.user)
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class PolicyAllows(BasePermission):
    """A staff view whose data is for some of the staff: its ``policy(actor)`` (a check of
    ``services.policies``) decides, and a refusal is a 403 with the policy's reason."""

    def has_permission(self, request: Request, view: Any) -> bool:
        decision: Decision = view.policy(request.user)
        self.message = decision.reason
        return decision.allowed


class AnonymousRate(AnonRateThrottle):
    """Requests without a login, per client address (the one our own proxies report), at
    ``DIGEST_API_ANON_RATE`` (read per request, so a deployment or a test can change it)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.META.get(RENDERING):  # a published document being made, not a reader
            return True
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        rate: str | None = settings.DIGEST_API_ANON_RATE
        return rate

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or "unknown"
