"""The copyright notice is add-only: versions are read-only, a new text becomes the next version."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.test import Client
from django.urls import reverse

from editorial.models import CopyrightNotice, Publication
from tests import factories
from tests.admin.forms import form_data

pytestmark = pytest.mark.django_db

OLD_TEXT = "声明：本信息产品为内部交流学习资料。"


@pytest.fixture
def notice(publication: Publication) -> CopyrightNotice:
    factories.CopyrightNoticeFactory.create(publication=publication, version=1, text="旧声明")
    return factories.CopyrightNoticeFactory.create(
        publication=publication, version=2, text=OLD_TEXT
    )


def change_url(notice: CopyrightNotice) -> str:
    return reverse("admin:editorial_copyrightnotice_change", args=[notice.pk])


def test_an_existing_version_opens_read_only(
    editor_client: Client, notice: CopyrightNotice
) -> None:
    response = editor_client.get(change_url(notice))

    content = response.content.decode()
    assert response.status_code == 200
    assert OLD_TEXT in content
    assert form_data(content, "copyrightnotice_form").keys() <= {"csrfmiddlewaretoken"}
    assert 'name="text"' not in content
    assert "已有版本不可修改" in content


def test_posting_to_an_existing_version_changes_nothing(
    editor_client: Client, notice: CopyrightNotice
) -> None:
    response = editor_client.post(
        change_url(notice), {"publication": notice.publication_id, "text": "改过的声明"}
    )

    assert response.status_code == 403
    notice.refresh_from_db()
    assert (notice.version, notice.text) == (2, OLD_TEXT)


def test_adding_a_notice_makes_the_next_version(
    editor_client: Client, publication: Publication, notice: CopyrightNotice
) -> None:
    response = editor_client.post(
        reverse("admin:editorial_copyrightnotice_add"),
        {"publication": publication.pk, "text": "  声明：新版本。  ", "_save": "保存"},
    )

    assert response.status_code == 302
    latest = CopyrightNotice.objects.filter(publication=publication).latest()
    assert (latest.version, latest.text) == (3, "声明：新版本。")
    notice.refresh_from_db()
    assert notice.text == OLD_TEXT
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(latest.pk)


def test_the_first_notice_of_a_publication_is_version_one(
    editor_client: Client, publication: Publication
) -> None:
    editor_client.post(
        reverse("admin:editorial_copyrightnotice_add"),
        {"publication": publication.pk, "text": "声明", "_save": "保存"},
    )

    assert list(CopyrightNotice.objects.values_list("version", "text")) == [(1, "声明")]


def test_the_add_form_asks_only_for_publication_and_text(
    editor_client: Client, publication: Publication
) -> None:
    response = editor_client.get(reverse("admin:editorial_copyrightnotice_add"))

    data = form_data(response.content.decode(), "copyrightnotice_form")
    assert set(data) == {"csrfmiddlewaretoken", "publication", "text"}
