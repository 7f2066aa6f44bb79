"""The web built-in plugin: the `web:` section. `samantha run` starts the dashboard itself
(see `serving`), so houses built in tests and one-shot commands open no port."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from samantha import hookimpl
from samantha.plugins.web.settings import WebSettings

if TYPE_CHECKING:
    from samantha.checks import Check
    from samantha.house import House

log = logging.getLogger(__name__)


@hookimpl
def samantha_config_sections() -> dict[str, type[BaseModel]]:
    return {"web": WebSettings}


async def serving(house: House) -> Any:
    """Start the dashboard for `samantha run`; returns it (stop it with `await d.stop()`),
    or None when it is switched off or cannot start (the house runs on without it)."""
    settings: WebSettings = house.section("web") or WebSettings()
    if not settings.enabled:
        return None
    try:
        from samantha.plugins.web.server import Dashboard
    except ImportError as err:
        log.warning("dashboard not started: %s (install samantha[web])", err)
        return None
    dash = Dashboard(house, settings)
    try:
        await dash.start()
    except OSError as err:
        log.error("dashboard not started: cannot listen on %s:%s: %s", settings.host,
                  settings.port, err)
        return None
    return dash


@hookimpl
def samantha_checks(house: House) -> list[Check]:
    from samantha.plugins.web.checks import dashboard_check

    return [dashboard_check(house.section("web") or WebSettings())]
