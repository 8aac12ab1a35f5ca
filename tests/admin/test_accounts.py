"""Logins: repeated failures lock the account (django-axes), sessions are short, and the roles
that approve and publish confirm a TOTP code (django-otp) before they reach the admin or the API."""

from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from editorial.roles import Role
from tests.admin.conftest import EDITOR_PASSWORD
from tests.admin.workflow_setup import logged_in
from tests.workflow_helpers import staff

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def login(client: Client, username: str, password: str) -> int:
    return post_login(client, username, password).status_code


def post_login(client: Client, username: str, password: str) -> "_MonkeyPatchedWSGIResponse":
    return client.post(LOGIN, {"username": username, "password": password})


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(superuser: User) -> None:
    superuser.set_password(EDITOR_PASSWORD)
    superuser.save()
    client = Client()

    failures = [login(client, "admin", f"wrong-{i}") for i in range(30)]
    right = post_login(client, "admin", EDITOR_PASSWORD)

    assert set(failures[: settings.AXES_FAILURE_LIMIT - 1]) == {200}
    assert set(failures[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert right.status_code == 429
    assert "该账号已暂时锁定" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_lockouts_are_listed_in_the_admin(superuser: User) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "board1", f"wrong-{i}")
    response = logged_in(superuser).get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "board1" in response.content.decode()


def test_a_right_password_before_the_limit_logs_in(superuser: User) -> None:
    superuser.set_password(EDITOR_PASSWORD)
    superuser.save()
    client = Client()
    login(client, "admin", "wrong")
    assert login(client, "admin", EDITOR_PASSWORD) == 302
    assert client.get("/admin/").status_code == 200


def test_sessions_are_short_and_passwords_validated() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 4


@pytest.fixture
def required(settings: Settings) -> None:
    settings.DIGEST_REQUIRE_2FA_ROLES = [Role.EXECUTIVE_EDITOR.value]


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.usefixtures("required")
def test_a_required_role_without_a_device_is_sent_to_set_one_up() -> None:
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    response = client.get("/admin/editorial/issue/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    refused = client.get("/api/v1/issues/")
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_required"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "设置两步验证" in page.content.decode()
    assert "<svg" in page.content.decode()


@pytest.mark.usefixtures("required")
def test_setting_up_the_authenticator_opens_the_admin() -> None:
    user = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    client = logged_in(user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(
        f"{reverse('two_factor_setup')}?next=/admin/editorial/issue/",
        {"token": current_code(device)},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/editorial/issue/"
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/admin/editorial/issue/").status_code == 200


@pytest.mark.usefixtures("required")
def test_with_a_device_every_new_session_asks_for_the_code_first() -> None:
    user = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    client = logged_in(user)

    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    # Holding the password alone, nobody can swap in another phone.
    setup = client.get(reverse("two_factor_setup"))
    assert setup["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    verified = client.post(
        f"{reverse('two_factor_verify')}?next=/admin/", {"token": current_code(device)}
    )
    assert verified["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
def test_roles_that_need_no_second_factor_go_straight_in() -> None:
    client = logged_in(staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR))
    assert client.get("/admin/").status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.usefixtures("required")
def test_a_wrong_code_is_refused_on_the_form() -> None:
    user = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    client = logged_in(user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = "000000" if current_code(device) != "000000" else "111111"

    response = client.post(reverse("two_factor_setup"), {"token": wrong})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_setup"))
