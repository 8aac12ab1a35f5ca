"""The project's own configuration of Django's admin app: our admin site as the default, so that
``admin.site`` and every ``@admin.register`` mean it."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString


class DigestAdminSite(admin.AdminSite):
    """Django's admin site, with the editors' home page (editorial/admin/dashboard.py) as its
    index."""

    site_header = "Digest 编辑部"
    site_title = "Digest 编辑部"
    index_title = "编辑工作台"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        # Imported here: the editorial admin modules register with this site as they load.
        from editorial.admin.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        """Django's list, the editorial tables in the order of the week's work."""
        from editorial.admin import MODEL_ORDER

        def place(model: dict[str, Any]) -> int:
            name = model["object_name"].lower()
            return MODEL_ORDER.index(name) if name in MODEL_ORDER else len(MODEL_ORDER)

        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == "editorial":
                app["models"].sort(key=place)
        return apps


# What a yes/no icon says to a screen reader (Django writes "True", "False" or "None").
BOOLEAN_ALT = {True: "是", False: "否", None: "未知"}


def boolean_icon(field_val: bool | None) -> SafeString:
    icon_url = static(
        f"admin/img/icon-{ {True: 'yes', False: 'no', None: 'unknown'}[field_val] }.svg"
    )
    return format_html('<img src="{}" alt="{}">', icon_url, BOOLEAN_ALT[field_val])


# The session's copy of the logged-in person's name, for the greeting on every admin page
# (templates/admin/base_site.html); a rename shows from the next login.
PERSON_NAME = "digest_person_name"


def remember_person_name(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Keep the name the greeting shows ("欢迎，杨婷") in the session at login, so that no page
    reads the person row again for it."""
    from editorial.models.people import who  # the models load after the app configs

    if request is not None and hasattr(request, "session"):
        request.session[PERSON_NAME] = who(user)


class AdminConfig(DjangoAdminConfig):
    default_site = "digest.apps.DigestAdminSite"

    def ready(self) -> None:
        super().ready()
        # Every list and read-only field draws booleans with this one function (admin_list and
        # helpers and utils look it up there at each call): its alt text, in Chinese.
        admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]
        user_logged_in.connect(remember_person_name, dispatch_uid="digest-person-name")
