"""The `conversation:` config section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ConversationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    follow_up_seconds: float = Field(
        120, gt=0, le=3600,
        description="How long the devices last acted on or asked about in a room stay what "
                    "'it', 'them' and follow-ups such as 'and the bedroom' refer to.")
