"""``import_subscribers``: every bad row reported and nothing imported; --confirmed recorded."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.models import Consent, Subscriber, SubscriberStatus
from editorial.roles import Role
from tests.factories import SubscriberFactory
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_subscribers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_bad_rows_are_listed_with_line_and_field_and_nothing_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("email,format\na@example.cn,link\nb@,link\nc@example.cn,传真\n")
    err = StringIO()
    with pytest.raises(CommandError, match="2 个问题，未导入任何订阅者"):
        call_command("import_subscribers", str(path), "--confirmed", stderr=err)
    assert "第3行 电子邮箱：邮箱格式不正确（“b@”）。" in err.getvalue()
    assert "第4行 接收方式：未知的接收方式“传真”" in err.getvalue()
    assert not Subscriber.objects.exists()


def test_a_confirmed_list_is_imported_with_its_source_and_a_progress_bar(tmp_path: Path) -> None:
    SubscriberFactory.create(email="gone@example.cn", status=SubscriberStatus.BOUNCED)
    path = tmp_path / "members.csv"
    rows = "".join(f"m{n}@example.cn,会员{n},,attach\n" for n in range(30))
    path.write_text("\ufeffemail,name,organisation,format\n" + rows + "gone@example.cn,,,\n")
    out, err = run(str(path), "--confirmed", "--source", "协会会员名录")
    assert "新增 30 位订阅者，确认 0 位，0 位已在名单中未变更，跳过 1 位。" in out
    assert "第32行 gone@example.cn：退信，未恢复订阅。" in out
    assert "导入: 100%" in err and "31/31" in err
    assert Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).count() == 30
    assert (
        Consent.objects.filter(detail="已持有同意；文件 members.csv；来源：协会会员名录").count()
        == 30
    )
    assert Subscriber.objects.get(email="gone@example.cn").status == SubscriberStatus.BOUNCED


def test_a_missing_file_or_a_user_without_the_right_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="无法读取"):
        run(str(tmp_path / "none.csv"))
    staff("board1", "编委甲", Role.BOARD_MEMBER)
    path = tmp_path / "list.csv"
    path.write_text("email\na@example.cn\n")
    with pytest.raises(CommandError, match="只有执行编辑或出版管理员可以管理订阅者"):
        run(str(path), "--as", "board1")
    assert not Subscriber.objects.exists()
