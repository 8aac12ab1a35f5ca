"""Subscribers and deliveries over the API: only for the staff their policies allow (a 403
with the policy's reason for the rest of the team), the admin's services behind every action,
and a fixed number of queries however many rows there are."""

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from editorial.models import (
    Consent,
    ConsentAction,
    ConsentSource,
    Delivery,
    DeliveryStatus,
    Issue,
    Mailing,
    Subscriber,
    SubscriberStatus,
)
from editorial.roles import Role
from editorial.services.policies import delivery_view_check, subscriber_manage_check
from editorial.workflow import IssueStatus
from tests import factories
from tests.builders import mailing_of_every_outcome
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db
S = DeliveryStatus


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def logged_in(role: Role, username: str = "api-staff") -> Client:
    return signed_in(staff(username, "接口用户", role))


@pytest.fixture
def subscriber() -> Subscriber:
    subscriber = factories.SubscriberFactory.create(email="wang@example.cn", name="王敏")
    Consent.objects.create(
        subscriber=subscriber,
        action=ConsentAction.CONFIRM,
        source=ConsentSource.LINK,
        ip="203.0.113.7",
        consent_text_version="2024-04",
    )
    return subscriber


@pytest.fixture
def mailing() -> Mailing:
    return mailing_of_every_outcome()  # type: ignore[no-any-return]


# Subscribers ----------------------------------------------------------------------------------


def test_subscribers_are_only_for_those_who_manage_them(subscriber: Subscriber) -> None:
    assert Client().get("/api/v1/subscribers/").status_code == 401
    board = staff("board", "程茹", Role.BOARD_MEMBER)
    client = signed_in(board)
    refused = client.get(f"/api/v1/subscribers/{subscriber.pk}/")
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "permission_denied",
        "message": subscriber_manage_check(board).reason,
    }
    assert "管理订阅者" in refused.json()["message"]
    for action in ("unsubscribe", "erase"):
        assert client.post(f"/api/v1/subscribers/{subscriber.pk}/{action}/").status_code == 403
    assert client.get(f"/api/v1/subscribers/{subscriber.pk}/export/").status_code == 403
    unchanged = Subscriber.objects.get(pk=subscriber.pk)
    assert unchanged.status == SubscriberStatus.CONFIRMED and unchanged.email == "wang@example.cn"
    assert unchanged.consents.count() == 1


def test_the_list_filters_by_status_and_address(subscriber: Subscriber) -> None:
    gone = factories.SubscriberFactory.create(status=SubscriberStatus.UNSUBSCRIBED)
    client = logged_in(Role.EXECUTIVE_EDITOR)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/subscribers/{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [gone.pk, subscriber.pk]
    assert ids("?status=unsubscribed") == [gone.pk]
    assert ids("?q=WANG@") == [subscriber.pk]
    refused = client.get("/api/v1/subscribers/?status=gone")
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["status"]


def test_the_detail_holds_the_consent_record(subscriber: Subscriber) -> None:
    response = logged_in(Role.PUBLISHER).get(f"/api/v1/subscribers/{subscriber.pk}/")
    data = response.json()
    assert response.status_code == 200 and response.has_header("ETag")
    assert (data["email"], data["name"], data["status"]) == ("wang@example.cn", "王敏", "confirmed")
    assert data["consents"] == [
        {
            "action": "confirm",
            "at": data["consents"][0]["at"],
            "source": "link",
            "consent_text_version": "2024-04",
            "detail": "",
        }
    ]


def test_unsubscribe_export_and_erase_go_through_the_services(subscriber: Subscriber) -> None:
    client = logged_in(Role.EXECUTIVE_EDITOR)
    url = f"/api/v1/subscribers/{subscriber.pk}"

    unsubscribed = client.post(f"{url}/unsubscribe/")
    assert unsubscribed.status_code == 200
    assert unsubscribed.json()["status"] == "unsubscribed"
    assert [c["action"] for c in unsubscribed.json()["consents"]] == ["confirm", "unsubscribe"]
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.UNSUBSCRIBED

    exported = client.get(f"{url}/export/").json()
    assert exported["subscriber"]["email"] == "wang@example.cn"
    assert exported["consents"][0]["ip"] == "203.0.113.7"

    erased = client.post(f"{url}/erase/")
    assert erased.status_code == 200
    assert (erased.json()["email"], erased.json()["name"]) == ("", "")
    tombstone = Subscriber.objects.get(pk=subscriber.pk)
    assert tombstone.email == "" and tombstone.erased_at is not None
    assert tombstone.consents.filter(ip__isnull=False).count() == 0
    assert client.post("/api/v1/subscribers/999999/erase/").status_code == 404


# Deliveries -----------------------------------------------------------------------------------


def test_deliveries_are_only_for_those_who_release_issues(mailing: Mailing) -> None:
    assert Client().get("/api/v1/deliveries/").status_code == 401
    editor = staff("editor", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    client = signed_in(editor)
    refused = client.get(f"/api/v1/deliveries/{mailing.pk}/")
    assert refused.status_code == 403
    assert refused.json()["message"] == delivery_view_check(editor).reason
    assert client.post(f"/api/v1/deliveries/{mailing.pk}/pause/").status_code == 403
    assert not Mailing.objects.get(pk=mailing.pk).paused


def test_the_list_and_the_detail_count_the_rows_and_name_the_failures(mailing: Mailing) -> None:
    client = logged_in(Role.EDITOR_IN_CHIEF)
    counts = {
        "queued": 1,
        "sending": 0,
        "sent": 1,
        "failed": 1,
        "uncertain": 1,
        "skipped": 0,
        "closed": 0,
    }
    [row] = client.get("/api/v1/deliveries/").json()["results"]
    assert (row["id"], row["issue"], row["counts"]) == (mailing.pk, mailing.issue_id, counts)
    detail = client.get(f"/api/v1/deliveries/{mailing.pk}/").json()
    assert detail["counts"] == counts
    assert [(p["status"], p["error"]) for p in detail["problems"]] == [
        ("failed", "邮件服务器拒绝：552 Mailbox full"),
        ("uncertain", "发送中断（发送进程中止）"),
    ]


def test_pause_resume_resend_and_close_go_through_the_services(mailing: Mailing) -> None:
    client = logged_in(Role.EXECUTIVE_EDITOR)
    url = f"/api/v1/deliveries/{mailing.pk}"
    paused = client.post(f"{url}/pause/")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert Mailing.objects.get(pk=mailing.pk).paused
    failed = Delivery.objects.get(mailing=mailing, status=S.FAILED)
    uncertain = Delivery.objects.get(mailing=mailing, status=S.UNCERTAIN)
    sent = Delivery.objects.get(mailing=mailing, status=S.SENT)

    resent = client.post(
        f"{url}/resend/", {"delivery_ids": [uncertain.pk, sent.pk]}, content_type="application/json"
    )
    assert resent.json() == {"count": 1}  # a sent row is not sent again
    assert Delivery.objects.get(pk=uncertain.pk).status == S.QUEUED  # paused: it waits
    assert Delivery.objects.get(pk=sent.pk).status == S.SENT
    closed = client.post(
        f"{url}/close/", {"delivery_ids": [failed.pk]}, content_type="application/json"
    )
    assert closed.json() == {"count": 1}
    assert Delivery.objects.get(pk=failed.pk).status == S.CLOSED
    empty = client.post(f"{url}/close/", {"delivery_ids": []}, content_type="application/json")
    assert empty.status_code == 400 and list(empty.json()["fields"]) == ["delivery_ids"]

    resumed = client.post(f"{url}/resume/")
    assert resumed.status_code == 200 and resumed.json()["paused"] is False
    assert not Mailing.objects.get(pk=mailing.pk).paused


def test_a_refused_delivery_action_is_a_400_with_its_reason(mailing: Mailing) -> None:
    Mailing.objects.filter(pk=mailing.pk).update(paused=False)
    Issue.objects.filter(pk=mailing.issue_id).update(status=IssueStatus.DRAFT)
    response = logged_in(Role.EXECUTIVE_EDITOR).post(f"/api/v1/deliveries/{mailing.pk}/pause/")
    assert response.status_code == 400
    assert response.json() == {"code": "refused", "message": "只有已发布的期才有邮件投递。"}
    assert not Mailing.objects.get(pk=mailing.pk).paused


# Query budgets --------------------------------------------------------------------------------

# The staff's session, two-factor and permission lookups (7), then one query for the rows of a
# list, and one for a detail's consents or failed rows: the counts are in the mailings' query.
BUDGETS = {
    "/api/v1/subscribers/": 8,
    "/api/v1/subscribers/{subscriber}/": 9,
    "/api/v1/deliveries/": 8,
    "/api/v1/deliveries/{mailing}/": 9,
}


@pytest.mark.parametrize("size", [1, 50])
def test_lists_and_details_have_a_fixed_query_budget(
    size: int, django_assert_max_num_queries: Any
) -> None:
    publication = factories.PublicationFactory.create()
    for i in range(size):
        subscriber = factories.SubscriberFactory.create()
        Consent.objects.create(
            subscriber=subscriber, action=ConsentAction.SUBSCRIBE, source=ConsentSource.FORM
        )
        issue = factories.IssueFactory.create(
            publication=publication,
            number=i + 1,
            total_number=i + 1,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * i),
        )
        mailing = Mailing.objects.create(issue=issue, edition_fingerprint="f" * 64)
        Delivery.objects.create(mailing=mailing, subscriber=subscriber, status=S.SENT)
        failed = factories.SubscriberFactory.create()
        Delivery.objects.create(mailing=mailing, subscriber=failed, status=S.FAILED, error="552")
    ids = {"subscriber": subscriber.pk, "mailing": mailing.pk}
    client = logged_in(Role.EXECUTIVE_EDITOR)
    for url, budget in BUDGETS.items():
        with django_assert_max_num_queries(budget, info=url):
            response = client.get(url.format(**ids))
        assert response.status_code == 200, (url, response.content)
    mailings = client.get("/api/v1/deliveries/").json()["results"]
    assert len(mailings) == size
    assert {(m["counts"]["sent"], m["counts"]["failed"]) for m in mailings} == {(1, 1)}
    assert len(client.get("/api/v1/subscribers/").json()["results"]) == min(2 * size, 50)
