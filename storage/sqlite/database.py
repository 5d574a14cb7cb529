"""Opening the database: one file under the data directory, with the settings Veraz relies on.

- WAL, so readers never block the writer and a killed process loses nothing committed;
- synchronous=FULL, so a confirmation that was acknowledged survives a power cut too (NORMAL would
  survive a killed process but may lose the last commits on power loss; the README has the cost);
- foreign keys on; a busy timeout so a second process (`veraz purge`, `veraz backup`) waits its turn;
- secure_delete, so purged report text is overwritten rather than left in free pages;
- the data directory 0700 and the database, its WAL and shared memory 0600, whatever the umask.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from verification.effects import Dispatch
from verification.ports import UnitOfWork

from ..private_files import create_private_file, make_private, private_dir
from .connection import SqliteConnection
from .migrations import migrate
from .unit_of_work import SqliteUnitOfWork

BUSY_TIMEOUT_MS = 10_000
DATABASE_NAME = "veraz.db"


async def connect(path: Path, *, synchronous: str = "FULL") -> SqliteConnection:
    db = SqliteConnection(path, timeout=BUSY_TIMEOUT_MS / 1000)
    await db  # opens it, on aiosqlite's thread
    db.row_factory = sqlite3.Row
    for pragma in (
        "PRAGMA journal_mode = WAL",
        f"PRAGMA synchronous = {synchronous}",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA secure_delete = ON",
    ):
        await db.execute(pragma)
    return db


class Database:
    """The open database of one Veraz process: a single connection, one transaction at a time."""

    def __init__(self, path: Path, db: SqliteConnection) -> None:
        self.path = path
        self.db = db
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, synchronous: str = "FULL") -> Database:
        private_dir(path.parent)
        create_private_file(path)  # before SQLite opens it: its WAL and shared memory take its mode
        db = await connect(path, synchronous=synchronous)
        for suffix in ("-wal", "-shm"):  # left by an older Veraz, created with the umask's mode
            make_private(Path(f"{path}{suffix}"))
        try:
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(path, db)

    def unit_of_work(self, dispatch: Dispatch | None = None) -> UnitOfWork:
        """A unit of work for the use cases (typed as the domain's port, which this checks); `dispatch`
        is given the effects of each of its commits."""
        return SqliteUnitOfWork(self.db, self.lock, dispatch)

    def transaction(self) -> SqliteUnitOfWork:
        """The same, with the raw connection (`.db`) for storage's own maintenance work."""
        return SqliteUnitOfWork(self.db, self.lock)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it, so nothing lingers in the WAL."""
        async with self.lock:
            await self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        async with self.lock:
            # Lets SQLite refresh the statistics its query planner uses, where they are stale.
            await self.db.execute("PRAGMA optimize")
            await self.db.close()
