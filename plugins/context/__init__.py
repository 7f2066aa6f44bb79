"""Conversation context: what "it" means, follow-ups such as "and the bedroom", and "stop"."""
