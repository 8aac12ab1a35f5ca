"""What a web process loads: WeasyPrint only once it renders a PDF, and then the upload checks
still refuse truncated images (WeasyPrint turns Pillow's leniency on for the whole process)."""

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


def test_weasyprint_is_loaded_only_for_rendering() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "weasyprint at start-up: False",
        "truncated images allowed after loading the renderer: False",
    ]
