"""A real headless Chromium loads the admin's issue page and the public archive with the
Content-Security-Policy on: nothing on either page is refused by it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Issue
from editorial.workflow import IssueStatus
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium
from tests.workflow_helpers import sample_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs (DevTools scripts are not subject to the page's CSP).
LISTEN = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });"
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield driver


def violations(driver: WebDriver) -> list[str]:
    found: list[str] = driver.execute_script("return window.cspViolations;")
    return found


def test_the_admin_issue_page_and_the_archive_load_without_a_csp_violation(
    browser: WebDriver, live_server: object, editor: User
) -> None:
    issue = sample_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    change_path = f"/admin/editorial/issue/{issue.pk}/change/"
    browser.get(f"{live_server}/admin/login/?next={change_path}")
    browser.find_element(By.NAME, "username").send_keys(editor.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login answers with a redirect: wait for the issue page rather than look at once.
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "outputs"))
    # The page's own stylesheet applied (a nonce'd <style>), its scripts ran.
    assert browser.execute_script("return document.readyState;") == "complete"
    assert violations(browser) == []

    browser.get(f"{live_server}/archive/dsjfzdt/179/12/")  # an article with five figures
    images = browser.find_elements(By.CSS_SELECTOR, "figure img")
    assert len(images) == 5
    browser.execute_script("arguments[0].scrollIntoView();", images[0])
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return arguments[0].naturalWidth > 0;", images[0])
    )
    assert violations(browser) == []
