"""Uploaded images: Pillow must read them whole; size, pixel count and format are limited."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from editorial.validators import validate_image
from tests.factories import png_bytes


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
    with pytest.raises(ValidationError) as excinfo:
        validate_image(ContentFile(data, name="x.png"))
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
