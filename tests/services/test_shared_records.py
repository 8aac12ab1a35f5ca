"""The records issues print from: every change is permission-checked and audited, naming what
changed; an unchanged save writes nothing; a refusal writes nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model

from editorial.models import AuditEntry, Organisation, Person, Publication, Section
from editorial.roles import Role
from editorial.services.notices import notice_revise
from editorial.services.shared_records import (
    organisation_save,
    person_save,
    publication_save,
    section_delete,
    section_save,
)
from tests import factories
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def entry_for(obj: Model) -> AuditEntry:
    return AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def test_a_publication_edit_is_audited_with_the_changed_fields(publication: Publication) -> None:
    publisher = staff("admin1", "管理员", Role.PUBLISHER)
    publication.tagline = "为数字创新领导者提供决策参考信息"
    publication.phone = "0851-12345678"

    publication_save(actor=publisher, publication=publication)

    entry = entry_for(publication)
    assert (entry.action, entry.actor, entry.note) == (
        "update",
        publisher,
        "修改封面标语、咨询电话",
    )
    assert (entry.issue, entry.article, entry.object_repr) == (None, None, "大数据发展动态")


def test_an_unchanged_save_writes_no_row(publication: Publication) -> None:
    publication_save(actor=None, publication=Publication.objects.get(pk=publication.pk))

    assert not AuditEntry.objects.exists()


def test_sections_are_created_edited_and_deleted_with_a_row_each(
    publication: Publication,
) -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    section = section_save(
        actor=executive, section=Section(publication=publication, slug="gc", name="国策要论")
    )
    section.name = "国策要论（新）"
    section_save(actor=executive, section=section)
    section_delete(actor=None, section_id=section.pk)

    rows = AuditEntry.objects.order_by("pk").values_list("action", "note", "object_repr")
    assert list(rows) == [
        ("create", "新建栏目", "国策要论"),
        ("update", "修改栏目名称", "国策要论（新）"),
        ("delete", "删除大数据发展动态的栏目", "国策要论（新）"),
    ]
    assert not Section.objects.exists()


def test_organisations_and_people_are_audited() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    organisation = organisation_save(
        actor=executive, organisation=Organisation(name="贵阳智能大数据战略研究院")
    )
    organisation.acronym = "GIBD"
    organisation_save(actor=executive, organisation=organisation)
    person = person_save(actor=executive, person=Person(name="宋希贤"))

    assert list(AuditEntry.objects.order_by("pk").values_list("action", "note")) == [
        ("create", "新建机构"),
        ("update", "修改缩写"),
        ("create", "新建人员"),
    ]
    assert entry_for(person).actor == executive


def test_a_new_notice_version_is_audited(publication: Publication) -> None:
    notice = notice_revise(actor=None, publication=publication, text="声明：第一版。")

    assert entry_for(notice).note == "新版本声明（第 1 版）"


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.RESPONSIBLE_EDITOR])
def test_roles_without_the_permission_are_refused_and_nothing_is_written(
    publication: Publication, role: Role
) -> None:
    user = staff("someone", "某人", role)
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    publication.name = "改名"
    section.name = "改名"

    for call in (
        lambda: publication_save(actor=user, publication=publication),
        lambda: section_save(actor=user, section=section),
        lambda: section_delete(actor=user, section_id=section.pk),
        lambda: organisation_save(actor=user, organisation=Organisation(name="新机构")),
        lambda: person_save(actor=user, person=Person(name="新人")),
        lambda: notice_revise(actor=user, publication=publication, text="新声明"),
    ):
        with pytest.raises(PermissionDenied):
            call()

    assert not AuditEntry.objects.exists()
    assert Publication.objects.get(pk=publication.pk).name == "大数据发展动态"
    assert Section.objects.get(pk=section.pk).name == "国策要论"
    assert not Organisation.objects.exists() and not Person.objects.exclude(name="某人").exists()
