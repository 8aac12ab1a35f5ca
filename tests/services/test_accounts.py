"""Logins for masthead people: exactly the roles given, the person linked, a reset is a reset."""

import pytest
from django.core.exceptions import PermissionDenied

from editorial.models import Person
from editorial.roles import Role
from editorial.services.accounts import account_provision
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_login_holds_exactly_its_roles_and_belongs_to_its_person() -> None:
    user = account_provision(
        actor=None,
        username="board1",
        password="a-long-pass-phrase",
        person_name="程茹",
        roles=[Role.BOARD_MEMBER],
    )
    assert user.is_staff and not user.is_superuser and user.check_password("a-long-pass-phrase")
    assert list(user.groups.values_list("name", flat=True)) == [Role.BOARD_MEMBER.label]
    assert Person.objects.get(name="程茹").user == user

    again = account_provision(
        actor=None,
        username="board1",
        password="another-pass-phrase",
        person_name="程茹",
        roles=[Role.EDITOR_IN_CHIEF],
    )
    assert again.pk == user.pk and again.check_password("another-pass-phrase")
    assert list(again.groups.values_list("name", flat=True)) == [Role.EDITOR_IN_CHIEF.label]


def test_only_who_may_add_users_provisions() -> None:
    clerk = factories.UserFactory.create(is_staff=True)
    with pytest.raises(PermissionDenied):
        account_provision(
            actor=clerk, username="x", password="pass-word-123", person_name="某人", roles=[]
        )
    assert not Person.objects.filter(name="某人").exists()
