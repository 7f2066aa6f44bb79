"""Fixtures of the dashboard tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver

from harness.browser import chromium


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """A headless Chromium, quit after the test."""
    yield from chromium()
