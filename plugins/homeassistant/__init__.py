"""Home Assistant (built-in plugin).

Registered as the package, not as `.plugin`: the plugin host names plugins by the last part of
the module path, and `plugin` would collide with other packages' `plugin` modules.
"""

from .plugin import samantha_config_sections, samantha_device_providers, samantha_outcome

__all__ = ["samantha_config_sections", "samantha_device_providers", "samantha_outcome"]
