"""The one place that turns "may this actor do that?" into a refusal."""

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import PermissionDenied

Actor = AbstractUser | AnonymousUser | None


def require_perm(actor: Actor, perm: str) -> None:
    """Refuse unless ``actor`` holds ``perm``; ``None`` is the system (an operator's command)."""
    if actor is None:
        return
    if not actor.is_active or not actor.has_perm(perm):
        raise PermissionDenied(f"{actor} 没有权限：{perm}")
