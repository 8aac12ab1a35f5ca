"""One WeasyPrint font configuration per process (and thread).

Creating a ``FontConfiguration`` loads fontconfig and a Pango font map, and WeasyPrint keeps the
fonts it has opened in it; reusing it makes every render after the first cheaper. Pango font maps
are not thread-safe, so each thread gets its own (a Celery prefork worker has exactly one).
"""

import threading

from weasyprint.text.fonts import FontConfiguration

# Families printed by the templates; installed by Debian's fonts-noto-cjk, embedded and subset by
# WeasyPrint.
TEXT_FAMILY = "Noto Serif CJK SC"
HEADING_FAMILY = "Noto Sans CJK SC"

_local = threading.local()


def font_config() -> FontConfiguration:
    """The calling thread's font configuration, created on first use."""
    config: FontConfiguration | None = getattr(_local, "font_config", None)
    if config is None:
        config = FontConfiguration()
        _local.font_config = config
    return config
