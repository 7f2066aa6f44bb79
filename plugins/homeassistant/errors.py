"""Failures of the Home Assistant link, each with a log message and a spoken reply.

`str(error)` is for the log (names the HA address, never the token); `error.spoken` is what
Samantha says to the person who asked.
"""

from __future__ import annotations


class HomeAssistantError(Exception):
    spoken = "Something went wrong with Home Assistant."

    def __init__(self, message: str, *, spoken: str | None = None) -> None:
        super().__init__(message)
        if spoken is not None:
            self.spoken = spoken


class HomeAssistantUnreachableError(HomeAssistantError):
    spoken = "I can't reach Home Assistant right now."


class HomeAssistantAuthError(HomeAssistantError):
    spoken = "Home Assistant refused my access token. Please check the token in my settings."


class HomeAssistantNotReadyError(HomeAssistantError):
    spoken = "Home Assistant is still starting up. Please try again in a moment."


class UnknownEntityError(HomeAssistantError):
    spoken = "Home Assistant doesn't know that device."

    def __init__(self, message: str, entity_id: str) -> None:
        super().__init__(message)
        self.entity_id = entity_id


class NotExposedError(HomeAssistantError):
    spoken = "I'm not allowed to control that device. It isn't exposed to me."

    def __init__(self, message: str, entity_id: str) -> None:
        super().__init__(message)
        self.entity_id = entity_id


class ServiceCallError(HomeAssistantError):
    spoken = "Home Assistant couldn't do that."
