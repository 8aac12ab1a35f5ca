"""The WeChat validator, one hand-made bad article per rule: each is caught, named and placed.

Every case starts from a valid article and breaks one thing, so the expected list of violations
is exact: the rule, where it is, and that the message is Chinese for editors.
"""

import hashlib
import io
from dataclasses import replace

import pytest
from PIL import Image

from editorial.rendering.wechat import ImageSource, Violation, WechatArticle
from editorial.rendering.wechat_validation import validate_wechat_article

IMAGE_URL = "https://mmbiz.qpic.cn/mmbiz_png/abc/0?wx_fmt=png"


def image(
    width: int = 100, height: int = 50, image_format: str = "PNG", name: str = "01-fig1.png"
) -> ImageSource:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "steelblue").save(buffer, format=image_format)
    data = buffer.getvalue()
    content_type = "image/png" if image_format == "PNG" else "image/jpeg"
    return ImageSource(name, data, content_type, hashlib.sha256(data).hexdigest())


GOOD = WechatArticle(
    article_id=7,
    title="测试文章",
    author="大数据发展动态",
    digest="摘要。",
    content=(
        '<section style="font-size:15px"><p style="color:#333333">正文，'
        '<a href="https://mp.weixin.qq.com/s/abc">公众号文章</a>。</p>'
        f'<figure><img src="{IMAGE_URL}" alt="图 1" style="max-width:100%">'
        "<figcaption>图 1 图题</figcaption></figure></section>"
    ),
    content_source_url="https://www.gov.cn/zhengce/content.htm",
    images=(image(),),
)


def only(article: WechatArticle, **options: bool) -> list[tuple[str, str, str]]:
    """(article, element, rule) of each violation, after checking every message is Chinese."""
    found = validate_wechat_article(article, **options)
    for violation in found:
        assert isinstance(violation, Violation)
        assert any("\u4e00" <= char <= "\u9fff" for char in violation.message), violation
    return [(v.article, v.element, v.rule) for v in found]


def with_content(html: str) -> WechatArticle:
    return replace(GOOD, content=html)


def test_the_good_article_is_valid() -> None:
    assert validate_wechat_article(GOOD) == []


# ---------- fields ----------


def test_title_required() -> None:
    assert only(replace(GOOD, title=" ")) == [(" ", "title", "title_required")]


def test_title_length() -> None:
    assert only(replace(GOOD, title="标" * 32)) == []
    assert only(replace(GOOD, title="标" * 33)) == [("标" * 33, "title", "title_length")]


def test_author_length() -> None:
    assert only(replace(GOOD, author="作" * 16)) == []
    assert only(replace(GOOD, author="作" * 17)) == [("测试文章", "author", "author_length")]


def test_digest_length() -> None:
    assert only(replace(GOOD, digest="摘" * 128)) == []
    assert only(replace(GOOD, digest="摘" * 129)) == [("测试文章", "digest", "digest_length")]


def test_the_digest_article_is_named_benqi_yaomu() -> None:
    digest = replace(GOOD, article_id=None, digest="摘" * 129)
    assert only(digest) == [("本期要目", "digest", "digest_length")]


def test_content_required() -> None:
    assert only(replace(GOOD, content="  ", images=())) == [
        ("测试文章", "content", "content_required")
    ]


def test_content_length_counts_the_final_html_string() -> None:
    wrapper = "<p></p>"
    fits = with_content("<p>" + "字" * (19_999 - len(wrapper)) + "</p>")
    assert len(fits.content) == 19_999 and only(replace(fits, images=())) == []
    over = with_content("<p>" + "字" * (20_000 - len(wrapper)) + "</p>")
    assert only(replace(over, images=())) == [("测试文章", "content", "content_length")]


def test_content_bytes() -> None:
    heavy = with_content("<p>" + "字" * 340_000 + "</p>")  # 1,020,007 bytes in UTF-8
    assert only(replace(heavy, images=())) == [
        ("测试文章", "content", "content_length"),
        ("测试文章", "content", "content_bytes"),
    ]


def test_source_url_length() -> None:
    base = "https://www.gov.cn/?q="
    assert only(replace(GOOD, content_source_url=base + "a" * (1024 - len(base)))) == []
    long = replace(GOOD, content_source_url=base + "a" * (1025 - len(base)))
    assert only(long) == [("测试文章", "content_source_url", "source_url_length")]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/x", "www.gov.cn/x", "https:///x", "http://a b"],
)
def test_source_url_scheme(url: str) -> None:
    assert only(replace(GOOD, content_source_url=url)) == [
        ("测试文章", "content_source_url", "source_url_scheme")
    ]


# ---------- content: tags, attributes, comments ----------


@pytest.mark.parametrize(
    ("html", "element"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ("<style>p{}</style>", "<style>"),
        ('<iframe src="https://evil.example/"></iframe>', "<iframe>"),
        ("<form><input></form>", "<form>"),
        ("<svg></svg>", "<svg>"),
        ("<div>x</div>", "<div>"),
    ],
)
def test_disallowed_tag(html: str, element: str) -> None:
    assert ("测试文章", element, "disallowed_tag") in only(with_content(f"<p>x</p>{html}"))


def test_doctype_is_a_disallowed_tag() -> None:
    assert only(with_content("<!DOCTYPE html><p>x</p>")) == [
        ("测试文章", "<!DOCTYPE html>", "disallowed_tag")
    ]


@pytest.mark.parametrize(
    ("html", "element"),
    [
        ('<p class="a">x</p>', "class on <p>"),
        ('<p id="a">x</p>', "id on <p>"),
        ('<img src="' + IMAGE_URL + '" width="900">', "width on <img>"),
        ('<a href="https://mp.weixin.qq.com/s/x" target="_blank">x</a>', "target on <a>"),
        ('<p href="https://mp.weixin.qq.com/s/x">x</p>', "href on <p>"),
    ],
)
def test_disallowed_attribute(html: str, element: str) -> None:
    assert only(with_content(html)) == [("测试文章", element, "disallowed_attribute")]


def test_event_handler() -> None:
    assert only(with_content('<p onclick="alert(1)">x</p>')) == [
        ("测试文章", "onclick on <p>", "event_handler")
    ]


def test_html_comment() -> None:
    assert only(with_content("<p>x</p><!-- note -->")) == [("测试文章", "<!-- -->", "html_comment")]


# ---------- content: styles ----------


@pytest.mark.parametrize(
    ("style", "rule"),
    [
        ("position:fixed", "css_position"),
        ("-webkit-position: sticky", "css_position"),
        ("@import url(x.css)", "css_at_rule"),
        ("color:var(--accent)", "css_variable"),
        ("--accent:red", "css_variable"),
        ("animation:spin 1s infinite", "css_animation"),
        ("-webkit-transition:all 1s", "css_animation"),
        ("width:expression(alert(1))", "css_expression"),
        ("background:url(https://evil.example/x.png)", "css_url"),
        ("background-image:image-set('x.png' 1x)", "css_url"),
        ("behavior:url(x.htc)", "css_url"),
        ("behavior:x", "css_behavior"),
        ("-moz-binding:none", "css_behavior"),
        ("color:re\\64", "css_syntax"),
        ("color:/* */red", "css_syntax"),
        ("color", "css_syntax"),
    ],
)
def test_css_rules(style: str, rule: str) -> None:
    article = with_content(f'<p style="color:#333;{style}">x</p>')
    assert only(article) == [("测试文章", "style on <p>", rule)]


def test_a_semicolon_in_quotes_does_not_split_a_declaration() -> None:
    assert only(with_content("<p style=\"font-family:'a;b';color:red\">x</p>")) == []


# ---------- content: links and images ----------


@pytest.mark.parametrize(
    "href", ["https://www.gov.cn/x", "http://evil.example/", "/relative", "#top", "mailto:a@b.cn"]
)
def test_external_link(href: str) -> None:
    assert only(with_content(f'<p><a href="{href}">x</a></p>')) == [
        ("测试文章", f"<a href={href}>", "external_link")
    ]


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x", "data:text/html,x"]
)
def test_unsafe_link(href: str) -> None:
    assert [rule for _, _, rule in only(with_content(f'<a href="{href}">x</a>'))] == ["unsafe_url"]


def test_links_to_mp_weixin_are_fine() -> None:
    assert only(with_content('<a href="http://mp.weixin.qq.com/s?__biz=x&amp;mid=1">x</a>')) == []


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/x.png",
        "http://mmbiz.qpic.cn.evil.example/x.png",
        "//evil.example/x.png",
        "images/01-fig1.png",
    ],
)
def test_external_image(src: str) -> None:
    assert only(with_content(f'<img src="{src}">')) == [
        ("测试文章", f"<img src={src}>", "external_image")
    ]


def test_local_images_are_allowed_only_when_asked() -> None:
    local = with_content('<img src="images/01-fig1.png" alt="图 1">')
    assert only(local, local_images_allowed=True) == []
    assert [rule for _, _, rule in only(local)] == ["external_image"]
    absolute = with_content('<img src="/media/x.png">')
    assert [rule for _, _, rule in only(absolute, local_images_allowed=True)] == ["external_image"]


def test_wechat_image_hosts_are_fine() -> None:
    html = '<img src="https://mmbiz.qlogo.cn/x/0"><img src="http://mmbiz.qpic.cn/y/0">'
    assert only(with_content(html)) == []


@pytest.mark.parametrize("src", ["data:image/png;base64,AAAA", "javascript:alert(1)"])
def test_unsafe_image_src(src: str) -> None:
    assert only(with_content(f'<img src="{src}">')) == [
        ("测试文章", f"<img src={src}>", "unsafe_url")
    ]


def test_image_src_missing() -> None:
    assert only(with_content('<img alt="x">')) == [("测试文章", "<img>", "image_src_missing")]


# ---------- images handed to uploadimg ----------


def test_image_size() -> None:
    data = b"\x89PNG" + bytes(1_000_000)
    heavy = replace(GOOD.images[0], data=data, checksum=hashlib.sha256(data).hexdigest())
    rules = [rule for _, _, rule in only(replace(GOOD, images=(heavy,)))]
    assert rules == ["image_size", "image_type"]  # and it is not a PNG at all


def test_image_type() -> None:
    gif = image(image_format="GIF")
    gif = replace(gif, content_type="image/gif")
    assert only(replace(GOOD, images=(gif,))) == [("测试文章", "image 01-fig1.png", "image_type")]
    mislabelled = replace(image(image_format="JPEG"), content_type="image/png")
    assert [rule for _, _, rule in only(replace(GOOD, images=(mislabelled,)))] == ["image_type"]


def test_image_width() -> None:
    assert only(replace(GOOD, images=(image(width=677),))) == []
    assert only(replace(GOOD, images=(image(width=678),))) == [
        ("测试文章", "image 01-fig1.png", "image_width")
    ]


def test_image_checksum() -> None:
    wrong = replace(GOOD.images[0], checksum="0" * 64)
    assert only(replace(GOOD, images=(wrong,))) == [
        ("测试文章", "image 01-fig1.png", "image_checksum")
    ]


def test_every_breach_is_reported_at_once() -> None:
    bad = WechatArticle(
        article_id=3,
        title="标" * 40,
        author="作" * 20,
        digest="摘" * 200,
        content=(
            '<p class="x" style="position:absolute">a<a href="https://evil.example/">b</a></p>'
            '<img src="https://evil.example/x.png"><!-- c --><script>d</script>'
        ),
        content_source_url="file:///etc/passwd",
        images=(),
    )
    assert [rule for _, _, rule in only(bad)] == [
        "title_length",
        "author_length",
        "digest_length",
        "disallowed_attribute",
        "css_position",
        "external_link",
        "external_image",
        "html_comment",
        "disallowed_tag",
        "source_url_scheme",
    ]
