"""Routes bus events to the triggers waiting for them, indexed so each event is cheap."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from samantha.events import DeviceStateChanged

if TYPE_CHECKING:
    from samantha.plugins.automations.clock import Clock

Listener = Callable[[Any], None]


def _remove(table: dict[Any, list[Listener]], key: Any, listener: Listener) -> Callable[[], None]:
    def undo() -> None:
        listeners = table.get(key)
        if listeners and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del table[key]
    return undo


class Dispatch:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._state: dict[str, list[Listener]] = {}
        self._events: dict[str | None, list[Listener]] = {}
        self._changed: dict[tuple[str, str], float] = {}
        self._started = clock.monotonic()
        self.track_changes = True  # only `state ... for:` conditions need change times

    def on_state(self, device_id: str, listener: Listener) -> Callable[[], None]:
        self._state.setdefault(device_id, []).append(listener)
        return _remove(self._state, device_id, listener)

    def on_event(self, event_type: str | None, listener: Listener) -> Callable[[], None]:
        self._events.setdefault(event_type, []).append(listener)
        return _remove(self._events, event_type, listener)

    def changed_at(self, device_id: str, attribute: str) -> float:
        """When (monotonic) the attribute last changed; engine start if not seen since."""
        return self._changed.get((device_id, attribute), self._started)

    def publish(self, event: Any) -> None:
        if isinstance(event, DeviceStateChanged):
            if self.track_changes:
                now = self.clock.monotonic()
                old = event.old
                for key, value in event.new.items():
                    if old.get(key) != value:
                        self._changed[(event.device, key)] = now
            for listener in self._state.get(event.device, ()):
                listener(event)
        for key in (getattr(event, "type", None), None):
            for listener in list(self._events.get(key, ())):
                listener(event)
