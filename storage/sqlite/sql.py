"""Statements inside a transaction run inline; what can block goes to aiosqlite's thread.

The inline statements use the connection's own `raw` sqlite3 connection (see `connection.py`).

Inside a `BEGIN IMMEDIATE` transaction this process already holds SQLite's write lock, and in WAL mode
readers never wait, so a statement there cannot block on another process: it costs microseconds of
CPU, like any other Python work on the event loop. A thread round trip per statement would cost more
than the statement (bench/storage.py measures it). What CAN block — BEGIN IMMEDIATE waiting for
another process, COMMIT with its fsync, checkpoints, backups — goes through aiosqlite's thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from .connection import SqliteConnection


def _conn(db: SqliteConnection) -> sqlite3.Connection:
    return db.raw


async def rows(db: SqliteConnection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    return _conn(db).execute(sql, params).fetchall()


async def row(db: SqliteConnection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
    found: sqlite3.Row | None = _conn(db).execute(sql, params).fetchone()
    return found


async def value(db: SqliteConnection, sql: str, params: Sequence[Any] = ()) -> Any:
    found = await row(db, sql, params)
    return None if found is None else found[0]


async def run(db: SqliteConnection, sql: str, params: Sequence[Any] = ()) -> int:
    return _conn(db).execute(sql, params).rowcount


async def insert(db: SqliteConnection, sql: str, params: Sequence[Any] = ()) -> int:
    rowid = _conn(db).execute(sql, params).lastrowid
    if rowid is None:
        raise RuntimeError("INSERT returned no row id")
    return rowid


async def run_many(db: SqliteConnection, sql: str, params: Iterable[Sequence[Any]]) -> None:
    _conn(db).executemany(sql, params)
