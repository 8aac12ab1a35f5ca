"""``subscriber_data``: a subscriber's export as JSON, and erasure only when confirmed."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("subscriber_data", *args, stdout=out)
    return out.getvalue()


def test_export_then_erase_with_confirmation() -> None:
    subscriber = SubscriberFactory.create(email="Reader@example.cn", name="读者")
    data = json.loads(run("export", "reader@EXAMPLE.cn"))
    assert (data["subscriber"]["email"], data["subscriber"]["name"]) == (
        "Reader@example.cn",
        "读者",
    )
    with pytest.raises(CommandError, match="确认请加 --yes"):
        run("erase", "reader@example.cn")
    assert Subscriber.objects.get().erased_at is None
    assert f"已删除订阅者 #{subscriber.pk}的个人数据" in run("erase", "reader@example.cn", "--yes")
    assert Subscriber.objects.get().email == ""
    with pytest.raises(CommandError, match="没有邮箱为 reader@example.cn 的订阅者"):
        run("export", "reader@example.cn")
