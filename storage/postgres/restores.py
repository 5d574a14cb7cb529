"""A restore's horizon (issue 26) on PostgreSQL: the housekeeping rows storage.sqlite.restores keeps.

A PostgreSQL database is restored with pg_restore or the provider's point-in-time recovery, which leave
no note; a note `veraz restore` left in the data directory before a move to PostgreSQL (or rows copied
by `veraz copy-db`) is honoured the same way: the bot marks the cards the restore orphaned.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

from ..sqlite.restores import NOTE, _read_note
from .database import PostgresDatabase

_SWEEP = "restore_sweep"
_HORIZON = "restore_horizon"


async def take_note(database: PostgresDatabase, data_dir: Path) -> None:
    path = data_dir / NOTE
    horizon = _read_note(path)
    if horizon is None:
        return
    async with database.connection() as conn:
        for name in (_SWEEP, _HORIZON):
            await conn.execute(
                "INSERT INTO housekeeping (name, at) VALUES ($1, $2) "
                "ON CONFLICT (name) DO UPDATE SET at = LEAST(housekeeping.at, excluded.at)",
                name,
                horizon,
            )
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


async def sweep_due(database: PostgresDatabase) -> datetime | None:
    return await _get(database, _SWEEP)


async def sweep_done(database: PostgresDatabase, horizon: datetime) -> None:
    async with database.connection() as conn:
        await conn.execute("DELETE FROM housekeeping WHERE name = $1 AND at = $2", _SWEEP, horizon)


async def restored_horizon(database: PostgresDatabase) -> datetime | None:
    return await _get(database, _HORIZON)


async def _get(database: PostgresDatabase, name: str) -> datetime | None:
    rows = await database.fetch("SELECT at FROM housekeeping WHERE name = $1", name)
    return rows[0][0] if rows else None
