"""Debian's headless Chromium for the tests that look at pages as a person would.

The flags keep it off this machine's closed network (no background fetches, no component or
sync updates) and give each test a fresh profile. `make test` installs chromium and
chromium-driver, so a missing browser is a failure, not a skip.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}


@contextmanager
def chromium(profile: Path, *, phone: bool = False) -> Iterator[WebDriver]:
    """A headless Chromium asking for Chinese pages; ``phone``: a 375 px wide phone screen."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    size = "--window-size=375,812" if phone else "--window-size=1400,1000"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--lang=zh-CN",
        size,
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    if phone:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
