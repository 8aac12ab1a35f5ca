"""A real headless Chromium logs in, drags an issue's articles into a new order and saves."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Issue, Publication
from tests import factories
from tests.admin.conftest import EDITOR_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver",
    ),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--lang=zh-CN",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    # Editors' browsers ask for Chinese; the admin follows Accept-Language.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


@pytest.fixture
def issue(publication: Publication) -> Issue:
    issue = factories.IssueFactory.create(publication=publication, number=16, total_number=179)
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    for position, title in [(2, "第二篇 地方新政"), (1, "第一篇 国策要论"), (3, "第三篇 产业前沿")]:
        factories.ArticleFactory.create(
            issue=issue, section=section, position=position, title=title
        )
    return issue


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def inline_titles(driver: WebDriver) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#articles-group tr.has_original")
    return [
        row.find_element(By.CSS_SELECTOR, "input[name$='-title']").get_attribute("value") or ""
        for row in rows
    ]


def test_editor_reorders_articles_and_saves(
    browser: WebDriver, live_server: object, editor: User, issue: Issue
) -> None:
    change_path = f"/admin/editorial/issue/{issue.pk}/change/"
    browser.get(f"{live_server}/admin/login/?next={change_path}")
    browser.find_element(By.NAME, "username").send_keys(editor.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, "#articles-group fieldset.sortable")

    assert inline_titles(browser) == ["第一篇 国策要论", "第二篇 地方新政", "第三篇 产业前沿"]

    # The inline's "move to first position" control, which renumbers rows like a drag does.
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    last_row = browser.find_elements(By.CSS_SELECTOR, "#articles-group tr.has_original")[-1]
    browser.execute_script(
        "arguments[0].click()", last_row.find_element(By.CSS_SELECTOR, ".move-begin")
    )
    assert inline_titles(browser) == ["第三篇 产业前沿", "第一篇 国策要论", "第二篇 地方新政"]

    browser.find_element(By.CSS_SELECTOR, "input[name=_save]").click()
    wait_for(browser, "ul.messagelist li.success")

    message = browser.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert "成功修改" in message
    titles = issue.articles.order_by("position").values_list("title", flat=True)
    assert list(titles) == ["第三篇 产业前沿", "第一篇 国策要论", "第二篇 地方新政"]
