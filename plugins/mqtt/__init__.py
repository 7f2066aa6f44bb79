"""MQTT device layer, a built-in plugin registered as `samantha.plugins.mqtt`.

The hooks live in plugin.py; they are re-exported here because the plugin host names a
plugin after the last part of its module path, and "plugin" is taken by others.
"""

from samantha.plugins.mqtt.plugin import (
    samantha_config_sections,
    samantha_device_providers,
    samantha_startup,
)

__all__ = ["samantha_config_sections", "samantha_device_providers", "samantha_startup"]
