"""The reading site in a real headless Chromium at desktop (1280 px) and phone (390 px) width.

Checks what a reader would notice: nothing wider than the screen, every image loaded and within
the column, the publication's typefaces and colours (no SimSun on Windows, no default-blue
links). With ``SITE_SCREENSHOTS=<folder>`` it also saves the pictures kept in docs/images
(home, issue and article pages and an article's end at both widths):

    SITE_SCREENSHOTS=docs/images pytest -m browser tests/public/test_site_browser.py
"""

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from editorial.models import Issue
from editorial.workflow import IssueStatus
from tests.browser import chromium
from tests.workflow_helpers import sample_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}
PAGES = {
    "home": "/",
    "issue": "/archive/dsjfzdt/179/",
    "article": "/archive/dsjfzdt/179/12/",  # figures, notes, 来源
    "article-end": "/archive/dsjfzdt/179/2/",  # 来源, 原文链接 with its QR code
}
FACTS = """
const links = [...document.querySelectorAll('main a')];
return {
  viewport: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  height: document.documentElement.scrollHeight,
  body: getComputedStyle(document.body).fontFamily,
  reading: (document.querySelector('.article-body') &&
            getComputedStyle(document.querySelector('.article-body')).fontFamily) || '',
  linkColours: [...new Set(links.map(a => getComputedStyle(a).color))],
  images: [...document.querySelectorAll('main img')].map(img => ({
    complete: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width,
    column: img.closest('main').getBoundingClientRect().width,
  })),
  footer: document.querySelector('.site-footer').innerText,
};
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


def at_width(driver: WebDriver, width: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def load(driver: WebDriver, url: str) -> dict[str, Any]:
    driver.get(url)
    driver.execute_script(
        "document.querySelectorAll('img').forEach(i => i.loading = 'eager');"
        "return Promise.all([...document.images].map(i => i.decode().catch(() => null)));"
    )
    facts: dict[str, Any] = driver.execute_script(FACTS)
    return facts


def screenshot(driver: WebDriver, path: Path, width: int, top: float, height: float) -> None:
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": top, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def test_the_site_reads_well_at_desktop_and_phone_width(
    browser: WebDriver, live_server: Any, settings: Any
) -> None:
    settings.DIGEST_ICP_NUMBER = "黔ICP备00000000号（示例）"
    settings.DIGEST_SITE_CONTACT = "0851-00000000（示例）"
    issue = sample_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    folder = os.environ.get("SITE_SCREENSHOTS")
    for device, width in WIDTHS.items():
        at_width(browser, width)
        for name, path in PAGES.items():
            facts = load(browser, live_server.url + path)
            assert facts["viewport"] == width
            assert facts["scrollWidth"] <= width, (device, name)  # no sideways scrolling
            assert facts["body"].startswith('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei"')
            assert "SimSun" not in facts["body"] + facts["reading"]
            assert "rgb(0, 0, 238)" not in facts["linkColours"], (device, name)
            assert "黔ICP备00000000号（示例）" in facts["footer"]
            for image in facts["images"]:
                assert image["complete"] and image["width"] <= image["column"], (device, name)
            if name == "article":
                assert facts["reading"].startswith("Georgia")
                assert facts["images"], "the article shows its figures"
            if folder:
                height = min(facts["height"], 2400 if device == "phone" else 1800)
                screenshot(browser, Path(folder) / f"site-{name}-{device}.png", width, 0, height)
            if folder and name == "article":  # its end: notes, 来源, 原文链接 with the QR code
                top = browser.execute_script(
                    "return document.querySelector('.article-notes, .article-source')"
                    ".getBoundingClientRect().top + window.scrollY - 40;"
                )
                bottom = facts["height"] - top
                screenshot(
                    browser, Path(folder) / f"site-article-end-{device}.png", width, top, bottom
                )
