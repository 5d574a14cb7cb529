"""What a restore from backup leaves for the bot: the backup's horizon (issue 26).

After a restore, the database and the Discord channels disagree: cards and verifier requests posted after
the backup was made belong to a history the database no longer has, and their incident numbers will be
given again. `veraz restore` cannot reach Discord (the bot is stopped), so it leaves a note in the data
directory: the horizon, a moment a little before the latest one the backup knew of. `veraz run` takes the
note into the database (it may need migrating first, which only `veraz run` does) as two housekeeping
rows: the sweep still to do (marking the orphaned messages), and the earliest horizon of any restore,
before which messages of an older Veraz, which carry only a number, can still be trusted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from ..private_files import create_private_file
from . import sql
from .timestamps import from_ts, maybe_from_ts, ts
from .unit_of_work import SqliteUnitOfWork


class Database(Protocol):
    """What the notes need of the open database (the database module imports backup, which imports this)."""

    def transaction(self) -> SqliteUnitOfWork: ...


NOTE = "restore-note.json"
# Discord stamps a message with its own clock, the database with the bot's: they may disagree a little.
CLOCK_SKEW = timedelta(minutes=10)
DISCORD_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)  # nothing on Discord is older
_SWEEP = "restore_sweep"
_HORIZON = "restore_horizon"
# Times a backup's database recorded, each no later than the moment the backup was made.
_KNOWN_TIMES = (("incident_events", "at"), ("reports", "received_at"), ("housekeeping", "at"))


def backup_horizon(backup_file: Path) -> datetime:
    """A moment no later than the backup was made: messages posted after it may be unknown to it."""
    latest: datetime | None = None
    db = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        for table, column in _KNOWN_TIMES:
            try:
                found = db.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
            except sqlite3.OperationalError:  # a table an older schema did not have yet
                continue
            if found is not None and (latest is None or from_ts(found) > latest):
                latest = from_ts(found)
    finally:
        db.close()
    # An empty backup knew of nothing: whatever the channels hold is newer than it.
    return DISCORD_EPOCH if latest is None else max(DISCORD_EPOCH, latest - CLOCK_SKEW)


def leave_note(data_dir: Path, horizon: datetime) -> None:
    """Note a restore for `veraz run`; two restores before it runs keep the earlier horizon."""
    path = data_dir / NOTE
    earlier = _read_note(path)
    if earlier is not None:
        horizon = min(horizon, earlier)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)
    partial.write_text(json.dumps({"horizon": ts(horizon)}), encoding="utf-8")
    os.replace(partial, path)


def _read_note(path: Path) -> datetime | None:
    try:
        return from_ts(json.loads(path.read_text(encoding="utf-8"))["horizon"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):  # a damaged note: the earliest horizon is the safe one
        return DISCORD_EPOCH


async def take_note(database: Database, data_dir: Path) -> None:
    """Move a restore's note into the database (a sweep to do, and the earliest horizon)."""
    path = data_dir / NOTE
    horizon = _read_note(path)
    if horizon is None:
        return
    async with database.transaction() as uow:
        for name in (_SWEEP, _HORIZON):
            await sql.run(
                uow.db,
                "INSERT INTO housekeeping (name, at) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET at = min(at, excluded.at)",
                (name, ts(horizon)),
            )
        await uow.commit()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


async def sweep_due(database: Database) -> datetime | None:
    """The horizon after which messages are still to be marked as orphaned, if a restore left some."""
    return await _get(database, _SWEEP)


async def sweep_done(database: Database, horizon: datetime) -> None:
    """The sweep from `horizon` is done (unless a newer restore asked for an earlier one meanwhile)."""
    async with database.transaction() as uow:
        await sql.run(uow.db, "DELETE FROM housekeeping WHERE name = ? AND at = ?", (_SWEEP, ts(horizon)))
        await uow.commit()


async def restored_horizon(database: Database) -> datetime | None:
    """The earliest horizon of the restores this database went through; None: never restored."""
    return await _get(database, _HORIZON)


async def _get(database: Database, name: str) -> datetime | None:
    async with database.transaction() as uow:
        return maybe_from_ts(await sql.value(uow.db, "SELECT at FROM housekeeping WHERE name = ?", (name,)))
