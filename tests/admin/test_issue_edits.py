"""The issue's change page saves through issue_update; its 修订历史 lists, compares and restores;
the shared records' pages save through their services. Every refusal changes nothing."""

import re
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.admin.issues import IssueForm
from editorial.models import AuditEntry, Issue, MastheadMember, Organisation, Person, Publication
from editorial.roles import Role
from editorial.services import approvals, issue_transitions
from editorial.services.issue_edits import Masthead, MastheadRow, issue_update
from editorial.services.revisions import issue_versions
from editorial.workflow import IssueStatus
from tests import factories
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, chief, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def change_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def revisions_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_revisions", args=[issue.pk])


def executive() -> Client:
    return logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))


def page_form(client: Client, issue: Issue) -> dict[str, list[str]]:
    response = client.get(change_url(issue))
    assert response.status_code == 200
    return form_data(response.content.decode(), "issue_form")


def test_an_edit_of_the_cover_headline_leaves_an_audit_row_and_a_revision() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = executive()
    data = page_form(client, issue) | {"cover_headline": ["《数字经济2024年工作要点》"]}

    response = client.post(change_url(issue), data)

    assert response.status_code == 302
    edited = Issue.objects.get(pk=issue.pk)
    assert edited.cover_headline == "《数字经济2024年工作要点》"
    assert edited.lock_version == issue.lock_version + 1
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert (entry.action, entry.note, str(entry.actor)) == ("update", "修改封面要闻", "yang")
    [version] = issue_versions(issue)
    assert version.revision.comment == "修改封面要闻"
    assert version.revision.user.username == "yang"


def test_masthead_rows_are_saved_in_the_same_service_call() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = executive()
    data = page_form(client, issue)
    deputy = factories.PersonFactory.create(name="程茹")
    prefix = "masthead_members"
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data |= {
        f"{prefix}-TOTAL_FORMS": [str(index + 1)],
        f"{prefix}-{index}-role": ["deputy_editor"],
        f"{prefix}-{index}-person": [str(deputy.pk)],
        f"{prefix}-{index}-position": ["2"],
        f"{prefix}-{index}-issue": [str(issue.pk)],
        "cover_headline": ["连同报头"],
    }

    response = client.post(change_url(issue), data)

    assert response.status_code == 302
    roles = MastheadMember.objects.filter(issue=issue).values_list("role", "person__name")
    assert ("deputy_editor", "程茹") in list(roles)
    [entry] = AuditEntry.objects.filter(issue=issue, action="update")
    assert entry.note == "修改封面要闻、报头人员"
    assert len(issue_versions(issue)) == 1


def test_a_stale_save_is_refused_on_the_form_and_changes_nothing() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = executive()
    data = page_form(client, issue) | {"cover_headline": ["晚到的修改"]}
    issue_update(
        actor=None,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "先到的修改"},
    )
    before = snapshot(issue.pk)

    response = client.post(change_url(issue), data)

    assert response.status_code == 200
    assert "保存被拒绝：本期已被" in response.content.decode()
    assert snapshot(issue.pk) == before
    assert Issue.objects.get(pk=issue.pk).cover_headline == "先到的修改"


@pytest.mark.django_db(transaction=True)
def test_a_publication_between_the_check_and_the_save_is_refused_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    client = executive()
    # Past the confirmation that approvals will be voided (tests/admin/test_approval_guard.py).
    data = page_form(client, issue) | {"cover_headline": ["发布时的修改"], "confirmed": ["1"]}
    check_fresh = IssueForm.check_fresh

    def publish_meanwhile(form: IssueForm, base_version: int | None) -> None:
        """The form's checks pass; then a publisher commits from another connection."""
        check_fresh(form, base_version)
        thread = threading.Thread(target=publish)
        thread.start()
        thread.join(timeout=10)

    def publish() -> None:
        try:
            issue_transitions.issue_publish(actor=None, issue_id=issue.pk)
        finally:
            connection.close()

    monkeypatch.setattr(IssueForm, "check_fresh", publish_meanwhile)
    audit = AuditEntry.objects.filter(issue=issue)
    published_rows = audit.count() + 1

    response = client.post(change_url(issue), data)

    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("本期未保存：已发布的期不能修改")
    published = Issue.objects.get(pk=issue.pk)
    assert published.status == IssueStatus.PUBLISHED
    assert published.cover_headline == issue.cover_headline
    assert audit.count() == published_rows
    assert not audit.filter(action="update").exists()
    assert not issue_versions(issue)


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.RESPONSIBLE_EDITOR])
def test_a_role_without_change_issue_may_not_post_the_form(role: Role) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    data = page_form(executive(), issue) | {"cover_headline": ["无权的修改"]}
    client = logged_in(staff("someone", "某人", role))
    before = snapshot(issue.pk)

    response = client.post(change_url(issue), data)

    assert response.status_code == 403
    assert snapshot(issue.pk) == before


def edited_issue() -> tuple[Issue, list[Version]]:
    """An issue in edit whose cover headline 杨婷 changed twice (three versions with creation)."""
    yang = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    for headline in ("第一版要闻", "第二版要闻", "第三版要闻"):
        issue = Issue.objects.get(pk=issue.pk)
        issue_update(
            actor=yang,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={"cover_headline": headline},
        )
    return Issue.objects.get(pk=issue.pk), issue_versions(issue)


def test_the_change_page_links_to_the_history() -> None:
    issue, _ = edited_issue()

    html = executive().get(change_url(issue)).content.decode()

    assert f'<a href="{revisions_url(issue)}" id="revisions-link">修订历史</a>' in html


def test_the_history_lists_and_compares_versions_with_chinese_labels() -> None:
    issue, versions = edited_issue()
    client = logged_in(staff("cheng", "程茹", Role.BOARD_MEMBER))

    response = client.get(revisions_url(issue))

    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr id="version-(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _ in rows] == [v.pk for v in versions]
    first_row = " ".join(rows[0][1].split())
    assert "第 3 版（当前）" in first_row and "杨婷" in first_row and "修改封面要闻" in first_row
    diff = html[html.index('id="diff"') : html.index('id="versions"')]
    assert "<th>封面要闻</th>" in diff
    assert "第<del>二</del><ins>三</ins>版要闻" in diff  # the changed character, in its line
    assert "恢复到此版本" not in html  # a board member reads, but may not restore


def test_the_masthead_rows_are_compared_readably() -> None:
    issue, _ = edited_issue()
    current = Masthead.of(issue)
    deputy = MastheadRow("deputy_editor", factories.PersonFactory.create(name="程茹").pk, 5)
    for members in ((*current.members, deputy), current.members):
        issue = Issue.objects.get(pk=issue.pk)
        issue_update(
            actor=None,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes={},
            masthead=Masthead(organisations=current.organisations, members=members),
        )
    new, old = issue_versions(issue)[:2]

    html = executive().get(revisions_url(issue), {"old": old.pk, "new": new.pk}).content.decode()

    diff = html[html.index('id="diff"') : html.index('id="versions"')]
    assert re.findall(r"<tr><th>(.*?)</th>", diff) == ["报头人员"]
    assert "<del>副总编辑：程茹</del>" in diff


def test_restoring_a_version_through_the_button_invalidates_approvals() -> None:
    issue, versions = edited_issue()
    issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    approvals.issue_approve(actor=chief(), issue_id=issue.pk)
    client = executive()
    oldest = versions[-1]
    url = reverse("admin:editorial_issue_revision_restore", args=[issue.pk, oldest.pk])
    assert f'action="{url}"' in client.get(revisions_url(issue)).content.decode()

    asked = client.post(url).content.decode()
    assert "宋希贤 的批准将失效" in asked
    response = post_confirmed(client, url)

    assert response.status_code == 302
    assert response["Location"] == change_url(issue)
    assert messages_of(response) == [f"已将{issue.label}恢复到所选版本（保存为新的一版）。"]
    restored = Issue.objects.get(pk=issue.pk)
    assert restored.cover_headline == "第一版要闻"
    assert restored.status == IssueStatus.IN_REVIEW
    assert not restored.approvals.filter(invalidated_at__isnull=True).exists()
    assert AuditEntry.objects.filter(issue=issue, action="revision_restore").count() == 1
    assert len(issue_versions(issue)) == 4


def test_a_restore_by_a_role_without_change_issue_changes_nothing() -> None:
    issue, versions = edited_issue()
    client = logged_in(staff("cheng", "程茹", Role.BOARD_MEMBER))
    before = snapshot(issue.pk)

    url = reverse("admin:editorial_issue_revision_restore", args=[issue.pk, versions[-1].pk])
    response = client.post(url)

    assert response.status_code == 403
    assert snapshot(issue.pk) == before


def test_a_restore_of_a_published_issue_is_refused_with_a_message() -> None:
    issue, versions = edited_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    before = snapshot(issue.pk)

    url = reverse("admin:editorial_issue_revision_restore", args=[issue.pk, versions[-1].pk])
    response = executive().post(url)

    assert response["Location"] == revisions_url(issue)
    [message] = messages_of(response)
    assert message.startswith("未能恢复：已发布的期不能修改")
    assert snapshot(issue.pk) == before


# The shared records' pages.


def shared_entry(obj: object) -> AuditEntry:
    kind = ContentType.objects.get_for_model(type(obj))  # type: ignore[arg-type]
    return AuditEntry.objects.get(content_type=kind, object_id=obj.pk)  # type: ignore[attr-defined]


def test_editing_a_publication_and_its_sections_in_the_admin_is_audited(
    editor_client: Client, publication: Publication
) -> None:
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    url = reverse("admin:editorial_publication_change", args=[publication.pk])
    data = form_data(editor_client.get(url).content.decode(), "publication_form")
    data["tagline"] = ["为数字创新领导者提供决策参考信息"]
    data["sections-0-name"] = ["国策要论（新）"]

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert shared_entry(publication).note == "修改封面标语"
    assert shared_entry(section).note == "修改栏目名称"


def test_a_section_deleted_in_its_admin_is_audited(
    editor_client: Client, publication: Publication
) -> None:
    section = factories.SectionFactory.create(publication=publication, name="数谷动态")
    url = reverse("admin:editorial_section_delete", args=[section.pk])

    response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="delete")
    assert (entry.object_repr, entry.note) == ("数谷动态", "删除大数据发展动态的栏目")


@pytest.mark.parametrize(
    ("model", "obj_data", "change", "note"),
    [
        ("organisation", {"name": "贵阳智能大数据战略研究院"}, {"acronym": "GIBD"}, "修改缩写"),
        ("person", {"name": "宋希贤"}, {"name": "宋希贤（总编）"}, "修改姓名"),
    ],
)
def test_organisations_and_people_edited_in_the_admin_are_audited(
    editor_client: Client, model: str, obj_data: dict[str, str], change: dict[str, str], note: str
) -> None:
    obj = (Organisation if model == "organisation" else Person).objects.create(**obj_data)
    url = reverse(f"admin:editorial_{model}_change", args=[obj.pk])
    data = form_data(editor_client.get(url).content.decode(), f"{model}_form")
    data |= {name: [value] for name, value in change.items()}

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert shared_entry(obj).note == note


def test_a_notice_added_in_the_admin_is_audited_and_the_log_shows_shared_rows(
    editor_client: Client, publication: Publication
) -> None:
    editor_client.post(
        reverse("admin:editorial_copyrightnotice_add"),
        {"publication": publication.pk, "text": "声明：新版本。", "_save": "保存"},
    )
    notice = publication.notices.get()

    html = editor_client.get(reverse("admin:editorial_auditentry_changelist")).content.decode()

    assert shared_entry(notice).note == "新版本声明（第 1 版）"
    link = reverse("admin:editorial_copyrightnotice_change", args=[notice.pk])
    assert f'<a href="{link}">{notice}</a>' in html
