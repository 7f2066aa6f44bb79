"""The `conversation:` config section."""

from __future__ import annotations

from pydantic import Field

from samantha.config import Section


class ConversationSettings(Section):
    """How long "it", "them" and follow-ups refer to the last devices (docs/conversation.md)."""

    follow_up_seconds: float = Field(
        120, gt=0, le=3600,
        description="How long the devices last acted on or asked about in a room stay what "
                    "'it', 'them' and follow-ups such as 'and the bedroom' refer to.")
