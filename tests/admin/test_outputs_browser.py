"""A real headless Chromium on the 公众号 preview: 复制 puts the article's WeChat HTML on the
clipboard, and the phone frame is pictured for the documentation."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.admin.outputs import preview_image_path
from editorial.models import Article
from editorial.rendering.wechat import render_wechat_issue
from editorial.selectors import issue_edition
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium
from tests.workflow_helpers import sample_issue

SCREENSHOT_NAME = "admin-wechat-preview.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

READ_CLIPBOARD = """
const done = arguments[arguments.length - 1];
navigator.clipboard.readText().then(done, (error) => done("clipboard error: " + error));
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


def test_copy_puts_the_article_html_on_the_clipboard(
    browser: WebDriver, live_server: object, superuser: User, tmp_path: Path
) -> None:
    issue = sample_issue()
    articles = render_wechat_issue(issue_edition(issue.pk), image_url=preview_image_path)
    number = 3  # the third article of the issue
    article = Article.objects.filter(issue=issue).order_by("position", "id")[number - 1]
    assert articles[number].article_id == article.pk
    origin = str(live_server)
    page = f"/admin/editorial/issue/{issue.pk}/wechat/"
    browser.get(f"{origin}/admin/login/?next={page}")
    browser.find_element(By.NAME, "username").send_keys(superuser.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 60).until(
        ec.presence_of_element_located((By.ID, f"wechat-copy-{number}"))
    )
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, "button.wechat-copy")) == 17

    button = browser.find_element(By.ID, f"wechat-copy-{number}")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(browser, 10).until(
        ec.text_to_be_present_in_element((By.ID, f"wechat-copied-{number}"), "已复制")
    )

    assert browser.execute_async_script(READ_CLIPBOARD) == articles[number].content

    # The phone frame, as the documentation shows it: 375 px wide, its images loaded.
    frame = browser.find_element(By.CSS_SELECTOR, f"#wechat-item-{number} iframe.wechat-frame")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", frame)
    browser.switch_to.frame(frame)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script(
            "return [...document.images].every((image) => image.complete && image.naturalWidth)"
        )
    )
    assert browser.execute_script("return document.documentElement.clientWidth") == 375
    title = browser.find_element(By.CSS_SELECTOR, "h1.rich-title").text
    browser.switch_to.default_content()
    assert title == articles[number].title
    # The picture in docs/ is only rewritten when asked (WECHAT_SCREENSHOTS=docs/images).
    folder = Path(os.environ.get("WECHAT_SCREENSHOTS") or tmp_path)
    shot = folder / SCREENSHOT_NAME
    assert frame.screenshot(str(shot))
    with Image.open(shot) as picture:
        assert picture.width == 375
