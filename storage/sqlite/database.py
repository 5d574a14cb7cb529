"""Opening the database: one file under the data directory, with the settings Veraz relies on.

- WAL, so readers never block the writer and a killed process loses nothing committed;
- synchronous=FULL, so a confirmation that was acknowledged survives a power cut too (NORMAL would
  survive a killed process but may lose the last commits on power loss; the README has the cost);
- foreign keys on; a busy timeout so a second process (`veraz purge`, `veraz backup`) waits its turn;
- secure_delete, so purged report text is overwritten rather than left in free pages;
- the data directory 0700 and the database, its WAL and shared memory 0600, whatever the umask.

Only `veraz run` creates or migrates a database (`Database.open`), and it copies the database beside
itself before migrating it. Maintenance commands open an existing database as it is (`open_existing`):
a mistyped VERAZ_DATA_DIR is then an error, not a new empty database reporting zeros, and a command run
beside an older bot never changes the schema under it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from verification.effects import Dispatch
from verification.ports import UnitOfWork

from ..private_files import create_private_file, make_private, private_dir
from .connection import SqliteConnection
from .migrations import SchemaTooNew, SchemaTooOld, bundled, migrate, user_version
from .unit_of_work import SqliteUnitOfWork

BUSY_TIMEOUT_MS = 10_000
DATABASE_NAME = "veraz.db"
log = logging.getLogger(__name__)


class NoDatabase(Exception):
    """There is no Veraz database where one was expected; the message says where it looked."""


async def connect(path: Path, *, synchronous: str = "FULL", create: bool = True) -> SqliteConnection:
    target = str(path) if create else _existing_uri(path)
    db = SqliteConnection(target, timeout=BUSY_TIMEOUT_MS / 1000, uri=not create)
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

    def __init__(self, path: Path, db: SqliteConnection, schema: int = 0) -> None:
        self.path = path
        self.db = db
        self.schema = schema  # the schema version it was opened at
        self.lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, synchronous: str = "FULL") -> Database:
        """Open the database, creating it or migrating it (after a copy) as needed: `veraz run`."""
        private_dir(path.parent)
        create_private_file(path)  # before SQLite opens it: its WAL and shared memory take its mode
        db = await connect(path, synchronous=synchronous)
        for suffix in ("-wal", "-shm"):  # left by an older Veraz, created with the umask's mode
            make_private(Path(f"{path}{suffix}"))
        try:
            found = await user_version(db)
            if 0 < found < len(bundled()):
                await _copy_before_migrating(path, found)
            schema = await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(path, db, schema)

    @classmethod
    async def open_existing(cls, path: Path, *, synchronous: str = "FULL") -> Database:
        """Open a database that exists, at the schema this Veraz uses, changing nothing: maintenance."""
        db = await connect(path, synchronous=synchronous, create=False)
        try:
            found, known = await user_version(db), len(bundled())
            if found == 0:
                raise NoDatabase(f"{path} is not a Veraz database (it has no schema version)")
            if found > known:
                raise SchemaTooNew(found, known)
            if found < known:
                raise SchemaTooOld(found, known)
        except BaseException:
            await db.close()
            raise
        return cls(path, db, found)

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


def _existing_uri(path: Path) -> str:
    """The URI that opens `path` only if it is there (mode=rw: SQLite never makes an empty one)."""
    if path.parent.exists() and not path.parent.is_dir():
        raise NoDatabase(f"{path.parent} is a file, not a data directory: check VERAZ_DATA_DIR")
    if not path.is_file():
        raise NoDatabase(f"there is no Veraz database in {path.parent.resolve()}: check VERAZ_DATA_DIR "
                         f"(only `veraz run` creates one)")  # fmt: skip
    return f"{path.resolve().as_uri()}?mode=rw"


async def _copy_before_migrating(path: Path, found: int) -> None:
    """A migration is the one change an older Veraz cannot undo: keep the database as it was, beside it."""
    from .backup import copy_beside  # backup reads the migrations too; imported here, not at module level

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    copy = path.with_name(f"{path.name}.before-migration-{found}-to-{len(bundled())}-{stamp}")
    await copy_beside(path, copy)
    log.info("database copied before migrating", extra={"copy": str(copy), "schema": found})
