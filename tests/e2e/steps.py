"""What the end-to-end journeys share: the demo's people, screenshots kept per step, logging in,
waiting for a page, pressing through a confirmation page and downloading a file.

The screenshots go to ``var/e2e/<test>/`` (git-ignored), emptied when the test starts, so the
last run's pictures are there to look at: ``01-issue-add.png``, ``02-…``.
"""

import shutil
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.management.commands.setup_demo import DEMO_ACCOUNTS
from tests.admin.test_browser import log_in
from tests.workflow_helpers import staff

__all__ = [
    "Shots",
    "click",
    "confirm",
    "demo_people",
    "download",
    "element_with",
    "go",
    "log_in",
    "message",
    "wait_for",
]


def demo_people() -> dict[str, User]:
    """The demo's logins (setup_demo), each with an e-mail address and EDITOR_PASSWORD."""
    return {username: staff(username, person, *roles) for username, person, roles in DEMO_ACCOUNTS}


class Shots:
    """Numbered full-page screenshots of a journey's steps."""

    def __init__(self, name: str, *drivers: WebDriver) -> None:
        self.drivers = drivers
        self.folder = Path(settings.BASE_DIR) / "var" / "e2e" / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.taken: list[Path] = []

    def __call__(self, driver: WebDriver, step: str) -> Path:
        """The whole page as it stands (its full height, not only the window)."""
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        height = driver.execute_script("return document.documentElement.scrollHeight")
        width = driver.get_window_size()["width"]
        driver.set_window_size(width, min(max(height, 600), 4000))
        driver.execute_script("window.scrollTo(0, 0)")
        try:
            driver.save_screenshot(str(path))
        finally:
            driver.set_window_size(width, 1000)
        self.taken.append(path)
        return path

    def failed(self) -> None:
        """Each browser's page as it stood when the test failed."""
        for number, driver in enumerate(self.drivers, 1):
            self(driver, f"failed-{number}")


def wait_for(driver: WebDriver, css: str, timeout: float = 30) -> WebElement:
    found: WebElement = WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    return found


def element_with(driver: WebDriver, css: str, text: str, timeout: float = 10) -> WebElement:
    """The first element ``css`` finds whose text holds ``text``, once there is one."""

    def found(d: WebDriver) -> WebElement | None:
        return next((e for e in d.find_elements(By.CSS_SELECTOR, css) if text in e.text), None)

    element = WebDriverWait(driver, timeout).until(found)
    assert element is not None  # until() returns only what it found
    return element


def message(driver: WebDriver, level: str = "success") -> str:
    """The text of the one message of ``level`` the page shows after an action."""
    return wait_for(driver, f"ul.messagelist > li.{level}").text


def click(driver: WebDriver, css: str) -> None:
    """Click what ``css`` finds, brought into view first."""
    element = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def go(driver: WebDriver, css: str) -> None:
    """Click a link or a form's button and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    click(driver, css)
    WebDriverWait(driver, 60).until(ec.staleness_of(page))


def confirm(driver: WebDriver, shots: Shots, step: str) -> str:
    """On the confirmation page an action answered with: picture it and press its button;
    returns what the page said would happen."""
    page = wait_for(driver, "#confirmation")
    said: str = page.text
    shots(driver, step)
    go(driver, "#confirm button[type=submit]")
    return said


def download(driver: WebDriver, css: str, folder: Path, timeout: float = 60) -> Path:
    """Click the link at ``css`` as a person does and wait for the file it downloads."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    click(driver, css)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done and done[0].stat().st_size:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing was downloaded into {folder} within {timeout} s")
