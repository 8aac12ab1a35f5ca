"""Editorial roles as Django groups, and the model permissions each one holds.

The groups are created and kept in step by migrations (``sync_role_groups``); workflow rules
that go beyond model permissions live in ``editorial.workflow``.
"""

from typing import Any

from django.db import models


class Role(models.TextChoices):
    RESPONSIBLE_EDITOR = "responsible_editor", "责任编辑"
    ART_EDITOR = "art_editor", "美术编辑"
    EXECUTIVE_EDITOR = "executive_editor", "执行编辑"
    BOARD_MEMBER = "board_member", "编委"
    EDITOR_IN_CHIEF = "editor_in_chief", "总编辑"
    PUBLISHER = "publisher", "出版管理员"


_MODELS = (
    "publication",
    "section",
    "copyrightnotice",
    "organisation",
    "person",
    "issue",
    "mastheadorganisation",
    "mastheadmember",
    "article",
    "figure",
)
# What the workflow and the outputs record: written only by services, read by the whole team.
_RECORDS = (
    "approval",
    "auditentry",
    "comment",
    "editlock",
    "notification",
    "rendition",
    "wechatpush",
    "wechatimage",
)
_VIEW_ALL = [f"view_{m}" for m in (*_MODELS, *_RECORDS)]
# Subscribers' personal data: only those who manage the mailing list see it (add and change
# through the services: status never by hand; delete is erasure, a service too).
_SUBSCRIBERS = ["view_subscriber", "add_subscriber", "change_subscriber", "view_consent"]


def _crud(*names: str) -> list[str]:
    return [f"{action}_{name}" for name in names for action in ("add", "change", "delete", "view")]


ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.RESPONSIBLE_EDITOR: [*_VIEW_ALL, "change_article", *_crud("figure")],
    Role.ART_EDITOR: [*_VIEW_ALL, "change_article", *_crud("figure")],
    Role.EXECUTIVE_EDITOR: [
        *_VIEW_ALL,
        "add_issue",
        "change_issue",
        *_crud("article", "figure", "mastheadorganisation", "mastheadmember"),
        "add_section",
        "change_section",
        "add_organisation",
        "change_organisation",
        "add_person",
        "change_person",
        "add_copyrightnotice",
        *_SUBSCRIBERS,
    ],
    Role.BOARD_MEMBER: _VIEW_ALL,
    Role.EDITOR_IN_CHIEF: _VIEW_ALL,
    Role.PUBLISHER: [*_crud(*_MODELS), *(f"view_{m}" for m in _RECORDS), *_SUBSCRIBERS],
}


def sync_role_groups(apps: Any, schema_editor: Any = None) -> None:
    """Create each role's group and give it exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    # An early migration runs before later models exist: grant what exists at that point.
    existing = {m._meta.model_name for m in apps.get_app_config("editorial").get_models()}
    for role, all_codenames in ROLE_PERMISSIONS.items():
        codenames = [c for c in all_codenames if c.split("_", 1)[1] in existing]
        group, _ = group_model.objects.get_or_create(name=role.label)
        permissions = permission_model.objects.filter(
            content_type__app_label="editorial", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"unknown permissions for {role.label}: {sorted(missing)}")
        group.permissions.set(permissions)
