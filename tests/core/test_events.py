from __future__ import annotations

import pytest

from samantha import events

SAMPLES = [
    events.UtteranceHeard(room="kitchen", text="turn on the lights", confidence=0.9),
    events.IntentRecognized(room="kitchen", text="x", intent="HassTurnOn",
                            slots={"area": "kitchen", "brightness": 50.0}),
    events.IntentNotRecognized(room="office", text="sing"),
    events.DeviceCommand(device="kitchen.light", action="set_color",
                         params={"color": [255, 0, 0]}, room="kitchen"),
    events.DeviceStateChanged(device="kitchen.light", old={"on": False}, new={"on": True}),
    events.ReplySpoken(room="kitchen", text="Okay."),
    events.RoomActivityChanged(room="kitchen", activity="muted", muted=True),
    events.PluginFailed(plugin="p", hook="samantha_startup", error="boom"),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.type)
def test_round_trip_through_json(event: events.BaseEvent) -> None:
    again = events.parse_event(event.model_dump_json())
    assert again == event
    assert type(again) is type(event)
    assert events.parse_event(event.model_dump()) == event


def test_unknown_event_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="type"):
        events.parse_event({"type": "nope", "room": "x"})


def test_events_are_immutable() -> None:
    with pytest.raises(ValueError):
        SAMPLES[0].text = "changed"  # type: ignore[misc]
