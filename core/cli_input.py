"""Text from the command line and standard input, made safe to use whatever bytes arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import BinaryIO, TextIO

MAX_LINE_BYTES = 64 * 1024  # a longer "sentence" is cut; the house refuses long ones anyway


def clean_text(text: str) -> str:
    """An argument as valid Unicode: bytes the locale could not decode become U+FFFD.

    Python hands undecodable argv bytes over as lone surrogates, which no encoder accepts.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


async def _once(text: str) -> AsyncIterator[tuple[int, str]]:
    yield 1, text


async def read_lines(stream: TextIO | BinaryIO) -> AsyncIterator[tuple[int, str]]:
    """Numbered lines of `stream`, decoded as UTF-8 with replacement, read off the event loop.

    Reading the bytes (not the text layer) means a strict locale cannot turn one bad byte into
    an exception that loses the rest of the input.
    """
    raw: BinaryIO = getattr(stream, "buffer", stream)  # type: ignore[assignment]
    number = 0
    while True:
        line = await asyncio.to_thread(raw.readline, MAX_LINE_BYTES)
        if not line:
            return
        number += 1
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogateescape")
        if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            # Skip the rest of an over-long line so it is not read as further sentences.
            while True:
                more = await asyncio.to_thread(raw.readline, MAX_LINE_BYTES)
                if not more or more.endswith(b"\n"):
                    break
        yield number, line.decode("utf-8", "replace")
