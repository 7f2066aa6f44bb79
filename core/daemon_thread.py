"""Run blocking work in a daemon thread and await it, without the executor's join at exit.

`asyncio.to_thread` is right for work that always ends. Work that may hang (a driver, a model
load) goes here: the caller can give up on it with a timeout, and a process whose event loop
ended does not wait for it. (Leave such a thread in native code at interpreter exit only when
you must: see `House.one_shot`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any


def in_daemon_thread(func: Callable[[], Any], name: str) -> asyncio.Future[Any]:
    """A future of `func()` run in a daemon thread named `name`."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return  # given up on meanwhile
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value, error = func(), None
        except BaseException as err:
            value, error = None, err
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name=name, daemon=True).start()
    return future
