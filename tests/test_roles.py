"""The role groups, as the migrations leave them, hold exactly the permissions of the table."""

import pytest
from django.contrib.auth.models import Group

from editorial.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_group_holds_exactly_its_permissions(role: Role) -> None:
    group = Group.objects.get(name=role.label)
    held = set(group.permissions.values_list("codename", flat=True))
    assert held == set(ROLE_PERMISSIONS[role])
    assert "view_auditentry" in held  # the whole team reads the audit log


def test_only_the_executive_editor_and_publisher_create_issues() -> None:
    creators = Group.objects.filter(permissions__codename="add_issue").values_list(
        "name", flat=True
    )
    assert sorted(creators) == sorted([Role.EXECUTIVE_EDITOR.label, Role.PUBLISHER.label])
