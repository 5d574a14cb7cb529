"""The SQLite connection: aiosqlite's thread for what can block, the same sqlite3 connection inline for the rest.

Veraz makes the `sqlite3.Connection` itself (aiosqlite's documented `Connection(connector, ...)` takes the
function that makes it) and keeps it as `raw`, so the statements inside a transaction can run inline
(`sql.py`) without reaching into aiosqlite's private attributes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite


class SqliteConnection(aiosqlite.Connection):
    def __init__(self, path: Path | str, *, timeout: float, uri: bool = False) -> None:
        self._raw: sqlite3.Connection | None = None

        def make() -> sqlite3.Connection:
            # isolation_level=None: Python issues no implicit BEGIN/COMMIT; every transaction is explicit.
            # check_same_thread=False: aiosqlite's thread and the event loop's use it, never at once (one
            # transaction at a time, under the database's lock).
            self._raw = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False, uri=uri)
            return self._raw

        super().__init__(make, iter_chunk_size=64)

    @property
    def raw(self) -> sqlite3.Connection:
        if self._raw is None:
            raise RuntimeError("the connection is not open yet")
        return self._raw
