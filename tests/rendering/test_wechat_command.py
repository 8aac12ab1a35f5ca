"""``render_issue --format wechat``: files, images and manifest in issue order; non-zero exit
when an article breaks WeChat's rules."""

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from editorial.models import Article, Issue
from editorial.rendering.wechat import render_wechat_issue, validate_wechat_article
from editorial.selectors import issue_edition
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db


def render_to(folder: Path) -> str:
    out = io.StringIO()
    call_command(
        "render_issue", "--total", "179", "--format", "wechat", "--output", str(folder), stdout=out
    )
    return out.getvalue()


@pytest.fixture
def issue() -> Issue:
    return sample_issue()


def test_writes_pages_images_and_manifest_in_issue_order(issue: Issue, tmp_path: Path) -> None:
    folder = tmp_path / "wechat"
    printed = render_to(folder)
    assert printed.splitlines()[-1].startswith("17 篇图文，0 处不符合公众号规则")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["publication"], manifest["total_number"], manifest["number"]) == (
        "大数据发展动态",
        179,
        16,
    )
    entries = manifest["articles"]
    articles = list(issue.articles.order_by("position", "id"))
    assert [e["article_id"] for e in entries] == [None, *(a.pk for a in articles)]
    assert [e["file"] for e in entries][:3] == [
        "00-digest.html",
        "01-数字经济2024年工作要点印发.html",
        "02-商务部印发数字商务三年行动计划2024-2026年.html",
    ]
    assert [e["file"][:3] for e in entries] == [f"{n:02d}-" for n in range(17)]
    assert entries[0]["title"] == "大数据发展动态｜2024年第16期（总第179期）本期要目"
    assert entries[1]["title"] == "《数字经济2024年工作要点》印发"
    assert [e["content_source_url"] for e in entries[1:]] == [a.original_url for a in articles]
    for entry in entries:
        assert set(entry) >= {"title", "author", "digest", "content_source_url", "file"}
        assert entry["author"] == "大数据发展动态" and entry["violations"] == []
        assert entry["preview"] == f"preview/{entry['file']}"
        fragment = (folder / entry["file"]).read_text(encoding="utf-8")
        page = (folder / entry["preview"]).read_text(encoding="utf-8")
        assert f"<title>{entry['title']}</title>" in page and '<base href="../">' in page
        assert f'<div id="js_content">{fragment}</div>' in page
        assert len(fragment) == entry["content_length"]
        for image in entry["images"]:
            assert f'src="{image}"' in fragment  # relative, beside the fragments
            assert (folder / image).is_file()
    assert entries[12]["images"] == [f"images/12-fig{n}.png" for n in range(1, 6)]
    assert entries[2]["images"] == ["images/qr-02.png"]
    with Image.open(folder / manifest["cover"]) as cover:
        assert (manifest["cover"], cover.size) == ("images/cover-179.png", (900, 383))


def test_exits_non_zero_and_names_each_violation(issue: Issue, tmp_path: Path) -> None:
    article = issue.articles.order_by("position").first()
    assert article is not None
    Article.objects.filter(pk=article.pk).update(wechat_title="标" * 33, wechat_digest="摘" * 128)
    out = io.StringIO()
    with pytest.raises(CommandError, match="17 篇图文，1 处不符合公众号规则"):
        call_command(
            "render_issue",
            "--total",
            "179",
            "--format",
            "wechat",
            "--output",
            str(tmp_path),
            stdout=out,
        )
    assert f"{'标' * 33}｜title｜title_length：标题 33 字，超过 32 字。" in out.getvalue()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"][1]["violations"] == [
        {"element": "title", "rule": "title_length", "message": "标题 33 字，超过 32 字。"}
    ]


def test_files_use_local_images_that_only_files_may_use(issue: Issue, tmp_path: Path) -> None:
    """The pages' relative image URLs are accepted for files and refused for a push."""
    articles = render_wechat_issue(
        issue_edition(issue.pk), image_url=lambda image: f"images/{image.name}"
    )
    figures = articles[12]
    assert validate_wechat_article(figures, local_images_allowed=True) == []
    assert {v.rule for v in validate_wechat_article(figures)} == {"external_image"}


def test_the_files_are_what_the_push_sends(issue: Issue, tmp_path: Path) -> None:
    """Each file is the ``content`` of the draft article, byte for byte: no page around it, and
    it passes the validator as it is (its images on WeChat's host, it passes as a push)."""
    render_to(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    sent = render_wechat_issue(
        issue_edition(issue.pk), image_url=lambda image: f"images/{image.name}"
    )
    assert len(sent) == len(manifest["articles"])
    for article, entry in zip(sent, manifest["articles"], strict=True):
        fragment = (tmp_path / entry["file"]).read_bytes()
        assert fragment == article.content.encode("utf-8")
        assert not fragment.startswith((b"<!DOCTYPE", b"<html", b"<meta", b"<div id="))
        as_file = replace(article, content=fragment.decode("utf-8"))
        assert validate_wechat_article(as_file, local_images_allowed=True) == []
        hosted = as_file.content.replace('src="images/', 'src="https://mmbiz.qpic.cn/')
        assert validate_wechat_article(replace(as_file, content=hosted)) == []
