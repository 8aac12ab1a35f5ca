"""Validators for what editors type and upload."""

import io
import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
# The file name's extension is the declared type; it must agree with what the bytes are.
DECLARED_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".gif": "GIF",
    ".webp": "WEBP",
}
# Formats recognised only to name them in the refusal; none of them is ever decoded (EPS, PS and
# PDF would make Pillow run Ghostscript).
REFUSED_SIGNATURES = (
    (b"%!PS", "PostScript"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"%PDF", "PDF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
)
# Markup anywhere in an image makes it a polyglot a browser may run as a page.
MARKUP = re.compile(
    rb"<\s*(?:script|html|body|head|iframe|svg|object|embed|meta|!doctype)\b|<\?php|javascript:",
    re.IGNORECASE,
)


def sniff_image_format(data: bytes) -> str | None:
    """The allowed format the bytes start with, by signature; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _ends_cleanly(image_format: str, data: bytes) -> bool:
    """Nothing follows the image's own end marker (where a polyglot hides its second file)."""
    if image_format == "PNG":
        return data.endswith(b"IEND\xaeB`\x82")
    if image_format == "JPEG":
        return data.endswith(b"\xff\xd9")
    if image_format == "GIF":
        return data.endswith(b";")
    riff_size = int.from_bytes(data[4:8], "little")
    return len(data) in (riff_size + 8, riff_size + 9)


def validate_image(file: File) -> None:
    """Reject files that are too large, not an allowed image type, truncated or corrupt.

    The type is decided from the bytes' signature and the name's extension before anything is
    decoded, and Pillow opens the file only as that one format: a PostScript file named ``.png``
    never reaches Ghostscript. ``verify()`` checks the structure and a full ``load()`` decodes
    every pixel, which is what catches a truncated file.
    """
    max_bytes = settings.DIGEST_MAX_IMAGE_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            "图片过大：%(size)s 字节，上限 %(max)s 字节。",
            code="image_too_large",
            params={"size": file.size, "max": max_bytes},
        )
    file.seek(0)
    data = file.read(max_bytes + 1)
    file.seek(0)
    if len(data) > max_bytes:
        raise ValidationError(
            "图片过大：超过上限 %(max)s 字节。", code="image_too_large", params={"max": max_bytes}
        )
    image_format = sniff_image_format(data)
    if image_format is None:
        refused = next((name for magic, name in REFUSED_SIGNATURES if data.startswith(magic)), "")
        if refused:
            raise ValidationError(
                "不支持的图片格式 %(format)s（允许 PNG、JPEG、GIF、WebP）。",
                code="image_format",
                params={"format": refused},
            )
        raise ValidationError(
            "无法读取图片（文件损坏、不完整或不是图片）：%(error)s",
            code="image_invalid",
            params={"error": "不是 PNG、JPEG、GIF 或 WebP 文件"},
        )
    declared = DECLARED_FORMATS.get(PurePosixPath(file.name or "").suffix.lower())
    if file.name and declared != image_format:
        raise ValidationError(
            "文件名 %(name)s 与内容（%(format)s）不符。",
            code="image_type_mismatch",
            params={"name": PurePosixPath(file.name).name, "format": image_format},
        )
    if MARKUP.search(data):
        raise _polyglot()
    formats = [image_format]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            width, height = probe.size
            if width * height > settings.DIGEST_MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "图片尺寸过大：%(w)s×%(h)s 像素。",
                    code="image_too_many_pixels",
                    params={"w": width, "h": height},
                )
            probe.verify()
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            "无法读取图片（文件损坏、不完整或不是图片）：%(error)s",
            code="image_invalid",
            params={"error": exc},
        ) from exc
    if not _ends_cleanly(image_format, data):
        raise _polyglot()


def _polyglot() -> ValidationError:
    return ValidationError(
        "图片中夹带了其他内容（如网页代码或另一个文件），不能使用。", code="image_polyglot"
    )
