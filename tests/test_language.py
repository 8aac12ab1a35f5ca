"""Editors get the Chinese admin whatever their browser asks for; English by explicit choice."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(factories.UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_admin_is_chinese_for_an_english_browser(staff_client: Client) -> None:
    page = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "站点管理" in page or "编辑工作台" in page
    assert "修改密码" in page
    assert "Change password" not in page


def test_english_can_be_chosen(staff_client: Client) -> None:
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = staff_client.get("/admin/").content.decode()
    assert "Change password" in page
    staff_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert "修改密码" in staff_client.get("/admin/").content.decode()


def test_sortable_controls_are_translated(staff_client: Client) -> None:
    issue = factories.ArticleFactory.create().issue
    page = staff_client.get(f"/admin/editorial/issue/{issue.pk}/change/").content.decode()
    assert 'title="移到最前"' in page
    assert "Move to first position" not in page
