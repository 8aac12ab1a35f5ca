"""Reading and validating a bundle, before anything touches the database.

Every problem is collected as a BundleError that names the file and the field, so that an editor
can fix a bundle in one pass; ``read_bundle`` raises BundleInvalid with all of them.
"""

import datetime
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, cast

import jsonschema
import yaml
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator, URLValidator

from editorial.models import Article, Figure, Issue, Organisation, Publication, Section
from editorial.models.articles import QR_CAPTION_CODES
from editorial.richtext import (
    Removed,
    figure_numbers,
    markdown_render,
    quoted_title,
    sanitize_html_reporting,
)
from editorial.validators import validate_image

from .format import MANIFEST_NAMES, ORGANISATION_ROLES, PERSON_ROLES, manifest_schema

MAX_ZIP_BYTES = 500 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
# Bounds that keep an import's time and its answer small whatever the bundle holds. Text fields'
# own limits are the models' (checked on import); these are the files' and the lists'.
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_TEXT_FILE_BYTES = 2 * 1024 * 1024
MAX_ARTICLES = 200
MAX_FIGURES_PER_ARTICLE = 50
MAX_LISTED_ERRORS = 50
MAX_ERROR_CHARS = 300
TEXT_SUFFIXES = (".md", ".html", ".yaml", ".yml", ".json")
# Control characters other than tab and line breaks: PostgreSQL refuses NUL outright, and none of
# them belongs in an editor's text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class BundleError:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.message}"
            if self.field
            else f"{self.file}: {self.message}"
        )


def _shorten(text: str) -> str:
    if len(text) <= MAX_ERROR_CHARS:
        return text
    return f"{text[:MAX_ERROR_CHARS]}…（共 {len(text)} 字，已截断）"


class BundleInvalid(Exception):
    """The problems of a bundle: the first MAX_LISTED_ERRORS, each shortened, and how many in all,
    so that a hostile bundle cannot make the answer itself huge."""

    def __init__(self, errors: list[BundleError]) -> None:
        self.total = len(errors)
        self.errors = [
            BundleError(_shorten(e.file), _shorten(e.field), _shorten(e.message))
            for e in errors[:MAX_LISTED_ERRORS]
        ]
        if self.total > MAX_LISTED_ERRORS:
            self.errors.append(
                BundleError(
                    self.errors[0].file,
                    "",
                    f"共 {self.total} 个问题，以上只列出前 {MAX_LISTED_ERRORS} 个。",
                )
            )
        super().__init__("\n".join(str(e) for e in self.errors))


_RICH_TEXT_FIELD = re.compile(r"^(articles|organisations)\[(\d+)\]\.(body|notes|profile)$")
_RICH_TEXT_LABELS = {"body": "正文", "notes": "注", "profile": "简介"}


@dataclass
class Bundle:
    """A validated manifest with every file it names already read, rich text already sanitized."""

    manifest_name: str
    manifest: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)
    rich_text: dict[str, str] = field(default_factory=dict)
    # What the sanitizer took out of each rich-text file: (manifest field, file, report).
    removed: list[tuple[str, str, Removed]] = field(default_factory=list)

    def sanitizer_report(self) -> list[str]:
        """One line per cleaned file, naming the field and the file, for the editor and the
        import's audit row."""
        lines = []
        for name, path, removed in self.removed:
            where = _RICH_TEXT_FIELD.match(name)
            owner = ""
            if where:
                kind, index, part = where.groups()
                label = self.manifest[kind][int(index)].get(
                    "title" if kind == "articles" else "name"
                )
                named = quoted_title(label) if kind == "articles" else label
                owner = f"{named}的{_RICH_TEXT_LABELS[part]}"
            lines.append(f"{owner}（{name}，{path}）：{removed}")
        return lines

    def image(self, path: str | None) -> ContentFile | None:
        if not path:
            return None
        return ContentFile(self.images[path], name=PurePosixPath(path).name)  # type: ignore[arg-type]


def read_bundle(source: Path) -> Bundle:
    """Read a bundle folder or .zip and validate all of it.

    Raises BundleInvalid listing every problem found.
    """
    with _bundle_root(source) as root:
        return _Reader(root).read()


@contextmanager
def _bundle_root(source: Path) -> Iterator[Path]:
    if source.is_dir():
        yield source
        return
    if not source.is_file():
        raise BundleInvalid([BundleError(str(source), "", "找不到该文件或文件夹。")])
    if not zipfile.is_zipfile(source):
        raise BundleInvalid([BundleError(source.name, "", "既不是文件夹也不是 .zip 文件。")])
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleInvalid([BundleError(source.name, "", f"压缩包已损坏：{exc}")]) from exc
    with archive, tempfile.TemporaryDirectory() as tmp:
        members = archive.infolist()
        problems = _unsafe_members(members) or _oversized_members(members)
        if problems:
            raise BundleInvalid([BundleError(source.name, "", p) for p in problems])
        _extract(archive, source.name, Path(tmp))
        root = Path(tmp)
        entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir() and not _find_manifest(root):
            root = entries[0]
        yield root


def _unsafe_members(members: list[zipfile.ZipInfo]) -> list[str]:
    if len(members) > MAX_ZIP_MEMBERS:
        return [f"压缩包内文件过多（{len(members)} 个，上限 {MAX_ZIP_MEMBERS}）。"]
    if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        return ["压缩包解压后过大。"]
    return [
        f"压缩包内的路径不安全：{m.filename}"
        for m in members
        if m.filename.startswith(("/", "\\")) or ".." in PurePosixPath(m.filename).parts
    ]


def _oversized_members(members: list[zipfile.ZipInfo]) -> list[str]:
    """Members whose declared size is over a file's limit; extraction never writes more than the
    declared size (zipfile stops there and checks the CRC), so this bounds what is unpacked."""
    problems = []
    for member in members:
        text = member.filename.lower().endswith(TEXT_SUFFIXES)
        limit = MAX_TEXT_FILE_BYTES if text else settings.DIGEST_MAX_IMAGE_BYTES
        if member.file_size > limit:
            problems.append(
                f"压缩包内的文件过大：{member.filename}"
                f"（{member.file_size} 字节，上限 {limit} 字节）"
            )
    return problems


def _extract(archive: zipfile.ZipFile, name: str, target: Path) -> None:
    """Unpack member by member, so that a corrupt one (bad CRC, bad deflate data, an unsupported
    method or encryption) is named in the problem list instead of ending in a traceback."""
    problems = []
    for member in archive.infolist():
        try:
            archive.extract(member, target)  # noqa: S202 - members checked by _unsafe_members
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            problems.append(BundleError(name, member.filename, f"压缩包内的文件已损坏：{exc}"))
    if problems:
        raise BundleInvalid(problems)


def _find_manifest(root: Path) -> Path | None:
    return next((root / n for n in MANIFEST_NAMES if (root / n).is_file()), None)


# The manifest's parts as editors know them: label, model of their fields, counter of a list.
_PARTS: dict[str, tuple[str, Any, str]] = {
    "format": ("格式", None, ""),
    "publication": ("刊物", Publication, ""),
    "issue": ("本期", Issue, ""),
    "masthead": ("报头", None, ""),
    "organisations": ("机构", Organisation, "个机构"),
    "sections": ("栏目", Section, "个栏目"),
    "articles": ("文章", Article, "篇文章"),
    "figures": ("图", Figure, "张图"),
}
_MASTHEAD_LABELS = {
    key: str(role.label) for key, role in [*ORGANISATION_ROLES.items(), *PERSON_ROLES.items()]
}
_TYPES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是或否",
    "array": "列表",
    "object": "映射（键: 值）",
    "null": "空",
}


def _field_label(parts: Any) -> str:
    """The field at ``parts`` as an editor knows it: "第 3 篇文章的二维码说明"."""
    words: list[str] = []
    model: Any = None
    counter = ""
    for part in parts:
        if isinstance(part, int):
            words[-1] = f"第 {part + 1} {counter}" if counter else f"{words[-1]}第 {part + 1} 项"
            counter = ""
        elif not words or part == "figures":
            label, model, counter = _PARTS.get(part, (part, None, ""))
            words.append(label)
        elif part in _MASTHEAD_LABELS and model is None:
            words.append(_MASTHEAD_LABELS[part])
        else:
            try:
                words.append(str(model._meta.get_field(part).verbose_name))
            except (AttributeError, FieldDoesNotExist):
                words.append(part)
    return "的".join(words) or "清单"


def _schema_problem(err: jsonschema.ValidationError) -> str:
    """What is wrong with the value, in Chinese (jsonschema says it in English)."""
    rule = err.validator
    limit, value = cast(Any, err.validator_value), cast(Any, err.instance)
    if rule == "maxLength":
        return f"不能超过 {limit} 个字（现为 {len(value)} 个）。"
    if rule == "minLength":
        return "不能为空。"
    if rule == "type":
        kinds = [limit] if isinstance(limit, str) else limit
        return f"应为{'或'.join(_TYPES.get(k, k) for k in kinds)}。"
    if rule in ("enum", "const"):
        allowed = [limit] if rule == "const" else limit
        return f"应为以下之一：{'、'.join(str(a) for a in allowed if a is not None)}。"
    if rule == "minimum":
        return f"不能小于 {limit}（现为 {value}）。"
    if rule == "minItems":
        return f"至少要有 {limit} 项。"
    if rule == "uniqueItems":
        return "有重复的项。"
    shown = f"（{value}）" if isinstance(value, str | int) else ""
    return f"格式不正确{shown}。"


def _json_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors' aliases: a few KB of nested aliases expand to gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "不允许使用别名（*名称）", event.start_mark
            )
        return super().compose_node(parent, index)


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[BundleError] = []
        self.manifest_name = "issue.yaml"
        self.bytes_read = 0

    def error(self, field: str, message: str, file: str | None = None) -> None:
        self.errors.append(BundleError(file or self.manifest_name, field, message))

    def read(self) -> Bundle:
        manifest = self._load_manifest()
        bundle = Bundle(self.manifest_name, manifest)
        self._check_counts(manifest)
        self._check_schema(manifest)
        self._check_characters("", manifest)
        if self.errors:
            raise BundleInvalid(self.errors)
        for article in manifest["articles"]:  # bundles written when captions were codes
            caption = article.get("qr_caption")
            article["qr_caption"] = QR_CAPTION_CODES.get(caption, caption) if caption else caption
        self._check_references(manifest)
        self._read_files(manifest, bundle)
        self._check_values(manifest)
        if self.errors:
            raise BundleInvalid(self.errors)
        return bundle

    def _load_manifest(self) -> dict[str, Any]:
        path = _find_manifest(self.root)
        if path is None:
            raise BundleInvalid([BundleError(" 或 ".join(MANIFEST_NAMES), "", "找不到清单文件。")])
        self.manifest_name = path.name
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise BundleInvalid(
                [BundleError(path.name, "", f"清单过大：{size} 字节，上限 {MAX_MANIFEST_BYTES}。")]
            )
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)  # noqa: S506
        except UnicodeDecodeError as exc:
            raise BundleInvalid([BundleError(path.name, "", f"不是 UTF-8 编码：{exc}")]) from exc
        except yaml.YAMLError as exc:
            raise BundleInvalid([BundleError(path.name, "", f"YAML 格式错误：{exc}")]) from exc
        if not isinstance(data, dict):
            raise BundleInvalid([BundleError(path.name, "", "清单必须是一个映射（键: 值）。")])
        issue = data.get("issue")
        if isinstance(issue, dict) and isinstance(issue.get("date"), datetime.date):
            issue["date"] = issue["date"].isoformat()
        return data

    def _check_counts(self, manifest: dict[str, Any]) -> None:
        articles = manifest.get("articles")
        if not isinstance(articles, list):
            return
        if len(articles) > MAX_ARTICLES:
            self.error("articles", f"文章过多：{len(articles)} 篇，上限 {MAX_ARTICLES} 篇。")
        for i, article in enumerate(articles[:MAX_ARTICLES]):
            figures = article.get("figures") if isinstance(article, dict) else None
            if isinstance(figures, list) and len(figures) > MAX_FIGURES_PER_ARTICLE:
                self.error(
                    f"articles[{i}].figures",
                    f"图过多：{len(figures)} 幅，上限 {MAX_FIGURES_PER_ARTICLE} 幅。",
                )

    def _check_characters(self, field: str, value: Any) -> None:
        """Every string of the manifest, keys included, free of control characters."""
        if isinstance(value, dict):
            for key, item in value.items():
                self._check_characters(field, key)
                self._check_characters(f"{field}.{key}" if field else str(key), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._check_characters(f"{field}[{i}]", item)
        elif isinstance(value, str):
            self._refuse_control_characters(field or "(根)", value)

    def _refuse_control_characters(self, field: str, text: str, file: str | None = None) -> bool:
        found = CONTROL_CHARACTERS.search(text)
        if found:
            self.error(
                field,
                f"含有不允许的控制字符 U+{ord(found.group()):04X}"
                f"（第 {found.start() + 1} 个字符）。",
                file=file,
            )
        return found is not None

    def _check_schema(self, manifest: dict[str, Any]) -> None:
        validator = jsonschema.Draft202012Validator(manifest_schema())
        for err in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
            parts = list(err.absolute_path)
            path, label = _json_path(parts), _field_label(parts)
            if err.validator == "required":
                missing = [k for k in err.validator_value if k not in err.instance]
                for key in missing:
                    field = f"{path}.{key}" if path else key
                    self.error(field, f"{_field_label([*parts, key])}：缺少必填字段。")
            elif err.validator == "additionalProperties":
                known = set(err.schema.get("properties", {}))
                unknown = "、".join(str(k) for k in err.instance if k not in known)
                self.error(path or "(根)", f"{label}：未知字段 {unknown}。")
            else:
                self.error(path or "(根)", f"{label}：{_schema_problem(err)}")

    def _check_references(self, manifest: dict[str, Any]) -> None:
        section_slugs = [s["slug"] for s in manifest["sections"]]
        for slug in {s for s in section_slugs if section_slugs.count(s) > 1}:
            self.error("sections", f"栏目代号重复：{slug}")
        org_names = [o["name"] for o in manifest.get("organisations", [])]
        for name in {n for n in org_names if org_names.count(n) > 1}:
            self.error("organisations", f"机构重复：{name}")
        for key in ORGANISATION_ROLES:
            for i, name in enumerate(manifest.get("masthead", {}).get(key, [])):
                if name not in org_names:
                    self.error(f"masthead.{key}[{i}]", f"机构未在 organisations 中列出：{name}")
        for i, article in enumerate(manifest["articles"]):
            if article["section"] not in section_slugs:
                self.error(f"articles[{i}].section", f"未知栏目：{article['section']}")
            numbers = [f["number"] for f in article.get("figures", [])]
            for n in {n for n in numbers if numbers.count(n) > 1}:
                self.error(f"articles[{i}].figures", f"图号重复：图 {n}")

    def _read_files(self, manifest: dict[str, Any], bundle: Bundle) -> None:
        publication, issue = manifest["publication"], manifest["issue"]
        self._read_image(bundle, "publication.wechat_qr", publication.get("wechat_qr"))
        self._read_image(bundle, "issue.cover_image", issue.get("cover_image"))
        for i, org in enumerate(manifest.get("organisations", [])):
            self._read_image(bundle, f"organisations[{i}].logo", org.get("logo"))
            self._read_rich_text(bundle, f"organisations[{i}].profile", org.get("profile"))
        for i, article in enumerate(manifest["articles"]):
            self._read_rich_text(bundle, f"articles[{i}].body", article["body"])
            self._read_rich_text(bundle, f"articles[{i}].notes", article.get("notes"))
            for j, figure in enumerate(article.get("figures", [])):
                self._read_image(bundle, f"articles[{i}].figures[{j}].image", figure["image"])
            body = bundle.rich_text.get(article["body"])
            if body is not None:
                listed = {f["number"] for f in article.get("figures", [])}
                for n in figure_numbers(body):
                    if n not in listed:
                        self.error(
                            f"articles[{i}].figures",
                            f"正文放置了图 {n}，但 figures 中没有它。",
                        )

    def _file_bytes(self, field: str, path: str) -> bytes | None:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            self.error(field, f"路径超出了包的范围：{path}")
            return None
        if not target.is_file():
            self.error(field, f"文件不存在：{path}")
            return None
        size = target.stat().st_size
        text = path.lower().endswith(TEXT_SUFFIXES)
        limit = MAX_TEXT_FILE_BYTES if text else settings.DIGEST_MAX_IMAGE_BYTES
        if size > limit:
            noun = "文件" if text else "图片"
            self.error(field, f"{noun}过大：{size} 字节，上限 {limit} 字节。", file=path)
            return None
        self.bytes_read += size
        if self.bytes_read > MAX_ZIP_BYTES:
            self.error(field, f"包内文件合计超过 {MAX_ZIP_BYTES} 字节。", file=path)
            return None
        return target.read_bytes()

    def _read_image(self, bundle: Bundle, field: str, path: str | None) -> None:
        if not path or path in bundle.images:
            return
        data = self._file_bytes(field, path)
        if data is None:
            return
        try:
            validate_image(ContentFile(data, name=PurePosixPath(path).name))
        except ValidationError as exc:
            for message in exc.messages:
                self.error(field, message, file=path)
            return
        bundle.images[path] = data

    def _read_rich_text(self, bundle: Bundle, field: str, path: str | None) -> None:
        if not path or path in bundle.rich_text:
            return
        data = self._file_bytes(field, path)
        if data is None:
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.error(field, f"不是 UTF-8 编码：{exc}", file=path)
            return
        if self._refuse_control_characters(field, text, file=path):
            return
        html, removed = sanitize_html_reporting(
            markdown_render(text) if path.endswith(".md") else text
        )
        if removed:
            bundle.removed.append((field, path, removed))
        if not html.strip():
            self.error(field, "内容为空。", file=path)
            return
        bundle.rich_text[path] = html

    def _check_values(self, manifest: dict[str, Any]) -> None:
        try:
            datetime.date.fromisoformat(manifest["issue"]["date"])
        except ValueError:
            self.error("issue.date", f"不是有效日期：{manifest['issue']['date']}")
        email = manifest["publication"].get("email")
        if email:
            self._validate("publication.email", email, EmailValidator(message="邮箱地址无效。"))
        url_validator = URLValidator(schemes=["http", "https"], message="不是有效的 http(s) 网址。")
        for i, article in enumerate(manifest["articles"]):
            url = article.get("original_url")
            if url:
                self._validate(f"articles[{i}].original_url", url, url_validator)
            if bool(url) != bool(article.get("qr_caption")):
                self.error(
                    f"articles[{i}].qr_caption", "原文链接与二维码说明须同时填写或同时留空。"
                )

    def _validate(self, field: str, value: str, validator: Any) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            self.error(field, f"{exc.messages[0]}（{value}）")
