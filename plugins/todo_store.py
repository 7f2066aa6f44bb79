"""Where virtual to-do lists keep their items: one SQLite file under the house's data directory.

A list's items survive a restart. The data directory is `$SAMANTHA_DATA_DIR`, else
`$XDG_DATA_HOME/samantha` (`~/.local/share/samantha`); lists are keyed by the house's name and
the device id, so two houses on one machine keep their own lists.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "todo.db"


def data_dir() -> Path:
    base = os.environ.get("SAMANTHA_DATA_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "samantha"


class TodoStore:
    """Items of virtual lists by (house, device); a failing disk is logged, never fatal."""

    def __init__(self, house: str, path: Path | None = None) -> None:
        self.house = house
        self.path = path or data_dir() / FILE_NAME
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS lists (house TEXT, device TEXT, items TEXT, "
                       "PRIMARY KEY (house, device))")
            self._db = db
        return self._db

    def load(self, device: str) -> list[dict[str, Any]] | None:
        """The saved items of `device`, or None when nothing was saved (or it can't be read)."""
        try:
            row = self._connect().execute(
                "SELECT items FROM lists WHERE house = ? AND device = ?",
                (self.house, device)).fetchone()
            if row is None:
                return None
            items = json.loads(row[0])
        except (sqlite3.Error, OSError, ValueError) as err:
            log.error("could not read the saved items of %s from %s: %s", device, self.path, err)
            return None
        if not isinstance(items, list):
            return None
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("summary"), str)]

    def save(self, device: str, items: list[dict[str, Any]]) -> bool:
        try:
            self._connect().execute(
                "INSERT INTO lists (house, device, items) VALUES (?, ?, ?) "
                "ON CONFLICT (house, device) DO UPDATE SET items = excluded.items",
                (self.house, device, json.dumps(items)))
        except (sqlite3.Error, OSError) as err:
            log.error("could not save the items of %s to %s: %s", device, self.path, err)
            return False
        return True

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
