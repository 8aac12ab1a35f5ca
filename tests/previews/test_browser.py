"""In a real Chromium: an editor clicks 预览 on the issue page and reads the issue as the web
page, as WeChat on a 375 px phone and as print, watches the PDF proof's progress, and shares a
link that opens without a login. Screenshots go to $DIGEST_SCREENSHOTS (or the test's folder)."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Issue, Rendition, RenditionStatus
from editorial.roles import Role
from editorial.services.renditions import rendition_request
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium
from tests.previews.test_views import BODY, CAPTION, TITLE
from tests.previews.test_views import issue as issue  # noqa: F401 - the fixture
from tests.workflow_helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES_LOADED = (
    "return Array.from(document.images).length > 0 && "
    "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0);"
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DIGEST_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(browser: WebDriver, condition: Any, seconds: float = 30) -> Any:
    return WebDriverWait(browser, seconds).until(condition)


def in_frame(browser: WebDriver, selector: str) -> None:
    frame = wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, selector)))
    browser.switch_to.frame(frame)
    wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")


def test_an_editor_previews_the_issue_and_shares_a_link(
    browser: WebDriver, live_server: Any, issue: Issue, tmp_path: Path
) -> None:
    folder = shots(tmp_path)
    executive: User = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    origin = str(live_server)
    browser.get(f"{origin}/admin/login/?next=/admin/editorial/issue/{issue.pk}/change/")
    browser.find_element(By.NAME, "username").send_keys(executive.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    admin_window = browser.current_window_handle

    # 预览 opens the issue's web page, as the archive will show it.
    wait(browser, ec.element_to_be_clickable((By.ID, "preview-link"))).click()
    wait(browser, lambda d: len(d.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != admin_window))
    assert browser.title.startswith("预览：")
    in_frame(browser, "iframe#preview-web")
    # The site's issue page: 本期要目, each entry opening the article's page inside the preview.
    first = browser.find_element(By.CSS_SELECTOR, ".contents-list a")
    assert TITLE in first.text.replace("\u2005", "")
    first.click()
    title = wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "h1.article-title")))
    assert TITLE in title.text.replace("\u2005", "")
    assert BODY in browser.find_element(By.CSS_SELECTOR, ".article-body").text
    wait(browser, lambda d: d.execute_script(IMAGES_LOADED))
    assert f"图 1 {CAPTION}" in browser.find_element(By.CSS_SELECTOR, "figcaption").text
    browser.switch_to.default_content()
    browser.save_screenshot(str(folder / "preview-web.png"))

    # 公众号: each article in a 375 px phone, its images loaded through the preview.
    browser.find_element(By.ID, "tab-wechat").click()
    frame = wait(
        browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#wechat-item-1 iframe"))
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", frame)
    browser.switch_to.frame(frame)
    wait(browser, lambda d: d.execute_script(IMAGES_LOADED))
    assert browser.execute_script("return document.documentElement.clientWidth") == 375
    assert browser.find_element(By.CSS_SELECTOR, "h1.rich-title").text == TITLE
    assert BODY in browser.find_element(By.ID, "js_content").text
    widest = browser.execute_script(
        "return Math.max(...Array.from(document.querySelectorAll('#js_content *'))"
        ".map(e => e.getBoundingClientRect().right));"
    )
    assert widest <= 375  # nothing wider than the phone
    browser.switch_to.default_content()
    browser.save_screenshot(str(folder / "preview-wechat.png"))

    # 印刷版: the HTML the PDF is laid out from, with its 样稿 mark and the figure.
    browser.find_element(By.ID, "tab-print").click()
    in_frame(browser, "iframe#preview-print")
    assert (
        browser.find_element(By.CSS_SELECTOR, ".proof-mark").get_attribute("textContent") == "样稿"
    )
    assert TITLE in browser.find_element(By.ID, "article-01").text.replace("\u2005", "")
    wait(browser, lambda d: d.execute_script(IMAGES_LOADED))
    browser.switch_to.default_content()
    browser.save_screenshot(str(folder / "preview-print.png"))

    # PDF: the page follows the job from running to done without being reloaded by hand.
    rendition = rendition_request(actor=executive, issue_id=issue.pk, enqueue=False)
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.RUNNING, lease_expires_at=timezone.now()
    )
    browser.find_element(By.ID, "tab-pdf").click()
    status = wait(browser, ec.presence_of_element_located((By.ID, "pdf-status")))
    assert status.text == "生成中"
    name = default_storage.save("renditions/proof.pdf", ContentFile(b"%PDF-1.7\n"))
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.DONE, file=name, page_count=4, size=9000, lease_expires_at=None
    )
    wait(browser, ec.visibility_of_element_located((By.ID, "pdf-link")), 15)
    assert browser.find_element(By.ID, "pdf-status").text == "已完成"
    assert browser.find_element(By.ID, "pdf-detail").text.startswith("4 页")

    # A preview link, made on the issue page, opens the same pages without a login.
    browser.switch_to.window(admin_window)
    browser.refresh()
    form = wait(browser, ec.presence_of_element_located((By.ID, "preview-link-create")))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    link = wait(browser, ec.presence_of_element_located((By.ID, "new-preview-link")))
    url = link.get_attribute("href")
    assert url is not None and url.startswith(f"{origin}/preview/")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    browser.save_screenshot(str(folder / "preview-links-panel.png"))
    browser.delete_all_cookies()
    browser.get(url)
    assert "预览链接，有效至" in browser.find_element(By.CSS_SELECTOR, "header.bar").text
    in_frame(browser, "iframe#preview-web")
    browser.find_element(By.CSS_SELECTOR, ".contents-list a").click()
    body = wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, ".article-body")))
    assert BODY in body.text
    wait(browser, lambda d: d.execute_script(IMAGES_LOADED))
