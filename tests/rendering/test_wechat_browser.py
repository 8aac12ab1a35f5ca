"""The WeChat pages in a real headless Chromium at phone width (375 CSS px, like an iPhone).

Checks what a reader would notice: nothing wider than the screen, every image loaded and within
the column. With ``WECHAT_SCREENSHOTS=<folder>`` it also saves the screenshots kept in
docs/images (本期要目, an article with figures, an article's end with its QR code):

    WECHAT_SCREENSHOTS=docs/images pytest -m browser tests/rendering/test_wechat_browser.py
"""

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.rendering.wechat import clean_wechat_html
from tests.browser import chromium
from tests.rendering.test_wechat import HOSTILE_BODY
from tests.workflow_helpers import sample_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
]


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile", phone=True) as driver:
        yield driver


def page_facts(driver: WebDriver, page: Path) -> dict[str, Any]:
    driver.get(page.resolve().as_uri())
    facts: dict[str, Any] = driver.execute_script(
        """
        const content = document.getElementById('js_content');
        return {
          viewport: window.innerWidth,
          scrollWidth: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight,
          column: content.getBoundingClientRect().width,
          text: content.innerText.length,
          images: [...content.querySelectorAll('img')].map(img => ({
            src: img.getAttribute('src'), complete: img.complete,
            natural: img.naturalWidth, width: img.getBoundingClientRect().width,
          })),
          banner: content.querySelector('span').getBoundingClientRect().top + window.scrollY,
          figures: [...content.querySelectorAll('figure')].map(
            f => f.getBoundingClientRect().top + window.scrollY),
          qr: [...content.querySelectorAll('img[alt="原文二维码"]')].map(
            img => img.getBoundingClientRect().top + window.scrollY),
        };
        """
    )
    return facts


def screenshot(driver: WebDriver, path: Path, *, top: float, height: float) -> None:
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": max(0, top), "width": 375, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def test_pages_fit_a_phone_screen(phone: WebDriver, tmp_path: Path) -> None:
    sample_issue()
    folder = tmp_path / "wechat"
    call_command(
        "render_issue",
        "--total",
        "179",
        "--format",
        "wechat",
        "--output",
        str(folder),
        stdout=io.StringIO(),
    )
    pages = sorted((folder / "preview").glob("*.html"))
    assert len(pages) == 17
    facts = {page.name[:2]: page_facts(phone, page) for page in pages}
    for name, fact in facts.items():
        assert fact["viewport"] == 375, name
        assert fact["scrollWidth"] <= 375, name  # nothing overflows sideways
        assert fact["text"] > 200, name
        for image in fact["images"]:
            assert image["complete"] and image["natural"] > 0, (name, image["src"])
            assert image["width"] <= fact["column"] <= 375 - 2 * 16, (name, image)
    assert len(facts["12"]["images"]) == 5 and len(facts["02"]["qr"]) == 1

    target = os.environ.get("WECHAT_SCREENSHOTS")
    if not target:
        return
    docs = Path(target)
    docs.mkdir(parents=True, exist_ok=True)
    page_facts(phone, folder / "preview" / "00-digest.html")
    screenshot(phone, docs / "wechat-digest.png", top=0, height=812)
    figures = page_facts(phone, next((folder / "preview").glob("12-*.html")))
    # from the section banner down to the end of the first figure's caption
    screenshot(phone, docs / "wechat-article-figures.png", top=figures["banner"] - 16, height=812)
    qr_page = page_facts(phone, next((folder / "preview").glob("02-*.html")))
    bottom = qr_page["height"]
    screenshot(phone, docs / "wechat-article-qr.png", top=bottom - 812, height=812)


def test_hostile_body_runs_nothing_in_a_browser(phone: WebDriver, tmp_path: Path) -> None:
    """The cleaned hostile corpus, opened as a page: no alert fires, no active element exists."""
    page = tmp_path / "hostile.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        f'<div id="js_content">{clean_wechat_html(HOSTILE_BODY)}</div></body></html>',
        encoding="utf-8",
    )
    phone.get(page.resolve().as_uri())
    with pytest.raises(TimeoutException):
        WebDriverWait(phone, 2).until(ec.alert_is_present())
    active = "#js_content :is(script,style,iframe,svg,math,object,embed,form,base,meta,link)"
    assert phone.execute_script(f"return document.querySelectorAll('{active}').length") == 0
    assert phone.current_url == page.resolve().as_uri()  # no refresh, no redirect
