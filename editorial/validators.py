"""Validators for what editors type and upload."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


def validate_image(file: File) -> None:
    """Reject files that are too large, not an allowed image type, truncated or corrupt.

    Pillow identifies the format, ``verify()`` checks the structure and a full ``load()`` decodes
    every pixel, which is what catches a truncated file.
    """
    max_bytes = settings.DIGEST_MAX_IMAGE_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            "图片过大：%(size)s 字节，上限 %(max)s 字节。",
            code="image_too_large",
            params={"size": file.size, "max": max_bytes},
        )
    try:
        file.seek(0)
        with Image.open(file) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > settings.DIGEST_MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "图片尺寸过大：%(w)s×%(h)s 像素。",
                    code="image_too_many_pixels",
                    params={"w": width, "h": height},
                )
            probe.verify()
        file.seek(0)
        with Image.open(file) as image:
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
    finally:
        file.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            "不支持的图片格式 %(format)s（允许 PNG、JPEG、GIF、WebP）。",
            code="image_format",
            params={"format": image_format},
        )
