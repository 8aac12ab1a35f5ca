"""In a real Chromium, with a real Celery worker: an executive asks for the PDF on the issue page
and watches its state go from 生成中 to 已完成 without reloading the page (htmx polling the 输出
panel), within the page's CSP; then the home page shows the issue's progress. Screenshots go to
$DIGEST_SCREENSHOTS (or the test's folder)."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.jobs import RENDITION
from editorial.models import Rendition, RenditionStatus
from editorial.roles import Role
from tests.admin.conftest import EDITOR_PASSWORD
from tests.admin.test_csp_browser import LISTEN, violations
from tests.browser import chromium
from tests.tasks.conftest import celery_worker as celery_worker  # noqa: F401 - the fixture
from tests.tasks.support import WorkerLog
from tests.workflow_helpers import sample_issue, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The worker renders PDFs, on their own queue.
WORKER_QUEUES = ("default", RENDITION.queue)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield driver


def status_is(text: str) -> Any:
    return ec.text_to_be_present_in_element((By.ID, "pdf-status"), text)


def test_the_pdf_state_follows_the_worker_without_a_reload(
    browser: WebDriver,
    live_server: Any,
    celery_worker: WorkerLog,
    tmp_path: Path,  # noqa: F811
) -> None:
    folder = Path(os.environ.get("DIGEST_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    issue = sample_issue()  # 28 pages: the worker takes seconds, the page asks every 2
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    page = f"/admin/editorial/issue/{issue.pk}/change/"
    browser.get(f"{live_server}/admin/login/?next={page}")
    browser.find_element(By.NAME, "username").send_keys(executive.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    generate = WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#pdf-generate button"))
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", generate)
    generate.click()
    WebDriverWait(browser, 30, poll_frequency=0.1).until(status_is("生成中"))
    # From here on the page is only ever updated in place: a reload would drop this mark.
    browser.execute_script("window.notReloaded = true;")
    panel = browser.find_element(By.ID, "outputs")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", panel)
    assert panel.get_attribute("hx-trigger") == "every 2s"
    browser.save_screenshot(str(folder / "outputs-pdf-running.png"))

    WebDriverWait(browser, 90, poll_frequency=0.2).until(status_is("已完成"))

    assert browser.execute_script("return window.notReloaded === true;")
    rendition = Rendition.objects.get(issue=issue)
    assert rendition.status == RenditionStatus.DONE and rendition.page_count
    assert f"{rendition.page_count} 页" in browser.find_element(By.ID, "pdf-facts").text
    assert browser.find_element(By.ID, "pdf-download").is_displayed()
    # The panel that came back asks no more.
    assert browser.find_element(By.ID, "outputs").get_attribute("hx-trigger") is None
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'start'})", browser.find_element(By.ID, "outputs")
    )
    browser.save_screenshot(str(folder / "outputs-pdf-done.png"))
    assert violations(browser) == []

    # The home page: what waits for the executive, and the issue's progress with its PDF.
    browser.get(f"{live_server}/admin/")
    row = browser.find_element(By.ID, f"progress-{issue.pk}")
    assert "0 / 16" in row.text and "已完成（样稿）" in row.text
    assert browser.find_element(By.ID, "user-name").text == "杨婷"
    browser.save_screenshot(str(folder / "dashboard-executive.png"))
    assert violations(browser) == []
