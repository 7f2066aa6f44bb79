"""Home Assistant (built-in plugin)."""
