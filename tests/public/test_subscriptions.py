"""The readers' subscription pages, through Django's test client with CSRF checks enforced:
double opt-in (a GET never confirms), the honeypot and the rate limit, one-click unsubscribe
without cookie or CSRF token, preferences, and links that do not work."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from editorial.models import Consent, ConsentAction, Subscriber, SubscriberStatus
from editorial.subscriber_links import confirm_url, preferences_url, unsubscribe_url
from tests.factories import SubscriberFactory
from tests.tasks.support import SmtpServer

pytestmark = pytest.mark.django_db
SUBSCRIBE = reverse("subscriptions:subscribe")
Commit = Callable[..., Any]


@pytest.fixture(autouse=True)
def _no_rate_counts() -> None:
    cache.clear()


@pytest.fixture
def browser_client() -> Client:
    """A client that, like a browser, must carry the CSRF cookie and token it was given."""
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 测试")


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def post_form(client: Client, url: str, data: dict[str, str], **extra: Any) -> Any:
    """GET the page for its CSRF cookie and token, then POST as the page's form would."""
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    return client.post(url, {"csrfmiddlewaretoken": token.group(1), **data}, **extra)


FORM = {"email": "zhang@example.cn", "name": "张三", "format": "link", "consent": "on"}


def test_the_form_asks_for_consent_and_a_valid_address(browser_client: Client) -> None:
    page = browser_client.get(SUBSCRIBE).content.decode()
    assert "确认订阅" in page and 'name="website"' in page
    response = post_form(browser_client, SUBSCRIBE, {**FORM, "email": "nope", "consent": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert "请输入有效的电子邮箱地址。" in content
    assert "请勾选同意后再提交。" in content
    assert not Subscriber.objects.exists()


def test_double_opt_in_through_the_pages_and_a_get_never_confirms(
    browser_client: Client, smtp_inbox: SmtpServer, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(browser_client, SUBSCRIBE, FORM, REMOTE_ADDR="203.0.113.40")
    assert response.status_code == 302 and response["Location"] == reverse("subscriptions:sent")
    consent = Consent.objects.get()
    assert (consent.ip, consent.user_agent) == ("203.0.113.40", "Mozilla/5.0 测试")
    [mail] = smtp_inbox.wait_for(1)
    link = re.search(r"http\S+/subscribe/confirm/\S+/", mail.body)
    assert link
    confirm = path_of(link.group(0))
    for _ in range(3):  # a mail scanner following the link
        page = browser_client.get(confirm)
        assert page.status_code == 200 and "<button" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert browser_client.post(confirm).status_code == 403  # no CSRF token: refused
    done = post_form(browser_client, confirm, {})
    assert "订阅成功" in done.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED
    again = browser_client.get(confirm)  # replayed
    assert again.status_code == 400 and "已使用" in again.content.decode()


def test_the_same_answer_whether_or_not_the_address_is_subscribed(browser_client: Client) -> None:
    SubscriberFactory.create(email="known@example.cn")
    known = post_form(browser_client, SUBSCRIBE, {**FORM, "email": "known@example.cn"})
    unknown = post_form(browser_client, SUBSCRIBE, {**FORM, "email": "new@example.cn"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_the_honeypot_and_the_rate_limit(browser_client: Client, settings: Settings) -> None:
    bot = post_form(browser_client, SUBSCRIBE, {**FORM, "website": "http://spam.example"})
    assert bot.status_code == 302 and not Subscriber.objects.exists()
    settings.DIGEST_SUBSCRIBE_RATE = 1
    first = post_form(browser_client, SUBSCRIBE, FORM, REMOTE_ADDR="198.51.100.8")
    assert first.status_code == 302
    limited = post_form(
        browser_client, SUBSCRIBE, {**FORM, "email": "li@example.cn"}, REMOTE_ADDR="198.51.100.8"
    )
    assert limited.status_code == 429 and "提交过于频繁" in limited.content.decode()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["zhang@example.cn"]


def test_one_click_unsubscribe_needs_no_cookie_nor_csrf_and_is_idempotent() -> None:
    subscriber = SubscriberFactory.create()
    url = path_of(unsubscribe_url(subscriber))
    mail_provider = Client(enforce_csrf_checks=True)
    page = mail_provider.get(url)
    assert page.status_code == 200 and "<button" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED  # a GET changes nothing
    for _ in range(2):
        response = mail_provider.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200 and "已退订" in response.content.decode()
        assert not response.cookies
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    consent = Consent.objects.get(action=ConsentAction.UNSUBSCRIBE)
    assert consent.source == "one-click"
    button = Client(enforce_csrf_checks=True).post(url)  # the page's own button
    assert button.status_code == 200
    assert Consent.objects.filter(action=ConsentAction.UNSUBSCRIBE).count() == 1


def test_preferences_by_link(browser_client: Client, django_assert_max_num_queries: Any) -> None:
    subscriber = SubscriberFactory.create(name="王力", format="link")
    url = path_of(preferences_url(subscriber))
    with django_assert_max_num_queries(3):
        page = browser_client.get(url).content.decode()
    assert "王力" in page and subscriber.email in page
    assert path_of(unsubscribe_url(subscriber)) in page
    saved = post_form(
        browser_client, url, {"name": "王力", "organisation": "数据局", "format": "attach"}
    )
    assert "已保存" in saved.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.organisation, subscriber.format) == ("数据局", "attach")


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "preferences"])
def test_a_forged_link_is_refused_plainly(client: Client, kind: str) -> None:
    subscriber = SubscriberFactory.create()
    make = {"confirm": confirm_url, "unsubscribe": unsubscribe_url, "preferences": preferences_url}
    url = path_of(make[kind](subscriber))
    forged = url.replace(f"/{kind}/", f"/{kind}/x").rstrip("/") + "x/"
    response = client.get(forged)
    assert response.status_code == 400 and "链接无效" in response.content.decode()
    assert client.post(forged).status_code in (400, 403)
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED
