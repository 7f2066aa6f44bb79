"""The language model behind the persona: one streamed Chat Completions request at a time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .settings import Endpoint, ModelSettings

log = logging.getLogger(__name__)


@dataclass
class ToolCall:
    """A function call the model asked for; `arguments` is raw JSON text, not yet trusted."""

    id: str
    name: str
    arguments: str = ""

    def as_message(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function",
                "function": {"name": self.name, "arguments": self.arguments}}


@dataclass
class StreamEnd:
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None


class ChatModel:
    """Chat Completions over the openai SDK: every OpenAI-compatible server speaks it."""

    def __init__(self, endpoint: Endpoint, settings: ModelSettings) -> None:
        self.endpoint = endpoint
        self.settings = settings
        # Retries would hide a slow or dead endpoint behind the turn's own deadline; the
        # offline self is the retry.
        from openai import AsyncOpenAI  # 0.4 s to import: only when a model is configured

        self.client = AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key,
                                  max_retries=0, timeout=settings.timeout)

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]] | None, *, allow_tools: bool = True,
                     max_tokens: int | None = None) -> AsyncIterator[str | StreamEnd]:
        """Yield text fragments as they arrive, then one StreamEnd with any tool calls.

        With `allow_tools` false the tools stay declared (earlier tool messages refer to them)
        but tool_choice "none" asks for words only. `max_tokens` overrides the configured
        limit (a person who asked for shorter replies gets a lower one).
        """
        from openai import NOT_GIVEN

        stream = await self.client.chat.completions.create(
            model=self.endpoint.model, messages=messages,  # type: ignore[arg-type]
            tools=tools or NOT_GIVEN,  # type: ignore[arg-type]
            tool_choice=NOT_GIVEN if allow_tools or not tools else "none",
            temperature=self.settings.temperature,
            max_tokens=max_tokens or self.settings.max_tokens,
            stream=True)
        calls: dict[int, ToolCall] = {}
        finish: str | None = None
        try:
            async for chunk in stream:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                finish = choice.finish_reason or finish
                delta = choice.delta
                if delta.content:
                    yield delta.content
                for part in delta.tool_calls or []:
                    call = calls.setdefault(part.index, ToolCall(id="", name=""))
                    if part.id:
                        call.id = part.id
                    if part.function is not None:
                        call.name += part.function.name or ""
                        call.arguments += part.function.arguments or ""
        finally:
            await stream.close()
        for index, call in sorted(calls.items()):
            call.id = call.id or f"call_{index}"
        yield StreamEnd(tool_calls=[calls[i] for i in sorted(calls)], finish_reason=finish)

    async def complete(self, messages: list[dict[str, Any]]) -> str:
        """The whole answer to a request without tools (background work, e.g. condensing)."""
        parts: list[str] = []
        async for piece in self.stream(messages, None):
            if isinstance(piece, str):
                parts.append(piece)
        return "".join(parts)

    async def close(self) -> None:
        await self.client.close()
