"""The baseline of the persona benchmarks: a bare openai SDK streaming request, timed from
sending it to the arrival of the text that completes the first sentence."""

from __future__ import annotations

import time
from typing import Any


async def model_first_sentence(client: Any, model: str, question: str) -> float:
    """Seconds to the first whole sentence of the model's streamed answer (NaN if none)."""
    from samantha.plugins.persona.sentences import SentenceSplitter

    start = time.perf_counter()
    stream = await client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": question}], stream=True)
    splitter = SentenceSplitter()
    took = float("nan")
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content and splitter.feed(
                chunk.choices[0].delta.content):
            took = time.perf_counter() - start
            break
    await stream.close()
    return took
