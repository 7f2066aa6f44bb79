"""A plugin for bench/soak.py whose `samantha_event` hook never returns (a hung network call).

The house must give up on it within its hook budget and switch it off, without a sentence
waiting for it."""

from __future__ import annotations

import asyncio

from samantha import hookimpl


@hookimpl
async def samantha_event(event: object) -> None:
    await asyncio.Event().wait()  # nobody ever sets it
