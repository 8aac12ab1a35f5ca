"""Organisations and people named in mastheads."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from editorial.models import Organisation, Person
from editorial.services.shared_records import organisation_save, person_save

from .common import NO_IMAGE, thumbnail


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Saved through ``organisation_save`` (audited: mastheads and profiles print it)."""

    list_display = ("name", "acronym", "name_en", "logo_thumbnail")
    search_fields = ("name", "name_en", "acronym")
    readonly_fields = ("logo_preview",)
    fields = ("name", "name_en", "acronym", "logo", "logo_preview", "profile")

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm, change: bool
    ) -> None:
        organisation_save(actor=request.user, organisation=obj)

    @admin.display(description="标志")
    def logo_thumbnail(self, obj: Organisation) -> str | None:
        return thumbnail(obj.logo, height=24)

    @admin.display(description="标志预览")
    def logo_preview(self, obj: Organisation) -> str:
        return thumbnail(obj.logo, height=96) or NO_IMAGE


class HasLoginFilter(admin.SimpleListFilter):
    title = "可登录"
    parameter_name = "has_login"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "是"), ("no", "否")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Person]) -> QuerySet[Person]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(user__isnull=self.value() == "no")
        return queryset


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Saved through ``person_save`` (audited: mastheads print the name)."""

    # Whether the person logs in, not the login's name: the team knows people by name.
    list_display = ("name", "has_login", "masthead_role_count")
    ordering = ("name",)
    list_filter = (HasLoginFilter,)
    list_select_related = ("user",)
    search_fields = ("name", "user__username")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        """Counting distinct roles, not entries: each issue repeats the masthead."""
        return (
            super()
            .get_queryset(request)
            .annotate(masthead_role_count=Count("masthead_entries__role", distinct=True))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> Any:
        """Those who may not link a login see whether the person has one, not its name."""
        fields = super().get_readonly_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else (*fields, "has_login")

    def get_fields(self, request: HttpRequest, obj: Person | None = None) -> Any:
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "user"]

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        person_save(actor=request.user, person=obj)

    @admin.display(description="可登录", boolean=True, ordering="user")
    def has_login(self, obj: Person) -> bool:
        return obj.user_id is not None

    @admin.display(description="报头角色数", ordering="masthead_role_count")
    def masthead_role_count(self, obj: Person) -> int:
        return obj.masthead_role_count  # type: ignore[attr-defined]
