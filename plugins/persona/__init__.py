"""The persona engine: character, mood, memory, the language model and the offline self.

Registered as the built-in plugin `persona`; its hooks live in `plugin.py` and are re-exported
here because the host names plugins by their last dotted part, and `plugin` is already taken.
"""

from .plugin import (
    samantha_cli_commands,
    samantha_config_sections,
    samantha_event,
    samantha_intent_handlers,
    samantha_outcome,
    samantha_sentences,
    samantha_shutdown,
    samantha_startup,
    samantha_unrecognized,
)

__all__ = [
    "samantha_cli_commands",
    "samantha_config_sections",
    "samantha_event",
    "samantha_intent_handlers",
    "samantha_outcome",
    "samantha_sentences",
    "samantha_shutdown",
    "samantha_startup",
    "samantha_unrecognized",
]
