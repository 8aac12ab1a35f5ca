"""Imports give bounded, clear answers: every limit checked, bad bytes and archives named in the
problem list, the list itself short, and nothing saved."""

import zipfile
from pathlib import Path
from typing import Any

import pytest

from editorial.bundles import BundleInvalid
from editorial.bundles.reader import MAX_ARTICLES, MAX_ERROR_CHARS, MAX_LISTED_ERRORS
from editorial.services.bundles import issue_import
from tests.builders import BundleMaker
from tests.fake_ghostscript import DISGUISED, GhostscriptLog
from tests.services.test_bundles import assert_refused

pytestmark = pytest.mark.django_db


def zipped(folder: Path, target: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(target, "w", compression=compression) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, str(path.relative_to(folder)))
    return target


def corrupt_member(archive: Path, name: str) -> None:
    """Flip a byte in the middle of ``name``'s stored data (its CRC or its deflate stream fails)."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(name)
    data = bytearray(archive.read_bytes())
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("files", "field", "fragment"),
    [
        (
            {"articles/02.html": b"<p>" + b"a" * 250_000 + b"</p>"},
            "articles[1].body",
            "上限 200000",
        ),
        ({"articles/02-notes.md": b"n" * 20_001}, "articles[1].notes", "上限 20000"),
        ({"profiles/gidi.md": b"p" * 20_001}, "organisations[0].profile", "上限 20000"),
    ],
    ids=["body", "notes", "profile"],
)
def test_rich_text_longer_than_the_model_allows_is_refused(
    make_bundle: BundleMaker, files: dict[str, bytes], field: str, fragment: str
) -> None:
    assert_refused(make_bundle(files=files), "issue.yaml", field, fragment)


def test_a_million_character_body_is_refused(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"articles/02.html": b"<p>" + b"a" * 1_000_000 + b"</p>"})
    assert_refused(source, "issue.yaml", "articles[1].body", "过长：1000007 字，上限 200000 字")


def test_the_cover_headline_and_the_notice_are_held_to_the_model(make_bundle: BundleMaker) -> None:
    def long_headline(m: dict[str, Any]) -> None:
        m["issue"]["cover_headline"] = "要" * 301

    def long_notice(m: dict[str, Any]) -> None:
        m["notice"] = "声" * 2001

    assert_refused(make_bundle(long_headline), "issue.yaml", "issue.cover_headline", "上限 300")
    assert_refused(make_bundle(long_notice, name="notice"), "issue.yaml", "notice.", "上限 2000")


def test_a_text_file_over_the_file_limit_is_refused_unread(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"articles/02.html": b"a" * (2 * 1024 * 1024 + 1)})
    assert_refused(source, "articles/02.html", "articles[1].body", "文件过大")


def test_too_many_articles_and_figures_are_refused(make_bundle: BundleMaker) -> None:
    def many(m: dict[str, Any]) -> None:
        m["articles"] = [dict(m["articles"][1]) for _ in range(MAX_ARTICLES + 1)]

    def many_figures(m: dict[str, Any]) -> None:
        m["articles"][0]["figures"] = [
            {"number": n, "caption": "图", "image": "images/fig1.png"} for n in range(1, 52)
        ]

    assert_refused(make_bundle(many), "issue.yaml", "articles", "文章过多：201 篇")
    source = make_bundle(many_figures, name="figures")
    assert_refused(source, "issue.yaml", "articles[0].figures", "图过多：51 幅")


@pytest.mark.parametrize(
    ("edit", "field", "character"),
    [
        (lambda m: m["articles"][0].update(title="标题\x00"), "articles[0].title", "U+0000"),
        (lambda m: m["publication"].update(tagline="标语\x07"), "publication.tagline", "U+0007"),
        (lambda m: m.update(notice="声明\x1b[31m"), "notice", "U+001B"),
        (
            lambda m: m["masthead"]["board_members"].append("程\x00茹"),
            "masthead.board_members[2]",
            "U+0000",
        ),
        (
            lambda m: m["articles"][1].update(body="articles/\x0002.html"),
            "articles[1].body",
            "U+0000",
        ),
    ],
    ids=["nul-title", "bell-tagline", "escape-notice", "nul-name", "nul-path"],
)
def test_control_characters_are_refused_with_the_field_named(
    make_bundle: BundleMaker, edit: Any, field: str, character: str
) -> None:
    assert_refused(make_bundle(edit), "issue.yaml", field, character)


def test_a_nul_in_a_body_file_is_refused_on_that_file(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"articles/02.html": "<p>正文\x00</p>".encode()})
    assert_refused(source, "articles/02.html", "articles[1].body", "U+0000")


@pytest.mark.parametrize(
    ("compression", "member"),
    [(zipfile.ZIP_STORED, "articles/01.md"), (zipfile.ZIP_DEFLATED, "images/fig1.png")],
    ids=["bad-crc", "bad-deflate"],
)
def test_a_corrupt_member_is_named_in_the_problem_list(
    make_bundle: BundleMaker, tmp_path: Path, compression: int, member: str
) -> None:
    archive = zipped(make_bundle(), tmp_path / "issue.zip", compression)
    corrupt_member(archive, member)
    assert_refused(archive, "issue.zip", member, "压缩包内的文件已损坏")


def test_a_corrupt_archive_is_reported(make_bundle: BundleMaker, tmp_path: Path) -> None:
    archive = zipped(make_bundle(), tmp_path / "issue.zip")
    data = archive.read_bytes()
    central = data.rindex(b"PK\x01\x02")
    archive.write_bytes(data[:central] + b"XX" + data[central + 2 :])
    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=archive)
    assert excinfo.value.errors[0].file == "issue.zip"


def test_members_declared_larger_than_a_file_may_be_are_refused_before_extraction(
    make_bundle: BundleMaker, tmp_path: Path, settings: Any
) -> None:
    settings.DIGEST_MAX_IMAGE_BYTES = 200
    archive = zipped(make_bundle(), tmp_path / "issue.zip")
    assert_refused(archive, "issue.zip", "", "压缩包内的文件过大：images/fig1.png")


def test_yaml_aliases_are_refused(make_bundle: BundleMaker) -> None:
    source = make_bundle()
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    laughs += [
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    (source / "issue.yaml").write_text("\n".join(laughs) + "\nformat: *i\n", encoding="utf-8")
    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=source)
    [error] = excinfo.value.errors
    assert "不允许使用别名" in error.message
    assert len(str(excinfo.value)) < 1000


def test_the_problem_list_is_short_whatever_the_bundle(make_bundle: BundleMaker) -> None:
    def broken(m: dict[str, Any]) -> None:
        m["sections"] = [{"slug": "坏 代号", "name": "栏目"} for _ in range(150)]
        m["articles"][0]["title"] = "长" * 10_000

    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=make_bundle(broken))

    errors = excinfo.value.errors
    assert excinfo.value.total == 151
    assert len(errors) == MAX_LISTED_ERRORS + 1
    assert errors[-1].message == f"共 151 个问题，以上只列出前 {MAX_LISTED_ERRORS} 个。"
    assert all(len(e.message) < MAX_ERROR_CHARS + 30 for e in errors)
    title = next(e.message for e in errors if e.field == "articles[0].title")
    assert (
        title == "第 1 篇文章的标题：不能超过 200 个字（现为 10000 个）。"
    )  # not the value itself


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_postscript_in_a_bundle_is_refused_without_running_ghostscript(
    make_bundle: BundleMaker, ghostscript_log: GhostscriptLog, kind: str
) -> None:
    source = make_bundle(files={"images/logo.png": DISGUISED[kind]})
    assert_refused(source, "images/logo.png", "organisations[0].logo", "不支持的图片格式")
    assert ghostscript_log.calls == []
