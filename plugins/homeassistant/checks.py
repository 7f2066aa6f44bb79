"""`samantha doctor`: does Home Assistant answer, accept the token, and expose anything?"""

from __future__ import annotations

import logging

from samantha.checks import Check, CheckResult, fail, ok, warn

from .client import HomeAssistantLink
from .errors import HomeAssistantAuthError, HomeAssistantError, HomeAssistantUnreachableError
from .settings import HomeAssistantSettings

TOKEN_FIX = ("create a long-lived access token in Home Assistant (your profile, Security tab) "
             "and put it in secrets.yaml as ha_token (`token: !secret ha_token`)")


def home_assistant_check(settings: HomeAssistantSettings) -> Check:
    async def run() -> CheckResult:
        link = HomeAssistantLink(settings)
        link.outage_level = logging.INFO  # the check reports it; no warning besides
        try:
            snapshot = await link.sync()
        except HomeAssistantAuthError:
            return fail(f"{settings.url} refused the access token (401)", TOKEN_FIX)
        except HomeAssistantUnreachableError as err:
            return fail(str(err), "start Home Assistant or fix homeassistant.url")
        except HomeAssistantError as err:
            return fail(str(err), "see Home Assistant's log")
        finally:
            await link.close()
        exposed = len(snapshot.exposed_entities())
        found = f"Home Assistant {snapshot.ha_version} at {settings.url}: token accepted"
        if exposed == 0:
            return warn(f"{found}, but no entity is exposed",
                        "expose entities to Assist in Home Assistant (Settings, Voice "
                        "assistants, Expose) or list them under homeassistant.exposed")
        return ok(f"{found}, {exposed} entities exposed")

    # sync() makes a few requests, each bounded by the configured timeout.
    return Check("Home Assistant", run, timeout=settings.timeout * 3 + 2)
