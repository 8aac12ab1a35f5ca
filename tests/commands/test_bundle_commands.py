"""The import/export commands: same service, errors listed with file and field, --help works."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial.models import Issue, Person
from tests.builders import BundleMaker

pytestmark = pytest.mark.django_db


def test_import_then_export(make_bundle: BundleMaker, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_issue", str(make_bundle()), stdout=out)
    assert "已导入 大数据发展动态 2024年第16期（总第179期）：2 篇文章" in out.getvalue()

    call_command(
        "export_issue", str(tmp_path / "x.zip"), publication="dsjfzdt", total=179, stdout=out
    )
    assert (tmp_path / "x.zip").stat().st_size > 0


def test_import_lists_what_the_sanitizer_removed(make_bundle: BundleMaker) -> None:
    out = io.StringIO()
    body = '<p>甲<a href="javascript:x()">乙</a></p>'.encode()
    bundle = make_bundle(files={"articles/02.html": body})
    call_command("import_issue", str(bundle), stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        "  《贵州五部门签署合作协议 共同推进数据知识产权发展》的正文"
        "（articles[1].body，articles/02.html）：已移除：javascript: 链接 1 处"
    ]


def test_import_lists_every_problem_and_saves_nothing(make_bundle: BundleMaker) -> None:
    def break_two_things(manifest: dict) -> None:
        manifest["articles"][0]["original_url"] = "notaurl"
        manifest["articles"][1]["section"] = "nosuch"

    err = io.StringIO()
    with pytest.raises(CommandError, match="1 个包未导入（共 1 个）"):
        call_command("import_issue", str(make_bundle(break_two_things)), stderr=err)
    assert "2 个问题，未导入任何内容：" in err.getvalue()
    assert "issue.yaml: articles[1].section: 未知栏目：nosuch" in err.getvalue()
    assert "issue.yaml: articles[0].original_url: " in err.getvalue()
    assert Issue.objects.count() == 0


def test_a_back_catalogue_imports_bundle_by_bundle(make_bundle: BundleMaker) -> None:
    def numbered(number: int, date: str) -> Callable[[dict[str, Any]], None]:
        def edit(manifest: dict[str, Any]) -> None:
            manifest["issue"].update(number=number, total_number=163 + number, date=date)

        return edit

    first = make_bundle(numbered(14, "2024-04-22"), name="b14")
    broken = make_bundle(lambda m: m["articles"][0].update(section="nosuch"), name="bad")
    second = make_bundle(numbered(15, "2024-04-29"), name="b15")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 个包未导入（共 3 个）"):
        call_command("import_issue", str(first), str(broken), str(second), stdout=out, stderr=err)

    assert sorted(Issue.objects.values_list("total_number", flat=True)) == [177, 178]
    assert out.getvalue().count("已导入") == 2
    assert "issue.yaml: articles[0].section: 未知栏目：nosuch" in err.getvalue()
    assert "导入: 100%" in err.getvalue()  # the progress bar over the three bundles


def test_export_of_unknown_issue_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到刊物 dsjfzdt 的总第999期"):
        call_command("export_issue", str(tmp_path / "o"), publication="dsjfzdt", total=999)


def test_setup_demo_imports_once_and_provisions_logins(
    make_bundle: BundleMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_DEMO_PASSWORD", "demo-pass-123")
    bundle = make_bundle()
    out = io.StringIO()
    call_command("setup_demo", str(bundle), stdout=out)
    call_command("setup_demo", str(bundle), stdout=out)

    assert Issue.objects.count() == 1
    assert "示例期已存在" in out.getvalue()
    chief = User.objects.get(username="chief")
    assert chief.is_staff and chief.check_password("demo-pass-123")
    assert sorted(chief.groups.values_list("name", flat=True)) == ["总编辑", "编委"]
    assert Person.objects.get(user=chief).name == "宋希贤"
    editor = User.objects.get(username="editor")
    assert editor.has_perm("editorial.change_article")
    assert not editor.has_perm("editorial.add_issue")
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.parametrize("command", ["import_issue", "export_issue", "setup_demo"])
def test_commands_explain_themselves(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        call_command(command, "--help")
    assert excinfo.value.code == 0
    assert "bundle" in capsys.readouterr().out


def test_export_after_a_correction_takes_the_latest_revision_or_the_one_named(
    tmp_path: Path,
) -> None:
    from editorial.services import issue_transitions
    from tests.workflow.states import bring_to, small_issue

    original = bring_to(small_issue(), "published")
    revision = issue_transitions.issue_correct(actor=None, issue_id=original.pk, reason="勘误")
    slug, total = original.publication.slug, original.total_number
    out = io.StringIO()

    call_command("export_issue", str(tmp_path / "latest"), total=total, stdout=out)
    call_command("export_issue", str(tmp_path / "first"), total=total, revision=1, stdout=out)
    call_command(
        "export_issue", str(tmp_path / "second"), publication=slug, total=total, revision=2
    )

    assert f"已导出 {revision}" in out.getvalue().splitlines()[0]
    assert f"已导出 {original}" in out.getvalue().splitlines()[1]
    assert (tmp_path / "latest" / "issue.yaml").read_bytes() == (
        tmp_path / "second" / "issue.yaml"
    ).read_bytes()
    with pytest.raises(CommandError, match="修订版次 3 的总第"):
        call_command("export_issue", str(tmp_path / "third"), total=total, revision=3)
