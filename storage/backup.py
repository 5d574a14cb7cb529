"""Backup and restore of the database file.

`backup` uses SQLite's online backup API, so it takes a consistent snapshot while the bot keeps
running. `restore` refuses to touch a database that a running Veraz holds (see `storage.lock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .migrations import bundled


class RestoreRefused(Exception):
    """The backup cannot be restored; the message says why."""


def _check(path: Path) -> int:
    """integrity_check must say ok; returns the schema version."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
    finally:
        db.close()
    if result != "ok":
        raise RestoreRefused(f"{path} failed its integrity check: {result}")
    return int(version)


def _fold_in_wal(database: Path) -> None:
    """Copy the write-ahead log into the database file, so the kept copy holds its last commits."""
    # A damaged database cannot be checkpointed: it is then kept as it is, its WAL moved beside it.
    with contextlib.suppress(sqlite3.DatabaseError):
        db = sqlite3.connect(database, timeout=10)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()


def _backup(source: Path, target: Path) -> int:
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=10)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=512)
    finally:
        dst.close()
        src.close()
    version = _check(partial)
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, target)
    return version


async def backup(source: Path, target: Path) -> int:
    """Copy a consistent snapshot of `source` to `target`. Returns the snapshot's schema version."""
    return await asyncio.to_thread(_backup, source, target)


def restore(backup_file: Path, database: Path) -> Path | None:
    """Put `backup_file` in place of `database`; the replaced file is kept beside it. Bot must be stopped."""
    if not backup_file.exists():
        raise RestoreRefused(f"no backup at {backup_file}")
    version = _check(backup_file)
    known = len(bundled())
    if version > known:
        raise RestoreRefused(f"{backup_file} has schema version {version}; this Veraz knows up to {known}")
    kept = None
    if database.exists():
        _fold_in_wal(database)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        os.replace(database, kept)
        for suffix in ("-wal", "-shm"):  # if the WAL could not be folded in, it stays with its database
            if Path(f"{database}{suffix}").exists():
                os.replace(f"{database}{suffix}", f"{kept}{suffix}")
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup_file, partial)
    os.replace(partial, database)
    return kept
