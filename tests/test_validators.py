"""Uploaded images: Pillow must read them whole; size, pixel count and format are limited."""

import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, PngImagePlugin

from editorial.validators import validate_image
from tests.factories import png_bytes
from tests.fake_ghostscript import DISGUISED, GhostscriptLog


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_allowed_formats_pass(fmt: str) -> None:
    validate_image(ContentFile(image_bytes(fmt), name=f"a.{fmt.lower()}"))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (png_bytes(400, 300)[:-300], "image_invalid"),
        (image_bytes("JPEG", (400, 300))[:-400], "image_invalid"),
        (b"GIF89a not really", "image_invalid"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image_invalid"),
        (image_bytes("BMP"), "image_format"),
        (image_bytes("TIFF"), "image_format"),
    ],
    ids=["truncated-png", "truncated-jpeg", "fake-gif", "svg", "bmp", "tiff"],
)
def test_bad_images_get_a_clear_error(data: bytes, code: str) -> None:
    name = {b"\xff\xd8": "x.jpg", b"GI": "x.gif"}.get(data[:2], "x.png")
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(data, name=name))
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


def test_oversized_file_is_refused(settings: object) -> None:
    settings.DIGEST_MAX_IMAGE_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(png_bytes(800, 800, "white") + b"\0" * 1000, name="big.png"))
    assert excinfo.value.code == "image_too_large"


def test_too_many_pixels_is_refused(settings: object) -> None:
    settings.DIGEST_MAX_IMAGE_PIXELS = 100 * 100  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(png_bytes(101, 100), name="wide.png"))
    assert excinfo.value.code == "image_too_many_pixels"


@pytest.mark.parametrize("kind", sorted(DISGUISED))
@pytest.mark.parametrize("name", ["x.png", "x.jpg", "x.eps"])
def test_postscript_and_pdf_are_refused_without_running_ghostscript(
    kind: str, name: str, ghostscript_log: GhostscriptLog
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(DISGUISED[kind], name=name))
    assert excinfo.value.code == "image_format"
    assert ghostscript_log.calls == []


def test_the_fake_ghostscript_would_have_been_seen(ghostscript_log: GhostscriptLog) -> None:
    """The fake is where Pillow looks: decoding EPS as any format would run it."""
    with Image.open(io.BytesIO(DISGUISED["eps"])) as image:
        with pytest.raises(subprocess.CalledProcessError):
            image.load()
    assert ghostscript_log.calls == ["--version"]


@pytest.mark.parametrize(
    "data",
    [
        png_bytes() + b"<html><script>alert(1)</script></html>",
        png_bytes() + b"PK\x03\x04 a zip after the image",
        image_bytes("JPEG") + b"<script>alert(1)</script>",
        image_bytes("GIF") + b"trailing",
    ],
    ids=["png-html-after-iend", "png-zip-after-iend", "jpeg-script-after-eoi", "gif-trailing"],
)
def test_polyglots_are_refused(data: bytes) -> None:
    name = {b"\xff\xd8": "x.jpg", b"GI": "x.gif"}.get(data[:2], "x.png")
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(data, name=name))
    assert excinfo.value.code == "image_polyglot"


def test_markup_inside_an_image_is_refused() -> None:
    image = Image.new("RGB", (8, 8), "orange")
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    image.save(buffer, format="PNG", pnginfo=info)
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(buffer.getvalue(), name="x.png"))
    assert excinfo.value.code == "image_polyglot"


def test_an_html_page_starting_like_an_image_name_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(b"<html>" + png_bytes(), name="x.png"))
    assert excinfo.value.code == "image_invalid"


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "x.png"), ("PNG", "x.gif"), ("PNG", "x")])
def test_a_name_that_does_not_match_the_content_is_refused(fmt: str, name: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(image_bytes(fmt), name=name))
    assert excinfo.value.code == "image_type_mismatch"
