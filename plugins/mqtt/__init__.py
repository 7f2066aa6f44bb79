"""MQTT device layer: discovery-driven devices, reliable commands, rooms announced to HA."""
