"""The ESP's tracking webhooks through anymail: Mailgun's signed payloads (HMAC and basic auth)
and Postmark's (basic auth) mapped to the ledger, each event applied once, forgeries refused."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from editorial.models import Delivery, DeliveryEvent, DeliveryStatus, Mailing, SubscriberStatus
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db
SIGNING_KEY = "key-mailgun-signing-test"
SECRET = "hook:s3cret-words"
MAILGUN = "/anymail/mailgun/tracking/"
POSTMARK = "/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def _anymail(settings: Settings) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def sent() -> Delivery:
    mailing = Mailing.objects.get(issue=bring_to(small_issue(), IssueStatus.PUBLISHED))
    return Delivery.objects.create(
        mailing=mailing,
        subscriber=factories.SubscriberFactory.create(email="reader@example.cn"),
        status=DeliveryStatus.SENT,
        message_id="<abc.1@example.cn>",
        provider_message_id="20240506.abc@mg.example.cn",
    )


def auth(secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def mailgun(event: str, delivery: Delivery, event_id: str, *, key: str = SIGNING_KEY) -> str:
    timestamp, token = str(int(time.time())), f"token-{event_id}"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "id": event_id,
        "event": event,
        "timestamp": time.time(),
        "recipient": delivery.subscriber.email,
        "message": {"headers": {"message-id": delivery.provider_message_id}},
        "user-variables": {"delivery": str(delivery.pk)},
    }
    if event == "failed":
        data.update(
            severity="permanent",
            reason="bounce",
            **{"delivery-status": {"code": 550, "message": "No such user"}},
        )
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": data,
    }
    return json.dumps(body)


def test_a_delivered_then_bounced_event_is_applied_once(sent: Delivery, client: Client) -> None:
    ok = client.post(
        MAILGUN, mailgun("delivered", sent, "ev-1"), "application/json", headers=auth()
    )
    assert ok.status_code == 200
    assert Delivery.objects.get(pk=sent.pk).delivered_at is not None
    for _ in range(2):  # the ESP sends it again: one event row, one suppression
        bounced = mailgun("failed", sent, "ev-2")
        assert client.post(MAILGUN, bounced, "application/json", headers=auth()).status_code == 200
    assert DeliveryEvent.objects.filter(event_id="token-ev-2").count() == 1
    row = Delivery.objects.get(pk=sent.pk)
    assert row.status == DeliveryStatus.FAILED and row.error.startswith("退信")
    subscriber = row.subscriber
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED
    assert subscriber.consents.filter(action="suppress").count() == 1


def test_forged_or_unauthenticated_webhooks_are_refused(
    sent: Delivery, client: Client, settings: Settings
) -> None:
    forged = mailgun("failed", sent, "ev-3", key="not-the-key")
    assert client.post(MAILGUN, forged, "application/json", headers=auth()).status_code == 400
    genuine = mailgun("failed", sent, "ev-4")
    assert (
        client.post(MAILGUN, genuine, "application/json", headers=auth("hook:wrong")).status_code
        == 400
    )
    assert client.post(MAILGUN, genuine, "application/json").status_code == 400
    assert not DeliveryEvent.objects.exists()
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}  # no secret: no webhook
    assert client.post(MAILGUN, genuine, "application/json").status_code == 404
    sent.subscriber.refresh_from_db()
    assert sent.subscriber.status == SubscriberStatus.CONFIRMED


def test_a_postmark_spam_complaint_suppresses_the_address(sent: Delivery, client: Client) -> None:
    complaint = {
        "RecordType": "SpamComplaint",
        "ID": 4242,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "MessageID": sent.provider_message_id,
        "Email": sent.subscriber.email,
        "BouncedAt": "2024-05-06T10:00:00Z",
        "Description": "The subscriber explicitly marked this message as spam.",
        "Metadata": {"delivery": str(sent.pk)},
    }
    response = client.post(POSTMARK, json.dumps(complaint), "application/json", headers=auth())
    assert response.status_code == 200
    sent.subscriber.refresh_from_db()
    assert sent.subscriber.status == SubscriberStatus.COMPLAINED
    assert DeliveryEvent.objects.get().event_type == "complained"
