"""Warnings logged once per source, with a bounded memory of the sources already named.

A flood of bad messages must not flood the log, and a flood of *distinct* sources (random
siteIds, random topics) must not grow the set of names remembered: past `limit` names the
rest are counted, and one line says so.
"""

from __future__ import annotations

import logging
from typing import Any

from samantha.plugins.satellite.limits import MAX_LOGGED_SOURCES


class OnceLog:
    def __init__(self, log: logging.Logger, limit: int = MAX_LOGGED_SOURCES) -> None:
        self.log = log
        self.limit = limit
        self.seen: set[str] = set()
        self.unnamed = 0  # warnings not logged because too many sources were named already

    def warn(self, source: str, message: str, *args: Any) -> None:
        if source in self.seen:
            return
        if len(self.seen) >= self.limit:
            if not self.unnamed:
                self.log.warning("more than %d distinct sources of bad messages: the rest are "
                                 "counted, not logged", self.limit)
            self.unnamed += 1
            return
        self.seen.add(source)
        self.log.warning(message, *args)
