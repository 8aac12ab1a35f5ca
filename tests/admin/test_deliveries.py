"""The delivery page: live counts (and the JSON the page polls), failures with reasons, resend
and close only after a confirmation, pause and resume — for those the policy allows."""

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Delivery, DeliveryStatus, Mailing
from editorial.roles import Role
from tests.builders import mailing_of_every_outcome
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db
S = DeliveryStatus


@pytest.fixture
def mailing() -> Mailing:
    return mailing_of_every_outcome()  # type: ignore[no-any-return]


def test_the_page_shows_counts_and_failures_and_resend_asks_to_confirm(
    mailing: Mailing, client: Client, django_assert_max_num_queries: object
) -> None:
    client.force_login(staff("exec", "杨婷", Role.EXECUTIVE_EDITOR))
    page = reverse("admin:editorial_mailing_change", args=[mailing.pk])
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="sent">1<' in html and 'data-status="uncertain">1<' in html
    assert "552 Mailbox full" in html and "重新发送所选" in html and "暂停投递" in html
    counts = client.get(reverse("admin:editorial_mailing_counts", args=[mailing.pk])).json()
    assert counts["counts"] == {
        "pending": 1,
        "running": 0,
        "sent": 1,
        "failed": 1,
        "uncertain": 1,
        "skipped": 0,
        "closed": 0,
    }
    uncertain = Delivery.objects.get(mailing=mailing, status=S.UNCERTAIN)
    resend = reverse("admin:editorial_mailing_action", args=[mailing.pk, "resend"])
    asked = client.post(resend, {"delivery": [uncertain.pk]})
    assert asked.status_code == 200 and "可能收到两封" in asked.content.decode()
    assert Delivery.objects.get(pk=uncertain.pk).status == S.UNCERTAIN  # nothing yet
    done = client.post(resend, {"delivery": [uncertain.pk], "confirm": "yes"})
    assert done.status_code == 302
    assert Delivery.objects.get(pk=uncertain.pk).status in (S.QUEUED, S.SENT, S.SKIPPED)
    failed = Delivery.objects.get(mailing=mailing, status=S.FAILED)
    close = reverse("admin:editorial_mailing_action", args=[mailing.pk, "close"])
    client.post(close, {"delivery": [failed.pk], "confirm": "yes"})
    assert Delivery.objects.get(pk=failed.pk).status == S.CLOSED
    client.post(reverse("admin:editorial_mailing_action", args=[mailing.pk, "pause"]))
    assert Mailing.objects.get(pk=mailing.pk).paused
    assert client.get(reverse("admin:editorial_mailing_counts", args=[mailing.pk])).json()["paused"]


def test_people_outside_the_policy_see_nothing_and_change_nothing(
    mailing: Mailing, client: Client
) -> None:
    client.force_login(staff("editor", "熊灵犀", Role.RESPONSIBLE_EDITOR))
    assert (
        client.get(reverse("admin:editorial_mailing_change", args=[mailing.pk])).status_code == 403
    )
    pause = reverse("admin:editorial_mailing_action", args=[mailing.pk, "pause"])
    assert client.post(pause).status_code == 403
    assert (
        client.get(reverse("admin:editorial_mailing_counts", args=[mailing.pk])).status_code == 403
    )
    assert not Mailing.objects.get(pk=mailing.pk).paused
