"""Test harnesses that start real components (broker, audio server, Home Assistant)."""
