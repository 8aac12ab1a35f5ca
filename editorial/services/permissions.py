"""Who the actor is to the workflow: model permissions, editorial roles, transitions allowed by
role. The decisions of an action, in a state, are made from these in ``policies``."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from editorial.roles import Role
from editorial.workflow import SUPERUSER_ROLES, Transition

Actor = User | AnonymousUser | None

_ROLES_BY_LABEL = {role.label: role for role in Role}


def require_perm(actor: Actor, perm: str) -> None:
    """Refuse unless ``actor`` holds ``perm``; ``None`` is the system (an operator's command)."""
    if actor is None:
        return
    if not actor.is_active or not actor.has_perm(perm):
        raise PermissionDenied(f"{actor} 没有权限：{perm}")


def actor_roles(actor: Actor) -> frozenset[Role]:
    """The editorial roles ``actor`` holds through its groups; a superuser is a publisher."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(actor, "_editorial_roles", None)
    if cached is None:
        names = actor.groups.values_list("name", flat=True)
        cached = frozenset(_ROLES_BY_LABEL[n] for n in names if n in _ROLES_BY_LABEL)
        if actor.is_superuser:
            cached |= SUPERUSER_ROLES
        setattr(actor, "_editorial_roles", cached)  # noqa: B010 - a per-request cache
    return cached


def may_take(actor: Actor, transition: Transition, *, assigned: bool = True) -> bool:
    """Whether ``actor`` may take ``transition``; ``assigned``: the article is the actor's own."""
    if actor is None:
        return True
    roles = actor_roles(actor) & transition.roles
    if transition.system_only or not roles:
        return False
    return assigned or bool(roles - transition.assigned_only)
