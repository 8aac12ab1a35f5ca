"""The reading site in a real headless Chromium at desktop (1280 px) and phone (390 px) width.

Checks what a reader would notice: nothing wider than the screen, every image loaded and within
the column, the publication's typefaces and colours (no SimSun on Windows, no default-blue
links). With ``SITE_SCREENSHOTS=<folder>`` it also saves the pictures kept in docs/images
(home, issue, article, search and subscribe pages and an article's end at both widths; the
e-mail edition as a mail client shows it at 600 and 375 px):

    SITE_SCREENSHOTS=docs/images pytest -m browser tests/public/test_site_browser.py
"""

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from selenium.webdriver.remote.webdriver import WebDriver

from editorial.models import Issue
from editorial.rendering.email import Addressee, EmailLinks, render_email_edition
from editorial.selectors import issue_live_edition
from editorial.services.search_index import search_index_rebuild
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
    "search": "/archive/search/?q=%E6%95%B0%E6%8D%AE",  # 数据
    "subscribe": "/subscribe/",
}
SEARCH_BOX = "document.querySelector('.masthead form[role=search] input[name=q]')"
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
  subscribeLink: !!document.querySelector('.site-nav a[href="/subscribe/"]'),
  marks: [...new Set([...document.querySelectorAll('mark')].map(
    m => getComputedStyle(m).backgroundColor))],
  fields: [...document.querySelectorAll(
      'main input[type=search], main input[type=email], main select')]
    .filter(f => f.getBoundingClientRect().width > 1)
    .map(f => getComputedStyle(f).borderTopColor),
};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium") / "profile") as driver:
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
    search_index_rebuild()
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
            assert facts["subscribeLink"], (device, name)
            if name == "search":  # its own form, not a second one in the masthead
                assert browser.execute_script(f"return {SEARCH_BOX}") is None
                assert facts["marks"] and "rgb(255, 255, 0)" not in facts["marks"]
            else:
                assert browser.execute_script(f"return !!{SEARCH_BOX}"), (device, name)
            if name in ("search", "subscribe"):  # fields in the site's colours, not the browser's
                assert facts["fields"] and set(facts["fields"]) == {"rgb(195, 207, 224)"}
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


def test_the_e_mail_edition_reads_well_at_600_and_375_px(
    browser: WebDriver, live_server: Any, tmp_path: Path
) -> None:
    issue = sample_issue()
    web = live_server.url + reverse("public:issue", args=["dsjfzdt", 179])
    links = EmailLinks(
        web=web,
        pdf=web.rstrip("/") + ".pdf",
        image_url=lambda image: f"{web}files/{image.checksum}",
    )
    reader = Addressee(
        email="reader@example.cn",
        name="王读者",
        unsubscribe_url=live_server.url + "/subscribe/unsubscribe/t0k3n/",
        preferences_url=live_server.url + "/subscribe/preferences/p4ss/",
    )
    mail = render_email_edition(
        issue_live_edition(issue.pk), reader, links=links, pdf_attached=False
    )
    page = tmp_path / "email.html"
    page.write_text(mail.html, encoding="utf-8")
    folder = os.environ.get("SITE_SCREENSHOTS")
    for device, width in {"": 600, "-phone": 375}.items():
        at_width(browser, width)
        browser.get(page.as_uri())
        facts = browser.execute_script(
            "const sheet = document.querySelectorAll('table')[1].getBoundingClientRect();"
            "return {scrollWidth: document.documentElement.scrollWidth, sheet: sheet.width,"
            " height: document.documentElement.scrollHeight,"
            " font: getComputedStyle(document.querySelector('td')).fontFamily,"
            " button: ['color', 'backgroundColor'].map("
            "   p => getComputedStyle(document.querySelector('a.button'))[p])};"
        )
        assert facts["scrollWidth"] <= width and facts["sheet"] <= width  # no sideways scrolling
        assert facts["font"].startswith('"PingFang SC"') and "SimSun" not in facts["font"]
        assert facts["button"] == ["rgb(255, 255, 255)", "rgb(22, 64, 122)"]  # its words show
        if folder:
            screenshot(
                browser, Path(folder) / f"email-edition{device}.png", width, 0, facts["height"]
            )
