"""The project's own configuration of Django's admin app: our admin site as the default, so that
``admin.site`` and every ``@admin.register`` mean it."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse


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


class AdminConfig(DjangoAdminConfig):
    default_site = "digest.apps.DigestAdminSite"
