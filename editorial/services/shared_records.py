"""The records every issue prints from (publication, sections, organisations, people): each change
is permission-checked and leaves an audit row naming what changed, because it changes what
issues print.
"""

from typing import TypeVar

from django.db import transaction
from django.db.models import Model

from editorial.models import Organisation, Person, Publication, Section

from .audit import audit_record
from .documents import documents_forget
from .permissions import Actor, require_perm
from .search_index import search_generation_bump

M = TypeVar("M", bound=Model)


@transaction.atomic
def publication_save(*, actor: Actor, publication: Publication) -> Publication:
    """A change of whether the site shows the 声明 drops the stored issue pages that show or hide
    it: they render on the fly, rightly, until ``build_site`` stores them again. Kept search
    pages show the publication's name: a save makes them stale (a new search generation)."""
    before = (
        Publication.objects.filter(pk=publication.pk)
        .values_list("notice_public", flat=True)
        .first()
    )
    saved = _record_save(actor, publication)
    if before is not None and before != saved.notice_public:
        documents_forget(kind="issue", publication_slug=saved.slug)
    search_generation_bump()
    return saved


@transaction.atomic
def section_save(*, actor: Actor, section: Section) -> Section:
    return _record_save(actor, section)


@transaction.atomic
def section_delete(*, actor: Actor, section_id: int) -> None:
    """Only a section no article uses goes (articles protect theirs); the row names it after."""
    section = Section.objects.select_for_update().select_related("publication").get(pk=section_id)
    require_perm(actor, "editorial.delete_section")
    audit_record(actor=actor, action="delete", obj=section, note=f"删除{section.publication}的栏目")
    section.delete()


@transaction.atomic
def organisation_save(*, actor: Actor, organisation: Organisation) -> Organisation:
    return _record_save(actor, organisation)


@transaction.atomic
def person_save(*, actor: Actor, person: Person) -> Person:
    return _record_save(actor, person)


def _record_save(actor: Actor, obj: M) -> M:
    """Validate and save a new or edited record; an edit that changes nothing is no write."""
    opts = obj._meta
    if obj.pk is None:
        require_perm(actor, f"{opts.app_label}.add_{opts.model_name}")
        obj.full_clean()
        obj.save()
        audit_record(actor=actor, action="create", obj=obj, note=f"新建{opts.verbose_name}")
        return obj
    require_perm(actor, f"{opts.app_label}.change_{opts.model_name}")
    stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    changed = [
        str(field.verbose_name)
        for field in opts.concrete_fields
        if field.editable and field.value_from_object(obj) != field.value_from_object(stored)
    ]
    if not changed:
        return obj
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action="update", obj=obj, note=f"修改{'、'.join(changed)}")
    return obj
