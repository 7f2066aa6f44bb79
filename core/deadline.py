"""Await with a time limit, without the extra task `asyncio.wait_for` costs before 3.12."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

if sys.version_info >= (3, 11):

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        """`await awaitable`, raising TimeoutError after `seconds`."""
        async with asyncio.timeout(seconds):
            return await awaitable

else:  # Python 3.10 (Jetson JetPack 6)

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        """`await awaitable`, raising TimeoutError after `seconds`."""
        try:
            return await asyncio.wait_for(awaitable, seconds)
        except asyncio.TimeoutError as err:  # not yet the builtin TimeoutError on 3.10
            raise TimeoutError from err
