"""Bounded waits: poll a condition until it holds, failing the test if it never does."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def until(predicate: Callable[[], object | Awaitable[object]], timeout: float = 5.0,
                what: str = "condition", interval: float = 0.02,
                state: Callable[[], str] | None = None) -> float:
    """Wait (in the event loop) until `predicate()` is true; return the seconds waited. On a
    timeout the failure says what was waited for and, if given, `state()` at that moment."""
    start = time.monotonic()
    while True:
        result = predicate()
        # Some conditions can only be read with a request (an HTTP API, a live link).
        if inspect.isawaitable(result):
            result = await result
        if result:
            return time.monotonic() - start
        # Checked after the predicate, so a condition that holds just at the deadline passes.
        if time.monotonic() - start > timeout:
            seen = f": {state()}" if state is not None else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{seen}")
        await asyncio.sleep(interval)


def wait_until(predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition",
               interval: float = 0.02) -> float:
    """Wait (blocking) until `predicate()` is true; return the seconds waited."""
    start = time.monotonic()
    while True:
        result = predicate()
        # A coroutine is always truthy: without this the wait would pass without looking.
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError("wait_until takes a synchronous predicate; await until() instead")
        if result:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
