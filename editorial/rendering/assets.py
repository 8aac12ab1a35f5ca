"""Images for the print edition: read from storage once, checked, and served to WeasyPrint.

Templates refer to an image as ``digest-media:/<sha256 of its bytes>``; ``print.StorageFetcher``
answers those URLs from the bytes read here through the file's own storage (filesystem or S3) and
refuses everything else, so rendering never touches the network. Naming images by content rather
than by storage name keeps the PDF identical when the same content is stored under other names,
and shares one decode between identical images.

Each image is decoded once per render: PNG and other formats by WeasyPrint while it writes the PDF
(this module only checks their structure), JPEG by this module (WeasyPrint embeds JPEG bytes as
they are, so nothing else would notice a truncated one).
"""

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from editorial.editions import EditionImage

from .errors import RenderError

SCHEME = "digest-media"
BASE_URL = f"{SCHEME}:/"

IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)


@dataclass(frozen=True)
class Asset:
    url: str
    name: str  # storage name, for messages
    data: bytes
    mime_type: str
    label: str  # who uses it, in the editors' words: "《标题》：图 2"


class AssetStore:
    """The stored images of one render, each read (from the default storage) and checked once.

    ``add`` raises RenderError naming the image when its file is missing or broken, so a corrupt
    file in storage fails the render with a message instead of a silently missing picture.
    """

    def __init__(self) -> None:
        self._assets: dict[str, Asset] = {}

    def add(self, image: EditionImage, label: str) -> str:
        """Read ``image`` (once per checksum) and return the URL the templates print for it."""
        url = f"{SCHEME}:/{image.checksum}"
        if url not in self._assets:
            data = read_image(image, label)  # checked to be the bytes the checksum names
            mime_type = check_image(data, label=label, name=image.name)
            self._assets[url] = Asset(
                url=url, name=image.name, data=data, mime_type=mime_type, label=label
            )
        return url

    def get(self, url: str) -> Asset | None:
        return self._assets.get(url)

    def label(self, url: str) -> str:
        asset = self._assets.get(url)
        return asset.label if asset else url

    def __iter__(self) -> Iterator[Asset]:
        return iter(self._assets.values())

    def __len__(self) -> int:
        return len(self._assets)


def read_image(image: EditionImage, label: str) -> bytes:
    """The bytes of an Edition's image, which must be those its checksum names (what the board
    approved); RenderError naming the image when storage cannot give them or gives others."""
    try:
        with default_storage.open(image.name, "rb") as handle:
            data: bytes = handle.read()
    except (OSError, ValueError) as exc:  # FileNotFoundError; S3 errors are OSErrors too
        raise RenderError(f"{label} 图片无法读取（{image.name}：{exc}）。") from exc
    if hashlib.sha256(data).hexdigest() != image.checksum:
        raise RenderError(f"{label} 图片已被替换（{image.name}）：与批准时的图片不一致。")
    return data


def check_image(data: bytes, *, label: str, name: str, decode: bool = False) -> str:
    """The image's MIME type; RenderError if it is not an image or is broken.

    PNG (and GIF, WebP) are checked structurally — ``verify()`` walks the chunks and their CRCs,
    which catches truncation — and decoded later by WeasyPrint; JPEG is decoded here. ``decode``
    forces a full decode, used to find the culprit after WeasyPrint failed on one.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format or ""
            if decode or image_format == "JPEG":
                probe.load()
            else:
                probe.verify()
    except IMAGE_ERRORS as exc:
        raise RenderError(f"{label} 图片无法读取（{name}：文件损坏或不是图片）。") from exc
    return Image.MIME.get(image_format, "application/octet-stream")
