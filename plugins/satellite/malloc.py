"""Handing freed native memory back to the system (glibc's malloc_trim).

glibc keeps what a program frees for its own reuse: a dropped speech decoder or a flood's
audio buffers leave the process's RSS where it was (bench/_soak_decoders.py: three freed
free-form decoders, 243 MB, stayed resident until malloc_trim(0)). Elsewhere (musl, macOS)
this does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        # glibc only: musl has neither; another libc's malloc_trim may mean something else.
        libc.gnu_get_libc_version  # noqa: B018  (raises AttributeError when absent)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def give_back_memory() -> bool:
    """Return the heap's free pages to the system; False where that cannot be done."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
