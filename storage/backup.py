"""Backup and restore of the database file.

`backup` uses SQLite's online backup API, so it takes a consistent snapshot while the bot keeps
running. `restore` refuses to touch a database that a running Veraz holds (see `storage.lock`).
"""

from __future__ import annotations

import asyncio
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
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        os.replace(database, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup_file, partial)
    os.replace(partial, database)
    return kept
