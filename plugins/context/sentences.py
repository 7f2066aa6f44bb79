"""The sentences of follow-ups ("and the bedroom") and relative changes ("a bit brighter").

Home Assistant's templates have neither; these are merged into them (hassil's YAML format).
"""

from __future__ import annotations

from typing import Any

_CHANGES = {
    "brighter": ("brighter", "lighter"),
    "dimmer": ("dimmer", "darker"),
    "warmer": ("warmer", "hotter"),
    "cooler": ("cooler", "colder"),
    "louder": ("louder",),
    "quieter": ("quieter", "softer"),
}
_AMOUNTS = {
    "small": ("a bit", "a little", "a little bit", "a tiny bit", "slightly", "bit", "little"),
    "large": ("a lot", "much", "way", "a lot more", "much more"),
}

_DOMAIN_WORDS = {
    "light": "light|lights|lamp|lamps",
    "fan": "fan|fans",
    "cover": "blind|blinds|shade|shades|curtain|curtains|shutter|shutters",
    "climate": "thermostat|thermostats|heating",
    "media_player": "tv|television|speaker|speakers|music",
    "switch": "switch|switches",
}

_ENGLISH: dict[str, Any] = {
    "language": "en",
    "intents": {
        # Slots get names of their own: an unknown place after "what about" is no refusal
        # ("what about the meaning of life?" goes to the persona, not "I don't know a room").
        "SamanthaFollowUp": {"data": [
            {"sentences": [
                "(and|also|what about|how about) [in|on] [the] {area:follow_area} "
                "[too|as well]",
                "[and] [in|on] [the] {area:follow_area} (too|as well)",
                "[and] [do] the same [thing] (in|on) [the] {area:follow_area}",
                "(and|also|what about|how about) [on] [the] {floor:follow_floor} "
                "[too|as well]",
                "(and|also|what about|how about) [the] {name:follow_name} [too|as well]",
                "[and] [the] {name:follow_name} (too|as well)",
                "[and] [do] the same [thing] (for|with|to) [the] {name:follow_name}",
            ]},
            *[{"sentences": [f"(and|also|what about|how about) [the] ({words}) [too|as well]",
                             f"[and] [the] ({words}) (too|as well)"],
               "slots": {"follow_domain": domain}}
              for domain, words in _DOMAIN_WORDS.items()],
        ]},
        "SamanthaAdjust": {"data": [
            {"sentences": [
                "[make|turn|set] [it] [{samantha_amount:amount}] {samantha_change:change} "
                "[please]",
                "(make|turn|set) [the] {name} [{samantha_amount:amount}] "
                "{samantha_change:change} [please]",
                "(make|turn|set) [it] [{samantha_amount:amount}] {samantha_change:change} "
                "in [the] {area}",
            ]},
            {"sentences": [
                "(make|turn|set) [the] {area} (light|lights|lamp|lamps) "
                "[{samantha_amount:amount}] {samantha_change:change} [please]",
                "(make|turn|set) [the] (light|lights|lamp|lamps) [in [the] {area}] "
                "[{samantha_amount:amount}] {samantha_change:change} [please]",
            ], "slots": {"domain": "light"}},
        ]},
    },
    "lists": {
        "samantha_change": {"values": [{"in": word, "out": change}
                                       for change, words in _CHANGES.items() for word in words]},
        "samantha_amount": {"values": [{"in": word, "out": size}
                                       for size, words in _AMOUNTS.items() for word in words]},
    },
}

SENTENCES: dict[str, dict[str, Any]] = {"en": _ENGLISH}
