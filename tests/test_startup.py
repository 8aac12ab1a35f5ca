"""What a web process loads: WeasyPrint only once it renders a PDF, and then the upload checks
still refuse truncated images (WeasyPrint turns Pillow's leniency on for the whole process);
the views and jieba's dictionary as the server starts, not in a reader's first request."""

import subprocess
import sys

from django.conf import settings

SCRIPT = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "digest.settings.test"
import django
django.setup()
import editorial.admin, editorial.api.views, editorial.services.renditions, editorial.tasks
import editorial.rendering.wechat
print("weasyprint at start-up:", "weasyprint" in sys.modules)
import editorial.rendering.print
from PIL import ImageFile
print("truncated images allowed after loading the renderer:", ImageFile.LOAD_TRUNCATED_IMAGES)
"""


def printed_by(script: str) -> list[str]:
    """The lines ``script`` prints, run by a fresh interpreter of this project."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.splitlines()


def test_weasyprint_is_loaded_only_for_rendering() -> None:
    assert printed_by(SCRIPT) == [
        "weasyprint at start-up: False",
        "truncated images allowed after loading the renderer: False",
    ]


WSGI = """
import os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "digest.settings.test"
import sys
import digest.wsgi
print("views imported at start-up:", "editorial.api.views" in sys.modules)
from editorial.search import index_tokens
started = time.perf_counter()
index_tokens("算力基础设施")
print("first tokens after start-up in ms below 100:", (time.perf_counter() - started) < 0.1)
"""


def test_the_web_server_loads_its_views_and_the_search_dictionary_as_it_starts() -> None:
    assert printed_by(WSGI) == [
        "views imported at start-up: True",
        "first tokens after start-up in ms below 100: True",
    ]
