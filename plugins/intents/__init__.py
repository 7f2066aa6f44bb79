"""Handlers for Home Assistant's intents, one module per domain.

Each module is a plugin of its own, listed in `samantha.plugin_host.BUILTIN_PLUGINS` exactly as a
third-party plugin would be: switching (turn on/off/toggle for every kind), lights, climate and
fans, covers and valves, media, lists, weather, cleaning (vacuum and lawn mower), alarm,
broadcast and state questions. `common` holds what they share; scenes, scripts and buttons are
activated through HassTurnOn (see `switching` and `scenes`).
"""
