"""Drive Debian's Chromium through its chromedriver (selenium) for the dashboard tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).parents[1] / "web" / "artifacts"


def chromium() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    # Headless, and nothing that would reach beyond loopback (updates, sync, components).
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: webdriver.Chrome, timeout: float = 5) -> WebDriverWait:
    # Live pages re-render elements as updates arrive: a stale one means "look again".
    return WebDriverWait(driver, timeout, poll_frequency=0.02,
                         ignored_exceptions=[StaleElementReferenceException])


def shot(driver: webdriver.Chrome, name: str) -> Path:
    """A screenshot of the current page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000
    return path
