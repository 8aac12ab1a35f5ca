"""Logins for the people of the masthead."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction

from editorial.models import Person
from editorial.roles import Role

from .permissions import Actor, require_perm


@transaction.atomic
def account_provision(
    *, actor: Actor, username: str, password: str, person_name: str, roles: list[Role]
) -> User:
    """Create or reset a staff login for ``person_name`` holding exactly ``roles``."""
    require_perm(actor, "auth.add_user")
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    user.is_superuser = Role.PUBLISHER in roles
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[r.label for r in roles]))
    person, _ = Person.objects.get_or_create(name=person_name)
    Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
    person.user = user
    person.save(update_fields=["user"])
    return user
