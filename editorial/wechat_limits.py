"""WeChat's documented limits, in one place for the validator, the renderer, the API client and
the pre-flight checks (developers.weixin.qq.com: ``draft/add``, ``media/uploadimg``,
``material/add_material``).

Where WeChat leaves a limit undocumented we are strict ("1 MB" as 1,000,000 bytes), because its
refusal arrives only at push time, after the issue has been approved.
"""

TITLE_MAX = 32
AUTHOR_MAX = 16
DIGEST_MAX = 128
CONTENT_MAX_CHARS = 20_000  # content must be shorter than this
CONTENT_MAX_BYTES = 1_000_000  # "小于 1M": strictly below a decimal megabyte
SOURCE_URL_MAX_BYTES = 1024
IMAGE_MAX_BYTES = 1_000_000  # media/uploadimg: "jpg/png, 大小必须在1MB以下"
IMAGE_MAX_WIDTH = 677  # the article column on WeChat's desktop reader
IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}  # media/uploadimg
MAX_ARTICLES_PER_DRAFT = 8
MATERIAL_IMAGE_MAX_BYTES = 10 * 1024 * 1024  # material/add_material type=image: 10 MB
MATERIAL_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp"})
