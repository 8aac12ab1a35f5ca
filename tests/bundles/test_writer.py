"""Export: the bundle written for an issue imports back to the same issue, byte for byte."""

from pathlib import Path

import pytest
import yaml

from editorial.bundles import read_bundle
from editorial.models import Issue
from editorial.services.bundles import issue_export, issue_import
from tests.builders import BundleMaker

pytestmark = pytest.mark.django_db


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def reimport(folder: Path) -> Issue:
    """Delete the issue the folder describes, then import the folder again."""
    Issue.objects.all().delete()
    return issue_import(actor=None, source=folder)


def test_export_import_export_is_identical(make_bundle: BundleMaker, tmp_path: Path) -> None:
    issue = issue_import(actor=None, source=make_bundle())
    first, second = tmp_path / "first", tmp_path / "second"
    issue_export(actor=None, issue_id=issue.pk, target=first)
    issue_export(actor=None, issue_id=reimport(first).pk, target=second)

    assert tree(first) == tree(second)
    assert sorted(tree(first)) == [
        "articles/01.html",
        "articles/02-notes.html",
        "articles/02.html",
        "images/01-fig1.png",
        "images/logo-02.png",
        "images/wechat-qr.png",
        "issue.yaml",
        "profiles/02.html",
    ]


def test_export_is_a_valid_bundle_with_the_issue_fields(
    make_bundle: BundleMaker, tmp_path: Path
) -> None:
    issue = issue_import(actor=None, source=make_bundle())
    issue_export(actor=None, issue_id=issue.pk, target=tmp_path / "out")
    manifest = read_bundle(tmp_path / "out").manifest

    assert manifest["issue"] == {
        "date": "2024-05-06",
        "number": 16,
        "total_number": 179,
        "cover_headline": "封面要闻",
        "cover_image": None,
    }
    assert manifest["masthead"]["board_members"] == ["宋希贤", "程茹"]
    assert [a["section"] for a in manifest["articles"]] == ["guoce", "shugu"]
    assert manifest["articles"][0]["figures"] == [
        {"number": 1, "caption": "软件业务收入增长情况", "image": "images/01-fig1.png"}
    ]


def test_zip_export_is_deterministic_and_importable(
    make_bundle: BundleMaker, tmp_path: Path
) -> None:
    issue = issue_import(actor=None, source=make_bundle())
    issue_export(actor=None, issue_id=issue.pk, target=tmp_path / "a.zip")
    issue_export(actor=None, issue_id=issue.pk, target=tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()

    Issue.objects.all().delete()
    again = issue_import(actor=None, source=tmp_path / "a.zip")
    assert again.articles.count() == 2


def test_export_refuses_a_non_empty_folder(make_bundle: BundleMaker, tmp_path: Path) -> None:
    issue = issue_import(actor=None, source=make_bundle())
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        issue_export(actor=None, issue_id=issue.pk, target=tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_manifest_is_readable_yaml_in_chinese(make_bundle: BundleMaker, tmp_path: Path) -> None:
    issue = issue_import(actor=None, source=make_bundle())
    issue_export(actor=None, issue_id=issue.pk, target=tmp_path / "out")
    text = (tmp_path / "out" / "issue.yaml").read_text(encoding="utf-8")
    assert "name: 大数据发展动态" in text
    assert yaml.safe_load(text)["format"] == "digest-issue-bundle/1"
