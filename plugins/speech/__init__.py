"""Rooms that listen and answer: wake word, speech recognition, endpointing, replies."""
