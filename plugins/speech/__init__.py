"""Rooms that listen and answer: wake word, speech recognition, endpointing, replies.

The plugin host registers built-ins under their last dotted name, so the hooks are re-exported
here: registered as `samantha.plugins.speech` the plugin is called "speech" (as
`...speech.plugin` it would collide with other packages' `plugin` modules).
"""

from samantha.plugins.speech.plugin import (
    samantha_cli_commands,
    samantha_config_sections,
    samantha_shutdown,
    samantha_speech_engines,
    samantha_startup,
)

__all__ = [
    "samantha_cli_commands",
    "samantha_config_sections",
    "samantha_shutdown",
    "samantha_speech_engines",
    "samantha_startup",
]
