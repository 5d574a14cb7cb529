"""Backup and restore of the database file.

`backup` uses SQLite's online backup API, so it takes a consistent snapshot while the bot keeps
running. `restore` refuses to touch a database that a running Veraz holds (see `storage.lock`).

A backup keeps the report text it was taken with, including text purged since (retention, /forget-me).
`restore` compares the backup with the database it replaces, purges that text again in the restored
copy, and says how much there was: the backup file itself still holds it, until it is rotated away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..private_files import create_private_file, make_private, private_dir
from .migrations import bundled
from .restores import backup_horizon, leave_note

# What a purge leaves of a report, and what identifies the report whatever was purged.
_PURGED = ("pseudonym", "where_text", "what", "markings", "purged_at")
_IDENTITY = ("community", "number", "ordinal", "received_at")


class RestoreRefused(Exception):
    """The backup cannot be restored; the message says why."""


class BackupRefused(Exception):
    """The backup cannot be written where asked; the message says why."""


# Tables every Veraz database has had since schema 1: a SQLite file without them is someone else's.
_VERAZ_TABLES = {"communities", "incidents", "incident_events", "reports", "deliveries"}


def read_only(path: Path) -> str:
    """A URI that reads `path` as it is: no lock, and no -wal or -shm file made beside it."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def _check(path: Path) -> int:
    """A Veraz database whose integrity_check says ok; returns its schema version."""
    try:
        db = sqlite3.connect(read_only(path), uri=True)
        try:
            (result,) = db.execute("PRAGMA integrity_check").fetchone()
            (version,) = db.execute("PRAGMA user_version").fetchone()
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:  # a text file, a truncated copy
        raise RestoreRefused(f"{path} is not a Veraz backup: {exc}") from exc
    if result != "ok":
        raise RestoreRefused(f"{path} failed its integrity check: {' '.join(str(result).split())[:300]}")
    if int(version) < 1 or not tables >= _VERAZ_TABLES:
        raise RestoreRefused(f"{path} is an SQLite database, but not a Veraz one")
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


def _remove_with_journals(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _snapshot(source: Path, target: Path) -> int:
    """Copy a consistent snapshot of `source` to `target` through a .partial file, which a failure (a full
    disk) removes: `target` is either the whole copy or untouched."""
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    private_dir(target.parent)
    partial = target.with_name(target.name + ".partial")
    _remove_with_journals(partial)
    try:
        create_private_file(partial)  # SQLite writes into it, and its journal takes its mode
        src = sqlite3.connect(source, timeout=10)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=512)
            # The copy is one self-contained file: a WAL-mode copy would grow -wal and -shm files
            # beside it whenever it is opened.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
            src.close()
        version = _check(partial)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
    except sqlite3.Error as exc:  # the disk filled up, the source is damaged...
        raise BackupRefused(f"cannot write the backup {target}: {exc}") from exc
    except RestoreRefused as exc:
        raise BackupRefused(f"the copy failed its check: {exc}") from exc
    finally:
        _remove_with_journals(partial)
    return version


async def backup(source: Path, target: Path, *, force: bool = False) -> int:
    """Copy a consistent snapshot of `source` to `target`. Returns the snapshot's schema version.

    Refused: a target in the data directory (the live database among them: writing there corrupts it),
    a directory, and an existing file unless `force`."""
    return await asyncio.to_thread(_backup, source, target, force)


def _backup(source: Path, target: Path, force: bool) -> int:
    data_dir = source.parent.resolve()
    where = target.resolve()
    if where == data_dir or data_dir in where.parents:
        raise BackupRefused(f"{target} is inside the data directory {data_dir}: write backups somewhere else")
    if target.is_dir():
        raise BackupRefused(f"{target} is a directory: name the backup file to write")
    if target.exists() and not force:
        raise BackupRefused(f"{target} exists already: name a new file, or add --force to replace it")
    return _snapshot(source, target)


async def copy_beside(source: Path, target: Path) -> int:
    """A snapshot kept in the data directory itself (before a migration)."""
    return await asyncio.to_thread(_snapshot, source, target)


def _free_name(database: Path, stamp: str) -> Path:
    """A name for the replaced database that no earlier restore used (two may run within a second)."""
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = database.with_name(f"{database.name}.before-restore-{stamp}-{n}")
    return kept


@dataclass(frozen=True, slots=True)
class Restored:
    kept: Path | None  # the replaced database, kept beside it
    # Reports whose text (or pseudonym) the backup still held though the replaced database had purged it
    # since the backup was made: purged again in the restored database. The backup file still holds it.
    repurged: int
    # False: there was no readable database to compare with, so text purged or forgotten since the
    # backup was made may be back (retention purges it again; a /forget-me since then is lost).
    compared: bool
    # Cards and verifier requests posted after this moment may belong to a history the backup does not
    # have: `veraz run` marks them as orphaned when it starts (storage.sqlite.restores).
    horizon: datetime


def _purged_rows(database: Path) -> dict[int, tuple[object, ...]] | None:
    """Report id -> (identity..., purged columns...) of every purged report, or None if unreadable."""
    if not database.exists():
        return None
    columns = ", ".join(("id", *_IDENTITY, *_PURGED))
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute(f"SELECT {columns} FROM reports WHERE purged_at IS NOT NULL").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError:  # damaged or not a Veraz database: nothing to compare with
        return None
    return {r[0]: tuple(r[1:]) for r in rows}


def _purge_again(restored: Path, purged: dict[int, tuple[object, ...]]) -> int:
    """Put the replaced database's purged values back on the same reports of the restored copy."""
    identity = len(_IDENTITY)
    columns = ", ".join(("id", *_IDENTITY, *_PURGED))
    db = sqlite3.connect(restored, isolation_level=None)
    try:
        db.execute("PRAGMA secure_delete = ON")  # the text is overwritten, not left in free pages
        held = db.execute(f"SELECT {columns} FROM reports WHERE id IN (SELECT value FROM json_each(?))",
                          (json.dumps(list(purged)),)).fetchall()  # fmt: skip
        again = [
            (*purged[r[0]][identity:], r[0])
            for r in held
            # The same report (a backup of another installation shares ids, not reports), still holding
            # something the replaced database had purged.
            if tuple(r[1 : 1 + identity]) == purged[r[0]][:identity]
            and _holds_more(tuple(r[1 + identity :]), purged[r[0]][identity:])
        ]
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            f"UPDATE reports SET {', '.join(f'{c} = ?' for c in _PURGED)} WHERE id = ?",
            again,
        )
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return len(again)


def _removed_photos(database: Path) -> dict[int, tuple[object, ...]]:
    """Photo id -> (report id, received at, removed at, signature gone) of every photo whose card facts or
    signature the database had removed (retention, /forget-me, 180 days), or none to compare with."""
    if not database.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute(
                "SELECT id, report_id, received_at, removed_at, signature IS NULL FROM photos "
                "WHERE removed_at IS NOT NULL OR signature IS NULL"
            ).fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError:  # damaged, not a Veraz database, or older than photos (issue 24)
        return {}
    return {r[0]: tuple(r[1:]) for r in rows}


def _remove_photos_again(restored: Path, removed: dict[int, tuple[object, ...]]) -> int:
    """Remove again, in the restored copy, what the replaced database had removed of the same photos; their
    queue posts become due for deletion (the bot finds them deleted already, or deletes them)."""
    if not removed:
        return 0
    db = sqlite3.connect(restored, isolation_level=None)
    try:
        db.execute("PRAGMA secure_delete = ON")
        try:
            held = db.execute(
                "SELECT id, report_id, received_at FROM photos WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(removed)),),
            ).fetchall()
        except sqlite3.OperationalError:  # a backup from before photos: nothing of them in it
            return 0
        same = [r[0] for r in held if (r[1], r[2]) == removed[r[0]][:2]]
        db.execute("BEGIN IMMEDIATE")
        for photo in same:
            _, _, removed_at, signature_gone = removed[photo]
            if removed_at is not None:
                db.execute(
                    "UPDATE photos SET taken_local = NULL, taken_offset = NULL, camera = NULL, removed_at = ?, "
                    "remove_post = (queue_message IS NOT NULL) WHERE id = ?",
                    (removed_at, photo),
                )
            if signature_gone:
                db.execute("UPDATE photos SET signature = NULL WHERE id = ?", (photo,))
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return len(same)


def _holds_more(backup_row: tuple[object, ...], purged_row: tuple[object, ...]) -> bool:
    *backup_values, backup_purged_at = backup_row
    *purged_values, _ = purged_row
    return backup_purged_at is None or any(
        b is not None and p is None for b, p in zip(backup_values, purged_values, strict=True)
    )


def restore(backup_file: Path, database: Path) -> Restored:
    """Put `backup_file` in place of `database`; the replaced file is kept beside it. Bot must be stopped.

    Report text the replaced database had purged since the backup is purged again in the restored copy,
    and so is what it had removed of photos (issue 24).
    """
    if not backup_file.exists():
        raise RestoreRefused(f"no backup at {backup_file}")
    if backup_file.is_dir():
        raise RestoreRefused(f"{backup_file} is a directory: name the backup file")
    version = _check(backup_file)
    known = len(bundled())
    if version > known:
        raise RestoreRefused(f"{backup_file} has schema version {version}; this Veraz knows up to {known}")
    horizon = backup_horizon(backup_file)
    private_dir(database.parent)
    partial = database.with_name(database.name + ".restoring")
    _remove_with_journals(partial)
    try:
        create_private_file(partial)
        shutil.copyfile(backup_file, partial)  # into the 0600 file: copyfile keeps the target's mode
        if database.exists():
            _fold_in_wal(database)
        purged = _purged_rows(database)
        repurged = _purge_again(partial, purged) if purged else 0
        _remove_photos_again(partial, _removed_photos(database))
    except BaseException:
        _remove_with_journals(partial)
        raise
    kept = None
    if database.exists():
        kept = _free_name(database, datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
        os.replace(database, kept)
        make_private(kept)
        for suffix in ("-wal", "-shm"):  # if the WAL could not be folded in, it stays with its database
            if Path(f"{database}{suffix}").exists():
                os.replace(f"{database}{suffix}", f"{kept}{suffix}")
    os.replace(partial, database)
    leave_note(database.parent, horizon)
    return Restored(kept, repurged, compared=purged is not None, horizon=horizon)
