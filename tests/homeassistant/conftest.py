"""Fixtures: one real Home Assistant for the directory, and links to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from harness.homeassistant import HomeAssistant
from samantha.plugins.homeassistant.client import HomeAssistantLink
from samantha.plugins.homeassistant.settings import HomeAssistantSettings


@pytest.fixture(scope="session")
def home_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistant]:
    ha = HomeAssistant(tmp_path_factory.mktemp("home-assistant"))
    ha.start()
    try:
        yield ha
    finally:
        ha.stop()


def settings_for(ha: HomeAssistant, **overrides: object) -> HomeAssistantSettings:
    values: dict[str, object] = {
        "url": ha.url,
        "token": ha.token,
        "timeout": 10,
        # Tests restart HA; waiting a minute between attempts would only slow them down.
        "reconnect_initial_delay": 0.2,
        "reconnect_max_delay": 1.0,
    }
    values.update(overrides)
    return HomeAssistantSettings.model_validate(values)


MakeSettings = Callable[..., HomeAssistantSettings]


@pytest.fixture
def make_settings() -> MakeSettings:
    """`make_settings(ha, **overrides)`: settings pointing at a harness instance."""
    return settings_for


@pytest.fixture
def settings(home_assistant: HomeAssistant) -> HomeAssistantSettings:
    return settings_for(home_assistant)


@pytest.fixture
async def link(settings: HomeAssistantSettings) -> AsyncIterator[HomeAssistantLink]:
    async with HomeAssistantLink(settings) as connected:
        yield connected
