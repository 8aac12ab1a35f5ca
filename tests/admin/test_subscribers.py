"""The subscriber admin: only those who run the list get in; filters, search and the consent
history; no status editing; CSV import (all or nothing), export and erasure with confirmation."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Consent, ConsentSource, Subscriber, SubscriberStatus
from editorial.roles import Role
from editorial.services.subscriptions import subscriber_unsubscribe
from tests.admin.forms import form_data
from tests.factories import SubscriberFactory
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:editorial_subscriber_changelist")
IMPORT = reverse("admin:editorial_subscriber_import")


@pytest.fixture
def executive_client(client: Client) -> Client:
    client.force_login(staff("executive", "执行编辑甲", Role.EXECUTIVE_EDITOR))
    return client


def change_url(subscriber: Subscriber) -> str:
    return reverse("admin:editorial_subscriber_change", args=[subscriber.pk])


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.EDITOR_IN_CHIEF, Role.RESPONSIBLE_EDITOR, Role.ART_EDITOR]
)
def test_the_rest_of_the_team_sees_no_subscriber(client: Client, role: Role) -> None:
    user: User = staff("someone", "某人", role)
    subscriber = SubscriberFactory.create()
    client.force_login(user)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(subscriber)).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert "订阅者" not in client.get(reverse("admin:index")).content.decode()


def test_the_list_filters_searches_and_costs_the_same_for_more_rows(
    executive_client: Client,
) -> None:
    SubscriberFactory.create(email="wang@example.cn", name="王力", organisation="国家数据局")
    SubscriberFactory.create(status=SubscriberStatus.BOUNCED, format="attach")
    SubscriberFactory.create(status=SubscriberStatus.PENDING)

    def rows(**query: str) -> list[int]:
        return [s.pk for s in executive_client.get(CHANGELIST, query).context["cl"].result_list]

    with CaptureQueriesContext(connection) as three:
        assert len(rows()) == 3
    SubscriberFactory.create_batch(6)
    with CaptureQueriesContext(connection) as nine:
        assert len(rows()) == 9
    assert len(nine.captured_queries) == len(three.captured_queries) <= 12
    assert rows(status__exact="bounced") == rows(format__exact="attach")
    assert len(rows(status__exact="bounced")) == 1
    assert rows(q="国家数据局") == rows(q="wang@") == [Subscriber.objects.get(name="王力").pk]
    assert len(rows(source__exact="form")) == 9
    page = executive_client.get(CHANGELIST).content.decode()
    assert "导入 CSV" in page and "删除所选订阅者的个人数据" in page


def test_the_change_form_shows_consents_read_only_and_never_the_status(
    executive_client: Client,
) -> None:
    subscriber = SubscriberFactory.create(name="王力")
    subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.ONE_CLICK, ip="192.0.2.1")
    url = change_url(subscriber)
    page = executive_client.get(url).content.decode()
    assert "同意记录（只读）" in page and "192.0.2.1" in page and "一键退订" in page
    data = form_data(page, "subscriber_form")
    assert "status" not in data and "email" not in data
    data.update({"name": ["王力新"], "status": ["confirmed"]})
    response = executive_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    subscriber.refresh_from_db()
    assert (subscriber.name, subscriber.status) == ("王力新", SubscriberStatus.UNSUBSCRIBED)
    last = Consent.objects.latest("id")
    assert (last.action, last.source, last.detail) == ("preferences", "admin", "修改姓名")


def test_a_bad_csv_imports_nothing_and_a_good_one_reports(executive_client: Client) -> None:
    bad = SimpleUploadedFile("bad.csv", b"email\nok@example.cn\nbroken\n")
    response = executive_client.post(IMPORT, {"file": bad, "confirmed": "on"}, follow=True)
    assert "未导入任何订阅者" in response.content.decode()
    assert "第3行 电子邮箱：邮箱格式不正确（“broken”）。" in response.content.decode()
    assert not Subscriber.objects.exists()

    SubscriberFactory.create(email="left@example.cn", status=SubscriberStatus.UNSUBSCRIBED)
    good = SimpleUploadedFile(
        "good.csv", "email,name\nnew@example.cn,新\nleft@example.cn,\n".encode()
    )
    response = executive_client.post(
        IMPORT, {"file": good, "confirmed": "on", "source": "年会"}, follow=True
    )
    content = response.content.decode()
    assert "新增 1 位订阅者" in content and "left@example.cn：已退订，未恢复订阅。" in content
    new = Subscriber.objects.get(email="new@example.cn")
    assert new.status == SubscriberStatus.CONFIRMED
    assert new.consents.get().detail == "已持有同意；文件 good.csv；来源：年会"


def test_export_downloads_json_and_erasure_asks_first(executive_client: Client) -> None:
    subscriber = SubscriberFactory.create(email="me@example.cn")
    selected = {"_selected_action": [str(subscriber.pk)]}
    response = executive_client.post(CHANGELIST, {**selected, "action": "export_selected"})
    assert (
        response["Content-Disposition"] == f'attachment; filename="subscriber-{subscriber.pk}.json"'
    )
    [data] = json.loads(response.content)
    assert data["subscriber"]["email"] == "me@example.cn"

    executive_client.post(CHANGELIST, {**selected, "action": "unsubscribe_selected"})
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.consents.get().source == ConsentSource.ADMIN

    asked = executive_client.post(CHANGELIST, {**selected, "action": "erase_selected"})
    assert "此操作不能撤销" in asked.content.decode() and "me@example.cn" in asked.content.decode()
    assert Subscriber.objects.get().erased_at is None
    done = executive_client.post(
        CHANGELIST, {**selected, "action": "erase_selected", "confirm": "yes"}, follow=True
    )
    assert "已删除 1 位订阅者的个人数据" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == "" and subscriber.erased_at is not None
    assert executive_client.get(change_url(subscriber)).status_code == 200  # view only now
