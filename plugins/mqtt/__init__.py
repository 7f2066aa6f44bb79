"""MQTT device layer (built-in plugin)."""
