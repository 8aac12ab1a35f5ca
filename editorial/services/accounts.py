"""Logins for the people of the masthead."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial.models import Person
from editorial.roles import Role

from .permissions import Actor, require_perm


@transaction.atomic
def account_provision(
    *,
    actor: Actor,
    username: str,
    password: str,
    person_name: str,
    roles: list[Role],
    email: str | None = None,
) -> User:
    """Create or reset a staff login for ``person_name`` holding exactly ``roles``; ``email``,
    when given, is where their notifications are sent (without one: 我的通知 only)."""
    require_perm(actor, "auth.add_user")
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    user.is_superuser = Role.PUBLISHER in roles
    user.set_password(password)
    if email is not None:
        user.email = email
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[r.label for r in roles]))
    person, _ = Person.objects.get_or_create(name=person_name)
    Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
    person.user = user
    person.save(update_fields=["user"])
    return user


def account_totp_device(*, user: User) -> TOTPDevice:
    """The user's TOTP device being set up: the unconfirmed one, made when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def account_totp_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the device being set up with a code it shows; None when the code is wrong.

    Other devices of the user go, so that one lost phone does not stay a way in.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device
