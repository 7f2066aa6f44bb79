"""Samantha in Home Assistant's voice world: a Wyoming server and Wyoming speech engines."""
