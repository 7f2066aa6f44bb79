"""HassGetWeather: the condition and temperature from a weather device, the forecast if asked."""

from __future__ import annotations

from typing import Any

from samantha import hookimpl, replies
from samantha.home import Device
from samantha.house import House
from samantha.intent_handling import IntentHandler, IntentRequest, Outcome, called
from samantha.kinds import Kind

from .common import of_kind

# HA's condition words as people say them.
CONDITIONS = {
    "clear-night": "clear", "cloudy": "cloudy", "exceptional": "exceptional", "fog": "foggy",
    "hail": "hailing", "lightning": "stormy", "lightning-rainy": "stormy and rainy",
    "partlycloudy": "partly cloudy", "pouring": "pouring", "rainy": "rainy",
    "snowy": "snowy", "snowy-rainy": "sleety", "sunny": "sunny", "windy": "windy",
    "windy-variant": "windy and cloudy",
}


def condition_words(condition: Any) -> str:
    text = str(condition or "").strip()
    return CONDITIONS.get(text.casefold(), text.replace("_", " ").replace("-", " "))


def now(device: Device) -> str | None:
    s = device.state
    condition = condition_words(s.get("condition"))
    unit = s.get("temperature_unit")
    temperature = s.get("temperature")
    if not condition and temperature is None:
        return None
    if not condition:
        return f"It's {replies.temperature(temperature, unit)} outside."
    if temperature is None:
        return f"It's {condition} outside."
    return f"It's {condition} and {replies.temperature(temperature, unit)}."


def forecast(device: Device) -> str | None:
    """The next forecast entry: 'Next: rainy, 14 degrees, at least 8.'"""
    entries = device.state.get("forecast") or []
    first = entries[0] if isinstance(entries, list) and entries else None
    if not isinstance(first, dict):
        return None
    unit = device.state.get("temperature_unit")
    parts = [condition_words(first.get("condition"))]
    if first.get("temperature") is not None:
        parts.append(f"up to {replies.temperature(first['temperature'], unit)}")
    if first.get("templow") is not None:
        parts.append(f"down to {replies.number(first['templow'])}")
    said = replies.join([p for p in parts if p])
    return replies.sentence(f"The forecast: {said}") if said else None


async def get_weather(request: IntentRequest) -> Outcome:
    devices = of_kind(request, Kind.WEATHER, "tell you the weather")
    device = devices[0]
    told = now(device)
    if told is None:
        return request.outcome(replies.sentence(
            f"{called(device)} hasn't reported the weather yet"))
    if request.words("forecast"):
        ahead = forecast(device)
        told = f"{told} {ahead}" if ahead else f"{told} There is no forecast."
    return request.outcome(told)


HANDLERS: dict[str, IntentHandler] = {"HassGetWeather": get_weather}

FORECAST_SENTENCES = [
    "<what_is> the [weather] forecast [for (today|tomorrow|the next days)]",
    "what will the weather be like [tomorrow|later|today]",
    "[what is the] weather forecast",
]


@hookimpl
def samantha_sentences(house: House, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    return {"language": language, "intents": {"HassGetWeather": {"data": [
        {"sentences": FORECAST_SENTENCES, "slots": {"forecast": "yes"}}]}}}


@hookimpl
def samantha_intent_handlers(house: House) -> dict[str, IntentHandler]:
    return dict(HANDLERS)
