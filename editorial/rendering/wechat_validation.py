"""What the WeChat draft API accepts, as data, and a validator that names every breach.

The limits are those of ``draft/add`` and ``media/uploadimg``, kept in ``editorial.wechat_limits``:
characters are counted as WeChat documents them (Python ``len``), content length on the final
HTML string.

The allow-lists and the CSS rules here are shared with the cleaner in ``wechat.py``: what the
cleaner keeps is exactly what the validator accepts, so rendered output always validates and a
hand-made article is held to the same rules.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PIL import Image

from editorial.wechat_limits import (
    AUTHOR_MAX,
    CONTENT_MAX_BYTES,
    CONTENT_MAX_CHARS,
    DIGEST_MAX,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_WIDTH,
    IMAGE_TYPES,
    SOURCE_URL_MAX_BYTES,
    TITLE_MAX,
)

if TYPE_CHECKING:
    from .wechat import ImageSource, WechatArticle


ALLOWED_TAGS = frozenset(
    "section p span strong b em i u s br hr h1 h2 h3 h4 h5 h6 ul ol li blockquote pre code "
    "table thead tbody tr th td img a sup sub figure figcaption".split()
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"style"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt"}),
}
URL_SCHEMES = frozenset({"http", "https"})
LINK_HOSTS = frozenset({"mp.weixin.qq.com"})  # the only links WeChat keeps clickable
IMAGE_HOSTS = frozenset({"mmbiz.qpic.cn", "mmbiz.qlogo.cn"})  # WeChat's own image hosts

DIGEST_LABEL = "本期要目"  # how violations name the issue digest article

_VENDOR_PREFIX = re.compile(r"^-(?:webkit|moz|ms|o)-")
_PROPERTY = re.compile(r"^-?[a-z][a-z0-9-]*$")
_URL_FUNCTIONS = re.compile(r"(?:url|image|image-set|cross-fade|element|src)\(")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")

CSS_MESSAGES = {
    "css_at_rule": "样式中含有 @ 规则，公众号会删除。",
    "css_position": "样式中使用了 position 定位，公众号会删除。",
    "css_variable": "样式中使用了 CSS 变量（var() 或 --），公众号不支持。",
    "css_animation": "样式中使用了动画或过渡（animation/transition），公众号会删除。",
    "css_expression": "样式中含有 expression()，可执行脚本，不允许。",
    "css_url": "样式中引用了外部资源（url() 等），不允许。",
    "css_behavior": "样式中含有 behavior/-moz-binding，可执行脚本，不允许。",
    "css_syntax": "样式写法无法安全识别（转义、注释、尖括号或缺少冒号），不允许。",
}


@dataclass(frozen=True)
class Violation:
    article: str  # the article title, or 本期要目 for the issue digest article
    element: str  # where: "title", "content", "<img src=…>", "<a href=…>", "style on <p>" …
    rule: str  # a short rule code, e.g. "title_length", "external_image", "css_position"
    message: str  # Chinese, for editors


def split_declarations(style: str) -> list[str]:
    """``style`` split on the semicolons that end declarations (not those inside quotes or ())."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    depth = 0
    for char in style:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def css_rule_broken(declaration: str) -> tuple[str, str, str | None]:
    """``(property, value, rule)`` of one declaration; ``rule`` is None when it is acceptable.

    A deny-list of what WeChat strips or what could run code, over a strict syntax: escapes,
    comments and angle brackets are refused outright, since they are how a forbidden word is
    hidden from a filter like this one.
    """
    name, colon, value = declaration.partition(":")
    prop = name.strip().lower()
    value = " ".join(value.split())
    lowered = value.lower()
    compact = re.sub(r"\s+", "", lowered)
    bare = _VENDOR_PREFIX.sub("", prop)
    if "@" in declaration:
        return prop, value, "css_at_rule"
    if any(mark in declaration for mark in ("\\", "/*", "*/", "<", ">")) or not colon:
        return prop, value, "css_syntax"
    if prop.startswith("--") or "var(" in compact:
        return prop, value, "css_variable"
    if not _PROPERTY.match(prop) or not value:
        return prop, value, "css_syntax"
    if bare == "position":
        return prop, value, "css_position"
    if bare.startswith(("animation", "transition")):
        return prop, value, "css_animation"
    if "expression(" in compact or "javascript:" in compact:
        return prop, value, "css_expression"
    if _URL_FUNCTIONS.search(compact):
        return prop, value, "css_url"
    if bare in {"behavior", "binding"} or "behavior" in compact or "binding" in compact:
        return prop, value, "css_behavior"
    return prop, value, None


def url_parts(url: str) -> tuple[str, str] | None:
    """``(scheme, host)`` of a URL in lower case, or None when it has control characters."""
    if _CONTROL.search(url.strip()):
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return None
    return parts.scheme.lower(), host.lower()


def is_wechat_link(url: str) -> bool:
    """A link WeChat keeps clickable: http(s) on mp.weixin.qq.com."""
    parts = url_parts(url)
    return parts is not None and parts[0] in URL_SCHEMES and parts[1] in LINK_HOSTS


def image_src_rule(src: str, *, local_images_allowed: bool) -> str | None:
    """The rule an ``<img src>`` breaks: WeChat's host only; relative paths only in files output."""
    parts = url_parts(src)
    if parts is None:
        return "unsafe_url"
    scheme, host = parts
    if scheme and scheme not in URL_SCHEMES:
        return "unsafe_url"  # data:, javascript:, file: …
    if scheme in URL_SCHEMES and host in IMAGE_HOSTS:
        return None
    if local_images_allowed and not scheme and not host and not src.strip().startswith("/"):
        return None
    return "external_image"


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class _ContentChecker(HTMLParser):
    """Walks the content the way a browser tokenizes it and records every breach."""

    def __init__(self, *, article: str, local_images_allowed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.article = article
        self.local_images_allowed = local_images_allowed
        self.violations: list[Violation] = []

    def add(self, element: str, rule: str, message: str) -> None:
        self.violations.append(Violation(self.article, element, rule, message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.add(f"<{tag}>", "disallowed_tag", f"不允许使用 <{tag}> 标签，公众号会删除或拒收。")
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset())
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.add(
                    f"{name} on <{tag}>",
                    "event_handler",
                    f"<{tag}> 带有事件属性 {name}，不允许脚本。",
                )
            elif name not in allowed:
                self.add(
                    f"{name} on <{tag}>",
                    "disallowed_attribute",
                    f"<{tag}> 不允许带 {name} 属性（只允许 style、a 的 href、img 的 src/alt）。",
                )
            elif name == "style":
                self._check_style(tag, value)
        if tag == "a" and "href" in values:
            self._check_href(values["href"] or "")
        if tag == "img":
            self._check_src(values.get("src"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _check_style(self, tag: str, style: str) -> None:
        for declaration in split_declarations(style):
            _, _, rule = css_rule_broken(declaration)
            if rule is not None:
                self.add(
                    f"style on <{tag}>", rule, f"{CSS_MESSAGES[rule]}（{_short(declaration)}）"
                )

    def _check_href(self, href: str) -> None:
        element = f"<a href={_short(href)}>"
        parts = url_parts(href)
        if parts is None or (parts[0] and parts[0] not in URL_SCHEMES | {"mailto", "tel"}):
            self.add(element, "unsafe_url", "链接地址不是 http(s) 地址，可能执行脚本，不允许。")
        elif not is_wechat_link(href):
            self.add(
                element,
                "external_link",
                "公众号文章中 mp.weixin.qq.com 以外的链接不能点击，请改为参考链接文字。",
            )

    def _check_src(self, src: str | None) -> None:
        if not src:
            self.add("<img>", "image_src_missing", "图片没有地址（src）。")
            return
        rule = image_src_rule(src, local_images_allowed=self.local_images_allowed)
        element = f"<img src={_short(src)}>"
        if rule == "unsafe_url":
            self.add(element, rule, "图片地址不是 http(s) 地址（如 data:），不允许。")
        elif rule == "external_image":
            self.add(
                element,
                rule,
                "图片不在微信图片服务器（mmbiz.qpic.cn）上，须先通过 uploadimg 上传。",
            )

    def handle_comment(self, data: str) -> None:
        self.add("<!-- -->", "html_comment", "正文中含有 HTML 注释，须删除。")

    def handle_decl(self, decl: str) -> None:
        self.add(f"<!{_short(decl, 20)}>", "disallowed_tag", "正文中不允许文档声明。")

    def unknown_decl(self, data: str) -> None:
        self.add(f"<![{_short(data, 20)}]>", "disallowed_tag", "正文中不允许 CDATA 等声明。")

    def handle_pi(self, data: str) -> None:
        self.add(f"<?{_short(data, 20)}>", "disallowed_tag", "正文中不允许处理指令。")


def _check_image(article: str, image: ImageSource) -> list[Violation]:
    element = f"image {image.name}"
    found: list[Violation] = []

    def add(rule: str, message: str) -> None:
        found.append(Violation(article, element, rule, message))

    if hashlib.sha256(image.data).hexdigest() != image.checksum:
        add("image_checksum", "图片校验值与内容不符。")
    if len(image.data) >= IMAGE_MAX_BYTES:
        add(
            "image_size", f"图片 {len(image.data):,} 字节，须小于 1MB（{IMAGE_MAX_BYTES:,} 字节）。"
        )
    expected = IMAGE_TYPES.get(image.content_type)
    try:
        with Image.open(io.BytesIO(image.data)) as probe:
            actual, width = probe.format, probe.width
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        actual, width = None, 0  # not an image, or a broken one
    if expected is None or actual != expected:
        add("image_type", "图片须为 JPG 或 PNG，且与声明的类型一致。")
    if width > IMAGE_MAX_WIDTH:
        add("image_width", f"图片宽 {width} 像素，超过 {IMAGE_MAX_WIDTH} 像素。")
    return found


def validate_wechat_article(
    article: WechatArticle, *, local_images_allowed: bool = False
) -> list[Violation]:
    """Every way ``article`` breaks WeChat's rules (or ours), each naming where; [] when none.

    ``local_images_allowed`` accepts relative image paths, for files written to disk for review;
    anything pushed to WeChat must be validated without it.
    """
    name = DIGEST_LABEL if article.article_id is None else article.title
    found: list[Violation] = []

    def add(element: str, rule: str, message: str) -> None:
        found.append(Violation(name, element, rule, message))

    if not article.title.strip():
        add("title", "title_required", "标题不能为空。")
    if len(article.title) > TITLE_MAX:
        add("title", "title_length", f"标题 {len(article.title)} 字，超过 {TITLE_MAX} 字。")
    if len(article.author) > AUTHOR_MAX:
        add("author", "author_length", f"作者 {len(article.author)} 字，超过 {AUTHOR_MAX} 字。")
    if len(article.digest) > DIGEST_MAX:
        add("digest", "digest_length", f"摘要 {len(article.digest)} 字，超过 {DIGEST_MAX} 字。")
    content = article.content
    if not content.strip():
        add("content", "content_required", "正文不能为空。")
    if len(content) >= CONTENT_MAX_CHARS:
        add(
            "content",
            "content_length",
            f"正文 HTML 共 {len(content):,} 字符，须少于 {CONTENT_MAX_CHARS:,} 字符。",
        )
    size = len(content.encode("utf-8"))
    if size >= CONTENT_MAX_BYTES:
        add("content", "content_bytes", f"正文 HTML 共 {size:,} 字节，须小于 1MB。")
    checker = _ContentChecker(article=name, local_images_allowed=local_images_allowed)
    checker.feed(content)
    checker.close()
    found.extend(checker.violations)
    url = article.content_source_url
    if url:
        if len(url.encode("utf-8")) > SOURCE_URL_MAX_BYTES:
            add(
                "content_source_url",
                "source_url_length",
                f"原文链接 {len(url.encode('utf-8'))} 字节，超过 1KB。",
            )
        parts = url_parts(url)
        if parts is None or parts[0] not in URL_SCHEMES or not parts[1]:
            add("content_source_url", "source_url_scheme", "原文链接须为 http(s) 网址。")
    for image in article.images:
        found.extend(_check_image(name, image))
    return found


__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "AUTHOR_MAX",
    "CONTENT_MAX_BYTES",
    "CONTENT_MAX_CHARS",
    "DIGEST_MAX",
    "IMAGE_HOSTS",
    "IMAGE_MAX_BYTES",
    "IMAGE_MAX_WIDTH",
    "TITLE_MAX",
    "Violation",
    "css_rule_broken",
    "image_src_rule",
    "is_wechat_link",
    "split_declarations",
    "validate_wechat_article",
]
