"""Importing bundles: a good one saves everything; a bad one names file and field, saves nothing."""

import datetime
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied

from editorial.bundles import BundleInvalid
from editorial.models import Article, Figure, Issue, MastheadMember, Organisation, Person
from editorial.services.bundles import issue_import
from tests import factories
from tests.builders import BundleMaker
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db


def database_state() -> dict[str, int]:
    models = apps.get_app_config("editorial").get_models()
    return {m.__name__: m._default_manager.count() for m in models}


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def assert_refused(source: Path, file: str, field: str, fragment: str = "") -> None:
    """Importing ``source`` fails with an error on ``file``/``field`` and changes nothing."""
    before, files_before = database_state(), media_files()
    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=source)
    matching = [e for e in excinfo.value.errors if e.file == file and e.field == field]
    assert matching, f"no error for {file} {field}: {excinfo.value.errors}"
    assert fragment in matching[0].message
    assert database_state() == before
    assert media_files() == files_before


def test_minimal_bundle_imports_everything(make_bundle: BundleMaker) -> None:
    issue = issue_import(actor=None, source=make_bundle())

    assert (issue.date, issue.number, issue.total_number) == (datetime.date(2024, 5, 6), 16, 179)
    assert issue.publication.name == "大数据发展动态"
    assert issue.notice is not None and issue.notice.version == 1
    articles = list(issue.articles.order_by("position"))
    assert [a.section.slug for a in articles] == ["guoce", "shugu"]
    assert articles[0].body.startswith("<p><strong>一是开展“数商强基”行动</strong>，提出")
    assert '<figure data-figure="1"></figure>' in articles[0].body
    assert "<h3>二、分领域运行情况</h3>" in articles[0].body
    assert articles[0].qr_caption == "扫描二维码可阅读或下载全文"
    assert articles[1].notes == "<p>附注：</p>\n<p>1.规模以上口径。</p>"
    assert articles[1].responsible_editor is not None
    assert articles[1].responsible_editor.name == "熊灵犀"
    figure = Figure.objects.get(article=articles[0])
    assert figure.image.read() == png_bytes(120, 80, "navy")
    assert Organisation.objects.get(acronym="GIDI").profile.startswith("<p>贵阳智能")
    roles = list(
        MastheadMember.objects.filter(issue=issue).values_list("role", "person__name", "position")
    )
    assert sorted(roles) == [
        ("board_member", "宋希贤", 0),
        ("board_member", "程茹", 1),
        ("editor_in_chief", "宋希贤", 0),
    ]


def test_existing_publication_people_and_organisations_are_reused(
    make_bundle: BundleMaker,
) -> None:
    issue_import(actor=None, source=make_bundle())
    second = make_bundle(
        lambda m: m["issue"].update(number=17, total_number=180, date="2024-05-13"), name="b2"
    )
    issue = issue_import(actor=None, source=second)

    assert Issue.objects.count() == 2
    assert Person.objects.filter(name="宋希贤").count() == 1
    assert Organisation.objects.count() == 2
    assert issue.notice is not None and issue.notice.version == 1


def test_changed_notice_text_becomes_a_new_version(make_bundle: BundleMaker) -> None:
    issue_import(actor=None, source=make_bundle())
    second = make_bundle(
        lambda m: (
            m["issue"].update(number=17, total_number=180, date="2024-05-13"),
            m.update(notice="声明: 新版本。"),
        ),
        name="b2",
    )
    issue = issue_import(actor=None, source=second)
    assert issue.notice is not None
    assert (issue.notice.version, issue.notice.text) == (2, "声明: 新版本。")


def _del(*keys: Any) -> Callable[[dict[str, Any]], None]:
    def edit(manifest: dict[str, Any]) -> None:
        target = manifest
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return edit


def _set(value: Any, *keys: Any) -> Callable[[dict[str, Any]], None]:
    def edit(manifest: dict[str, Any]) -> None:
        target = manifest
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (_del("articles", 0, "title"), "articles[0].title", "第 1 篇文章的标题：缺少必填字段。"),
        (_del("issue", "total_number"), "issue.total_number", "缺少必填字段"),
        (_set("caijing", "articles", 1, "section"), "articles[1].section", "未知栏目：caijing"),
        (_set("ftp://x.org/a", "articles", 0, "original_url"), "articles[0].original_url", "网址"),
        (_set("not a url", "articles", 0, "original_url"), "articles[0].original_url", "网址"),
        (_set(None, "articles", 0, "qr_caption"), "articles[0].qr_caption", "二维码说明"),
        (_set("2024-02-30", "issue", "date"), "issue.date", "不是有效日期"),
        (_set(0, "issue", "number"), "issue.number", "本期的期号：不能小于 1（现为 0）。"),
        (_set("x@", "publication", "email"), "publication.email", "邮箱"),
        (_set("fr", "articles", 0, "language"), "articles[0]", "第 1 篇文章：未知字段 language。"),
        (_set(["不存在的机构"], "masthead", "co_editors"), "masthead.co_editors[0]", "机构未"),
        (
            _set("../secret.md", "articles", 0, "body"),
            "articles[0].body",
            "第 1 篇文章的正文：格式不正确（../secret.md）。",
        ),
        (
            _set("扫" * 41, "articles", 0, "qr_caption"),
            "articles[0].qr_caption",
            "第 1 篇文章的二维码说明：不能超过 40 个字（现为 41 个）。",
        ),
        (
            _set(7, "articles", 1, "qr_caption"),
            "articles[1].qr_caption",
            "第 2 篇文章的二维码说明：应为文本或空。",
        ),
        (
            _set([{"slug": "a", "name": "甲"}, {"slug": "a", "name": "乙"}], "sections"),
            "sections",
            "栏目代号重复",
        ),
        (
            _set(
                [
                    {"number": 1, "caption": "甲", "image": "images/fig1.png"},
                    {"number": 1, "caption": "乙", "image": "images/fig1.png"},
                ],
                "articles",
                0,
                "figures",
            ),
            "articles[0].figures",
            "图号重复",
        ),
        (_set([], "articles", 0, "figures"), "articles[0].figures", "正文放置了图 1"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_manifest_errors_name_the_field_and_save_nothing(
    make_bundle: BundleMaker, edit: Callable[[dict[str, Any]], None], field: str, fragment: str
) -> None:
    assert_refused(make_bundle(edit), "issue.yaml", field, fragment)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("扫描二维码可阅读英文原文", "扫描二维码可阅读英文原文"),
        ("扫描二维码可阅读全文", "扫描二维码可阅读全文"),
        ("扫码查看政策解读", "扫码查看政策解读"),
        ("original_file", "扫描二维码可阅读或下载原文件"),  # a bundle from when it was a code
    ],
)
def test_a_qr_caption_is_text(make_bundle: BundleMaker, given: str, stored: str) -> None:
    issue = issue_import(actor=None, source=make_bundle(_set(given, "articles", 0, "qr_caption")))
    assert issue.articles.order_by("position")[0].qr_caption == stored


def test_missing_image_is_reported(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"images/fig1.png": None})
    assert_refused(source, "issue.yaml", "articles[0].figures[0].image", "文件不存在")


def test_missing_body_file_is_reported(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"articles/02.html": None})
    assert_refused(source, "issue.yaml", "articles[1].body", "文件不存在：articles/02.html")


def test_truncated_image_is_reported_on_the_image_file(make_bundle: BundleMaker) -> None:
    truncated = png_bytes(300, 200, "red")[:-200]
    source = make_bundle(files={"images/fig1.png": truncated})
    assert_refused(source, "images/fig1.png", "articles[0].figures[0].image", "无法读取图片")


def test_text_file_posing_as_image_is_reported(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"images/logo.png": b"<svg onload=alert(1)>"})
    assert_refused(source, "images/logo.png", "organisations[0].logo", "无法读取图片")


def test_oversized_image_is_reported(make_bundle: BundleMaker, settings: Any) -> None:
    settings.DIGEST_MAX_IMAGE_BYTES = 100
    assert_refused(make_bundle(), "images/fig1.png", "articles[0].figures[0].image", "图片过大")


def test_malformed_yaml_is_reported(make_bundle: BundleMaker) -> None:
    source = make_bundle()
    (source / "issue.yaml").write_text("format: [unclosed\n  - x: : y\n", encoding="utf-8")
    assert_refused(source, "issue.yaml", "", "YAML 格式错误")


def test_non_utf8_body_is_reported(make_bundle: BundleMaker) -> None:
    source = make_bundle(files={"articles/02.html": "<p>正文</p>".encode("gbk")})
    assert_refused(source, "articles/02.html", "articles[1].body", "不是 UTF-8 编码")


def test_duplicate_issue_number_in_year_is_refused_and_stored_files_removed(
    make_bundle: BundleMaker,
) -> None:
    """The duplicate is found by the database rules after images were stored: all rolled back."""
    publication = factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")
    factories.IssueFactory.create(
        publication=publication, date=datetime.date(2024, 1, 8), number=16, total_number=178
    )
    source = make_bundle(lambda m: m["issue"].update(cover_image="images/logo.png"))
    assert_refused(source, "issue.yaml", "issue", "同一年度已有相同期号")


def test_duplicate_total_number_is_refused(make_bundle: BundleMaker) -> None:
    publication = factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")
    factories.IssueFactory.create(
        publication=publication, date=datetime.date(2023, 12, 25), number=52, total_number=179
    )
    assert_refused(make_bundle(), "issue.yaml", "issue", "相同总期号")


def test_gap_in_numbering_is_refused(make_bundle: BundleMaker) -> None:
    publication = factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")
    factories.IssueFactory.create(
        publication=publication, date=datetime.date(2024, 4, 22), number=14, total_number=177
    )
    source = make_bundle()
    before = database_state()
    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=source)
    messages = {e.field: e.message for e in excinfo.value.errors}
    assert messages["issue.total_number"] == "总期号不连续：缺少总第178期。"
    assert messages["issue.number"] == "2024年期号不连续：缺少第15期。"
    assert database_state() == before


def test_section_slug_with_another_name_is_refused(make_bundle: BundleMaker) -> None:
    publication = factories.PublicationFactory.create(slug="dsjfzdt", name="大数据发展动态")
    factories.SectionFactory.create(publication=publication, slug="guoce", name="国策")
    assert_refused(make_bundle(), "issue.yaml", "sections[0].name", "已存在")


def test_zip_bundle_imports(make_bundle: BundleMaker, tmp_path: Path) -> None:
    folder = make_bundle()
    archive = tmp_path / "issue.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.rglob("*"):
            if path.is_file():
                zf.write(path, f"digest-179/{path.relative_to(folder)}")
    issue = issue_import(actor=None, source=archive)
    assert issue.articles.count() == 2


def test_zip_with_path_traversal_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/evil.yaml", "x")
    assert_refused(archive, "evil.zip", "", "路径不安全")


def test_missing_manifest_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleInvalid) as excinfo:
        issue_import(actor=None, source=tmp_path / "empty")
    assert "找不到清单文件" in str(excinfo.value)


def test_hostile_markup_in_bodies_is_sanitized(make_bundle: BundleMaker) -> None:
    hostile = (
        '<p onclick="steal()">正文<script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)></p>'
    )
    issue = issue_import(
        actor=None, source=make_bundle(files={"articles/02.html": hostile.encode()})
    )
    body = Article.objects.get(issue=issue, position=2).body
    assert body == '<p>正文<a rel="noopener noreferrer">链接</a></p>'


def test_what_the_sanitizer_removed_is_reported_and_audited(make_bundle: BundleMaker) -> None:
    from editorial.models import AuditEntry
    from tests.models.test_articles import HOSTILE

    hostile = (
        '<p onclick="steal()">正文<script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)></p>'
    )
    files = {"articles/02.html": hostile.encode(), "articles/02-notes.md": HOSTILE.encode()}
    report: list[str] = []
    issue = issue_import(actor=None, source=make_bundle(files=files), report=report)
    title = "《贵州五部门签署合作协议 共同推进数据知识产权发展》"
    assert report == [
        f"{title}的正文（articles[1].body，articles/02.html）：已移除：脚本 1 处，样式表 1 处，"
        "事件处理属性 2 个，javascript: 链接 1 处，内嵌图片 1 张",
        f"{title}的注（articles[1].notes，articles/02-notes.md）：已移除：脚本 1 处，样式表 1 处，"
        "事件处理属性 4 个，javascript: 链接 1 处，内嵌图片 1 张，嵌入的网页或对象 1 处，"
        "SVG/MathML 图形 1 处，样式属性 1 个",
    ]
    note = AuditEntry.objects.get(issue=issue, action="import").note
    assert note.splitlines() == [note.splitlines()[0], *report]


def test_a_clean_bundle_reports_nothing(make_bundle: BundleMaker) -> None:
    from editorial.models import AuditEntry

    report: list[str] = []
    issue = issue_import(actor=None, source=make_bundle(), report=report)
    assert report == []
    assert len(AuditEntry.objects.get(issue=issue, action="import").note.splitlines()) == 1


def test_import_requires_permission(make_bundle: BundleMaker) -> None:
    user = factories.UserFactory.create(is_staff=True)
    with pytest.raises(PermissionDenied):
        issue_import(actor=user, source=make_bundle())
    assert Issue.objects.count() == 0


def test_an_import_starts_the_histories_and_the_audit_log(make_bundle: BundleMaker) -> None:
    from reversion.models import Version

    from editorial.models import AuditEntry
    from editorial.services.revisions import issue_versions

    issue = issue_import(actor=None, source=make_bundle())

    [version] = issue_versions(issue)
    assert version.revision.comment == "从 bundle 导入"
    for article in issue.articles.all():
        assert Version.objects.get_for_object(article).count() == 1
    assert AuditEntry.objects.get(issue=issue, action="import").note == "从 bundle 导入"
