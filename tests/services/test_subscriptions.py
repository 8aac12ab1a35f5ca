"""Subscribers: double opt-in over a real SMTP server, unsubscribe and suppression, preferences,
import (all rows or none), export and erasure, and who may manage them."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django.fixtures import Settings

from editorial.models import (
    AuditEntry,
    Consent,
    ConsentAction,
    ConsentSource,
    Subscriber,
    SubscriberFormat,
    SubscriberStatus,
)
from editorial.roles import Role
from editorial.services.subscriptions import (
    SubscriberImportInvalid,
    decode_csv,
    email_hash,
    subscriber_confirm,
    subscriber_erase,
    subscriber_export,
    subscriber_subscribe,
    subscriber_suppress,
    subscriber_unsubscribe,
    subscriber_update_preferences,
    subscribers_import,
)
from editorial.subscriber_links import (
    BadLink,
    confirm_url,
    preferences_subscriber,
    preferences_url,
    unsubscribe_subscriber,
    unsubscribe_url,
)
from tests.factories import SubscriberFactory
from tests.tasks.support import SmtpServer
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db
S = SubscriberStatus
Commit = Callable[..., Any]


@pytest.fixture(autouse=True)
def _no_rate_counts() -> None:
    cache.clear()


def subscribe(commit: Commit, email: str = "Wang.Li@Example.CN", **kwargs: Any) -> None:
    with commit(execute=True):
        subscriber_subscribe(
            email=email, ip=kwargs.pop("ip", "203.0.113.7"), user_agent="Firefox/128", **kwargs
        )


def link_in(body: str) -> str:
    found = re.search(r"http\S+/subscribe/confirm/(\S+)/", body)
    assert found, body
    return found.group(1)


def test_subscribing_records_consent_and_mails_a_link_whose_button_confirms(
    django_capture_on_commit_callbacks: Commit, smtp_inbox: SmtpServer
) -> None:
    subscribe(django_capture_on_commit_callbacks, name="王力", organisation="国家数据局")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("Wang.Li@example.cn", S.PENDING)
    assert subscriber.email_hash == email_hash("wang.li@example.cn")
    consent = Consent.objects.get()
    assert (consent.action, consent.source, consent.ip, consent.user_agent) == (
        ConsentAction.SUBSCRIBE,
        ConsentSource.FORM,
        "203.0.113.7",
        "Firefox/128",
    )
    assert consent.consent_text_version == "2024-1"
    [mail] = smtp_inbox.wait_for(1)
    assert mail.recipients == ("Wang.Li@example.cn",)
    assert "请确认订阅" in mail.subject and "确认订阅" in mail.body
    token = link_in(mail.body)

    confirmed = subscriber_confirm(token=token, ip="198.51.100.2", user_agent="Chrome")
    assert confirmed.status == S.CONFIRMED and confirmed.confirmed_at is not None
    assert confirmed.optin_nonce == ""
    last = Consent.objects.latest("id")
    assert (last.action, last.source, last.ip) == ("confirm", "link", "198.51.100.2")
    entry = AuditEntry.objects.get(action="subscriber_confirm")
    assert (entry.from_state, entry.to_state) == ("pending", "confirmed")
    assert "example.cn" not in entry.object_repr  # the team's audit log names no address


def test_a_confirmation_link_replayed_tampered_superseded_or_expired_confirms_nothing(
    django_capture_on_commit_callbacks: Commit, settings: Settings
) -> None:
    subscribe(django_capture_on_commit_callbacks)
    subscriber = Subscriber.objects.get()
    first = confirm_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    subscribe(django_capture_on_commit_callbacks)  # a second request: a new link
    subscriber.refresh_from_db()
    second = confirm_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(BadLink, match="已使用或已被新的申请取代"):
        subscriber_confirm(token=first, ip=None)
    with pytest.raises(BadLink, match="链接无效"):
        subscriber_confirm(token=second[:-2] + ("AA" if second[-2:] != "AA" else "BB"), ip=None)
    unsubscribe_token = unsubscribe_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(BadLink, match="链接无效"):
        subscriber_confirm(token=unsubscribe_token, ip=None)  # another kind's signature
    settings.DIGEST_SUBSCRIBE_CONFIRM_SECONDS = -1
    with pytest.raises(BadLink, match="已过期"):
        subscriber_confirm(token=second, ip=None)
    assert Subscriber.objects.get().status == S.PENDING
    settings.DIGEST_SUBSCRIBE_CONFIRM_SECONDS = 3600
    subscriber_confirm(token=second, ip=None)
    with pytest.raises(BadLink, match="已使用"):
        subscriber_confirm(token=second, ip=None)  # replayed
    assert Consent.objects.filter(action=ConsentAction.CONFIRM).count() == 1


def test_an_unsubscribed_address_goes_through_opt_in_again_and_keeps_its_details(
    django_capture_on_commit_callbacks: Commit, smtp_inbox: SmtpServer
) -> None:
    subscriber = SubscriberFactory.create(email="li@example.cn", name="李明")
    subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.LINK)
    subscribe(django_capture_on_commit_callbacks, email="LI@example.cn", name="冒名者")
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.name) == (S.UNSUBSCRIBED, "李明")
    [mail] = smtp_inbox.wait_for(1)
    subscriber_confirm(token=link_in(mail.body), ip=None)
    subscriber.refresh_from_db()
    assert subscriber.status == S.CONFIRMED and Subscriber.objects.count() == 1


def test_a_subscribed_address_is_told_by_mail_and_one_that_complained_gets_nothing(
    django_capture_on_commit_callbacks: Commit, smtp_inbox: SmtpServer
) -> None:
    SubscriberFactory.create(email="a@example.cn")
    SubscriberFactory.create(email="b@example.cn", status=S.COMPLAINED)
    subscribe(django_capture_on_commit_callbacks, email="a@example.cn")
    subscribe(django_capture_on_commit_callbacks, email="b@example.cn")
    [mail] = smtp_inbox.wait_for(1)
    assert mail.recipients == ("a@example.cn",) and "您已订阅" in mail.subject
    assert "/subscribe/preferences/" in mail.body and "/subscribe/unsubscribe/" in mail.body
    assert Consent.objects.count() == 0
    assert list(Subscriber.objects.values_list("status", flat=True).order_by("email")) == [
        S.CONFIRMED,
        S.COMPLAINED,
    ]


def test_subscribe_requests_are_limited_per_ip_and_mails_per_address(
    django_capture_on_commit_callbacks: Commit, settings: Settings
) -> None:
    settings.DIGEST_SUBSCRIBE_RATE = 2
    subscribe(django_capture_on_commit_callbacks, email="x1@example.cn")
    subscribe(django_capture_on_commit_callbacks, email="x2@example.cn")
    with pytest.raises(ValidationError) as refused:
        subscribe(django_capture_on_commit_callbacks, email="x3@example.cn")
    assert refused.value.code == "rate_limited"
    assert not Subscriber.objects.filter(email="x3@example.cn").exists()
    for n in range(5):  # from many addresses, to one victim: three mails at most
        subscribe(django_capture_on_commit_callbacks, email="x1@example.cn", ip=f"192.0.2.{n}")
    assert Consent.objects.filter(subscriber__email="x1@example.cn").count() == 3


def test_unsubscribing_is_idempotent_and_kills_a_pending_confirmation(
    django_capture_on_commit_callbacks: Commit,
) -> None:
    subscribe(django_capture_on_commit_callbacks)
    subscriber = Subscriber.objects.get()
    token = confirm_url(subscriber).rstrip("/").rsplit("/", 1)[1]
    for _ in range(2):
        subscriber_unsubscribe(
            subscriber=subscriber, source=ConsentSource.ONE_CLICK, ip="203.0.113.9"
        )
    subscriber.refresh_from_db()
    assert subscriber.status == S.UNSUBSCRIBED and subscriber.unsubscribed_at is not None
    assert Consent.objects.filter(action=ConsentAction.UNSUBSCRIBE).count() == 1
    assert AuditEntry.objects.filter(action="subscriber_unsubscribe").count() == 1
    with pytest.raises(BadLink):
        subscriber_confirm(token=token, ip=None)


def test_suppression_records_each_change_once_and_a_complaint_outranks_an_unsubscribe() -> None:
    subscriber = SubscriberFactory.create()
    for _ in range(2):
        subscriber_suppress(
            subscriber=subscriber, status=S.BOUNCED, source=ConsentSource.WEBHOOK, detail="550"
        )
    subscriber.refresh_from_db()
    assert subscriber.status == S.BOUNCED and not subscriber.mailable
    assert Consent.objects.get().detail == "550"
    gone = SubscriberFactory.create(status=S.UNSUBSCRIBED)
    subscriber_suppress(subscriber=gone, status=S.BOUNCED, source=ConsentSource.WEBHOOK)
    assert Subscriber.objects.get(pk=gone.pk).status == S.UNSUBSCRIBED
    subscriber_suppress(subscriber=gone, status=S.COMPLAINED, source=ConsentSource.WEBHOOK)
    assert Subscriber.objects.get(pk=gone.pk).status == S.COMPLAINED
    assert Consent.objects.filter(action=ConsentAction.SUPPRESS).count() == 2
    with pytest.raises(ValueError):
        subscriber_suppress(subscriber=gone, status=S.CONFIRMED, source=ConsentSource.ADMIN)


def test_preferences_change_what_changed_and_refuse_bad_input() -> None:
    subscriber = SubscriberFactory.create(name="王力")
    assert preferences_subscriber(preferences_url(subscriber).split("/")[-2]) == subscriber
    kept = {"name": "王力", "organisation": subscriber.organisation, "ip": None}
    subscriber_update_preferences(subscriber=subscriber, format=SubscriberFormat.LINK, **kept)
    assert Consent.objects.count() == 0  # nothing changed, nothing recorded
    subscriber_update_preferences(subscriber=subscriber, format=SubscriberFormat.ATTACH, **kept)
    assert Subscriber.objects.get().format == SubscriberFormat.ATTACH
    assert Consent.objects.get().detail == "修改接收方式"
    with pytest.raises(ValidationError) as refused:
        subscriber_update_preferences(
            subscriber=subscriber, name="长" * 101, organisation="", format="fax", ip=None
        )
    assert set(refused.value.message_dict) == {"name", "format"}
    assert Subscriber.objects.get().name == "王力"


@pytest.fixture
def managing_editor() -> User:
    return staff("executive", "执行编辑甲", Role.EXECUTIVE_EDITOR)


def test_export_holds_the_subscriber_and_every_consent(managing_editor: User) -> None:
    subscriber = SubscriberFactory.create(email="e@example.cn")
    subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.LINK, ip="203.0.113.5")
    data = subscriber_export(actor=managing_editor, subscriber=subscriber)
    assert data["subscriber"]["email"] == "e@example.cn"
    assert data["subscriber"]["status"] == "unsubscribed"
    assert [(c["action"], c["ip"]) for c in data["consents"]] == [("unsubscribe", "203.0.113.5")]
    assert AuditEntry.objects.filter(action="subscriber_export", actor=managing_editor).exists()


def test_erasure_keeps_a_tombstone_that_stops_links_and_imports(managing_editor: User) -> None:
    subscriber = SubscriberFactory.create(email="Gone@Example.cn", name="某人")
    subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.LINK, ip="203.0.113.5")
    unsubscribe_token = unsubscribe_url(subscriber).split("/")[-2]
    subscriber_erase(actor=managing_editor, subscriber=subscriber)
    subscriber.refresh_from_db()
    assert (subscriber.email, subscriber.name, subscriber.organisation) == ("", "", "")
    assert subscriber.erased_at is not None and subscriber.status == S.UNSUBSCRIBED
    assert subscriber.email_hash == email_hash("gone@example.cn")
    assert list(Consent.objects.values_list("action", "ip", "user_agent")) == [
        ("unsubscribe", None, ""),
        ("erase", None, ""),
    ]
    with pytest.raises(BadLink):
        unsubscribe_subscriber(unsubscribe_token)
    report = subscribers_import(
        actor=managing_editor, text="email\ngone@example.cn\n", file_name="x.csv", confirmed=True
    )
    assert (report.created, len(report.skipped)) == (0, 1)
    assert "已应本人要求删除" in report.skipped[0]
    assert Subscriber.objects.count() == 1


def test_only_those_who_run_the_list_manage_subscribers() -> None:
    board = staff("board1", "编委甲", Role.BOARD_MEMBER)
    editor = staff("editor", "责任编辑甲", Role.RESPONSIBLE_EDITOR)
    subscriber = SubscriberFactory.create()
    for actor in (board, editor):
        with pytest.raises(PermissionDenied, match="执行编辑或出版管理员"):
            subscriber_export(actor=actor, subscriber=subscriber)
        with pytest.raises(PermissionDenied):
            subscriber_erase(actor=actor, subscriber=subscriber)
        with pytest.raises(PermissionDenied):
            subscribers_import(actor=actor, text="email\na@b.cn\n", file_name="x.csv")
    assert Subscriber.objects.get().erased_at is None
    assert not AuditEntry.objects.exists()
    assert not board.has_perm("editorial.view_subscriber")


BAD_CSV = """email,name,format
ok@example.cn,甲,link
not-an-address,乙,link
ok@EXAMPLE.cn,丙,attach
three@example.cn,丁,fax
"""


def test_a_file_with_bad_rows_lists_each_one_and_imports_nothing() -> None:
    with pytest.raises(SubscriberImportInvalid) as refused:
        subscribers_import(actor=None, text=BAD_CSV, file_name="bad.csv", confirmed=True)
    assert refused.value.messages == [
        "第3行 电子邮箱：邮箱格式不正确（“not-an-address”）。",
        "第4行 电子邮箱：与第2行的邮箱重复（“ok@example.cn”）。",
        "第5行 接收方式：未知的接收方式“fax”（可用：link、attach）。",
    ]
    with pytest.raises(SubscriberImportInvalid, match="未知的列“phone”"):
        subscribers_import(actor=None, text="email,phone\na@b.cn,1\n", file_name="x.csv")
    assert not Subscriber.objects.exists() and not Consent.objects.exists()


def test_a_confirmed_import_records_the_office_consent_and_brings_no_refusal_back(
    django_capture_on_commit_callbacks: Commit, smtp_inbox: SmtpServer
) -> None:
    SubscriberFactory.create(email="kept@example.cn", status=S.CONFIRMED)
    SubscriberFactory.create(email="left@example.cn", status=S.UNSUBSCRIBED)
    SubscriberFactory.create(email="waiting@example.cn", status=S.PENDING)
    text = (
        "邮箱,姓名,单位,接收方式\n"
        "new@example.cn,新读者,国家数据局,附件\n"
        "kept@example.cn,,,\nleft@example.cn,,,\nwaiting@example.cn,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = subscribers_import(
            actor=None,
            text=decode_csv(text.encode("gb18030")),
            file_name="2024年会.csv",
            confirmed=True,
            source="年会签到表",
        )
    assert (report.created, report.confirmed, report.unchanged) == (1, 1, 1)
    assert report.skipped == ["第4行 left@example.cn：已退订，未恢复订阅。"]
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "new@example.cn": S.CONFIRMED,
        "kept@example.cn": S.CONFIRMED,
        "left@example.cn": S.UNSUBSCRIBED,
        "waiting@example.cn": S.CONFIRMED,
    }
    new = Subscriber.objects.get(email="new@example.cn")
    assert (new.name, new.format, new.source) == ("新读者", SubscriberFormat.ATTACH, "import")
    consents = Consent.objects.filter(action=ConsentAction.IMPORT, source=ConsentSource.IMPORT)
    assert consents.count() == 2
    assert set(consents.values_list("detail", flat=True)) == {
        "已持有同意；文件 2024年会.csv；来源：年会签到表"
    }
    assert smtp_inbox.mails() == []  # the office holds their consent: no confirmation mail


def test_an_import_without_consent_sends_each_new_address_a_confirmation(
    django_capture_on_commit_callbacks: Commit, smtp_inbox: SmtpServer
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = subscribers_import(
            actor=None, text="email\np1@example.cn\np2@example.cn\n", file_name="p.csv"
        )
    assert report.created == 2
    assert set(Subscriber.objects.values_list("status", flat=True)) == {S.PENDING}
    mails = smtp_inbox.wait_for(2)
    assert sorted(m.recipients[0] for m in mails) == ["p1@example.cn", "p2@example.cn"]
    subscriber_confirm(token=link_in(mails[0].body), ip=None)
    assert Subscriber.objects.filter(status=S.CONFIRMED).count() == 1
