"""The commands that name one issue share its options and its look-up: the same Chinese help,
the same refusal for an issue that does not exist."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories

COMMANDS = ["deliver_issue", "render_issue", "export_issue"]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_names_the_issue_options_in_chinese(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    shown = capsys.readouterr().out
    assert "总期号（总第N期）" in shown
    assert "刊物代号（有多个刊物时必填）" in shown
    assert "修订版次（1 = 首次发布；默认：最新一版）" in shown


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS)
def test_an_issue_that_does_not_exist_is_refused_the_same_way(command: str, tmp_path: Path) -> None:
    issue = factories.IssueFactory.create()
    extra = [str(tmp_path / "never-written")] if command == "export_issue" else []
    with pytest.raises(CommandError) as refused:
        call_command(command, *extra, total=issue.total_number + 100, stdout=io.StringIO())
    assert str(refused.value) == f"找不到总第{issue.total_number + 100}期。"
