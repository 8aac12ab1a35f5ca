"""generate_issues: varied issues through the bundle import, the same for the same seed."""

import datetime
import io
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from editorial.management.commands.generate_issues import write_issue_bundle
from editorial.models import Issue

pytestmark = pytest.mark.django_db


def test_the_command_imports_numbered_issues(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        call_command("generate_issues", "--count", "3", "--seed", "1", stdout=out, stderr=err)
    issues = list(Issue.objects.filter(publication__slug="shengcheng").order_by("total_number"))
    assert [(i.number, i.total_number) for i in issues] == [(1, 1), (2, 2), (3, 3)]
    assert all(2 <= i.articles.count() <= 5 for i in issues)
    assert out.getvalue().count("已生成 数字治理周报") == 3
    assert "3/3" in err.getvalue()  # the progress bar


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_same_seed_gives_the_same_bundle(tmp_path: Path) -> None:
    for name, seed in (("a", "1-0"), ("b", "1-0"), ("c", "2-0")):
        (tmp_path / name).mkdir()
        write_issue_bundle(
            tmp_path / name,
            random.Random(seed),  # noqa: S311
            date=datetime.date(2025, 1, 6),
            number=1,
            total=1,
        )
    assert files(tmp_path / "a") == files(tmp_path / "b") != files(tmp_path / "c")


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        call_command("generate_issues", "--help")
    assert excinfo.value.code == 0
    assert "--seed" in capsys.readouterr().out
