"""Storage for Veraz: implements `verification.ports`. SQLite (storage/sqlite) is the embedded default;
PostgreSQL (storage/postgres) is chosen by a `postgresql://` database URL, for several hosts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from verification.ports import DeliveryQueue
from verification.public_feed import FeedSource

from .lock import DataDirInUse, DataDirLock
from .ownership import NotOwner, require_owned
from .postgres import export as _pg_export
from .postgres import restores as _pg_restores
from .postgres import retention as _pg_retention
from .postgres.copy import CopyRefused, copy_to_postgres
from .postgres.database import BACKUPS as POSTGRES_BACKUPS
from .postgres.database import PostgresDatabase, redact
from .postgres.delivery_queue import NotLeader, PostgresDeliveryQueue
from .postgres.feed import PgFeedSource
from .postgres.leadership import application_name, processes
from .pseudonyms import Pseudonymizer
from .sqlite import export as _sqlite_export
from .sqlite import heartbeat
from .sqlite import restores as _sqlite_restores
from .sqlite import retention as _sqlite_retention
from .sqlite.backup import BackupRefused, Restored, RestoreRefused, backup, restore
from .sqlite.database import DATABASE_NAME, Database, NoDatabase
from .sqlite.delivery_queue import SqliteDeliveryQueue
from .sqlite.feed import SqliteFeedSource
from .sqlite.migrations import MigrationFailed, SchemaTooNew, SchemaTooOld
from .sqlite.retention import PURGE_EVERY, PurgeResult
from .sqlite.timestamps import maybe_from_ts, ts

AnyDatabase = Database | PostgresDatabase
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).startswith(POSTGRES_SCHEMES)


async def open_database(
    data_dir: Path, *, synchronous: str = "FULL", url: str | None = None, process: str | None = None
) -> Database | PostgresDatabase:
    """Open (creating and migrating as needed) the database: PostgreSQL at `url` when it is a
    `postgresql://` URL, otherwise SQLite in `data_dir`. `process`: the name a PostgreSQL process's
    connections carry (storage.postgres.leadership)."""
    if url and is_postgres(url):
        return await PostgresDatabase.open(url, application_name=application_name(process) if process else "veraz")
    if url:
        raise ValueError(f"database_url must start with postgresql://, not {url.split(':', 1)[0]}:")
    return await Database.open(data_dir / DATABASE_NAME, synchronous=synchronous)


async def open_existing(data_dir: Path, *, url: str | None = None) -> Database | PostgresDatabase:
    """Open the database as it is, for a maintenance command: SQLite's is never created nor migrated (only
    `veraz run` does that); PostgreSQL's schema is applied once, under its lock, by whichever opens it."""
    if url and is_postgres(url):
        return await PostgresDatabase.open(url, application_name="veraz-maintenance")
    return await Database.open_existing(data_dir / DATABASE_NAME)


async def open_feed_source(data_dir: Path, url: str | None = None) -> FeedSource:
    """The public feed's read-only access to the database (`open_database` must have created it)."""
    if url and is_postgres(url):
        return await PgFeedSource.open(url)
    return await SqliteFeedSource.open(data_dir)


def delivery_queue(database: AnyDatabase, fence: Callable[[], int | None] | None = None) -> DeliveryQueue:
    """The delivery worker's queue on this database; on PostgreSQL, `fence` gives the epoch every step
    acts under (storage.postgres.leadership), and None there means unfenced (one process)."""
    if isinstance(database, Database):
        return SqliteDeliveryQueue(database)
    return PostgresDeliveryQueue(database, fence)


@dataclass(frozen=True, slots=True)
class QueueHealth:
    depth: int  # queued or in flight
    in_doubt: int
    oldest_due: datetime | None  # when the longest-waiting delivery that is due now fell due


async def queue_health(database: AnyDatabase, now: datetime) -> QueueHealth:
    """The delivery queue's figures for /healthz and /metrics, on either backend."""
    if isinstance(database, Database):
        async with (
            database.transaction() as uow,
            uow.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(in_doubt), 0), MIN(CASE WHEN state = 'queued' AND next_attempt_at <= ? "
                "THEN next_attempt_at END) FROM deliveries WHERE state IN ('queued', 'sending')",
                (ts(now),),
            ) as cursor,
        ):
            depth, doubt, oldest = await cursor.fetchone() or (0, 0, None)
        return QueueHealth(int(depth), int(doubt), maybe_from_ts(oldest))
    [row] = await database.fetch(
        "SELECT count(*), count(*) FILTER (WHERE in_doubt), min(next_attempt_at) FILTER (WHERE state = 'queued' "
        "AND next_attempt_at <= $1) FROM deliveries WHERE state IN ('queued', 'sending')",
        now,
    )
    return QueueHealth(int(row[0]), int(row[1]), row[2])


async def process_lines(database: AnyDatabase) -> list[str]:
    """For `veraz status` on PostgreSQL: the processes seen in the last hour and their roles."""
    if isinstance(database, Database):
        return []
    async with database.pool.acquire() as conn:
        found = await processes(conn)
    lines = [f"processes seen in the last hour: {len(found)}"]
    for p in found:
        # A process that has said nothing for 10 s is gone (killed, or its host is), whatever it last said.
        role = p.role if p.role == "stopped" or p.seconds_ago < 10 else "silent"
        if role == "active":
            role += f" (epoch {p.epoch}, gateway {'connected' if p.gateway else 'not connected'})"
        lines.append(f"  {p.host} pid {p.pid}: {role}; last seen {p.seconds_ago:.0f} s ago")
    return lines


async def export_community(database: AnyDatabase, community: int, now: datetime) -> dict[str, Any]:
    """`veraz export`: a community's data as JSON (docs/SECURITY.md lists what is in it)."""
    if isinstance(database, Database):
        return await _sqlite_export.export_community(database, community, now)
    return await _pg_export.export_community(database, community, now)


async def release_forgotten(database: AnyDatabase, now: datetime) -> int:
    if isinstance(database, Database):
        return await _sqlite_retention.release_forgotten(database, now)
    return await _pg_retention.release_forgotten(database, now)


async def purge(database: AnyDatabase, now: datetime) -> PurgeResult:
    if isinstance(database, Database):
        return await _sqlite_retention.purge(database, now)
    return await _pg_retention.purge(database, now)


async def last_purge(database: AnyDatabase) -> datetime | None:
    if isinstance(database, Database):
        return await _sqlite_retention.last_purge(database)
    return await _pg_retention.last_purge(database)


async def purge_due(database: AnyDatabase, now: datetime, every: timedelta = PURGE_EVERY) -> bool:
    last = await last_purge(database)
    return last is None or last > now or now - last >= every


async def take_note(database: AnyDatabase, data_dir: Path) -> None:
    """Move a restore's note (issue 26) into the database."""
    if isinstance(database, Database):
        await _sqlite_restores.take_note(database, data_dir)
    else:
        await _pg_restores.take_note(database, data_dir)


async def sweep_due(database: AnyDatabase) -> datetime | None:
    """The horizon after which messages are still to be marked as orphaned, if a restore left some."""
    if isinstance(database, Database):
        return await _sqlite_restores.sweep_due(database)
    return await _pg_restores.sweep_due(database)


async def sweep_done(database: AnyDatabase, horizon: datetime) -> None:
    if isinstance(database, Database):
        await _sqlite_restores.sweep_done(database, horizon)
    else:
        await _pg_restores.sweep_done(database, horizon)


async def restored_horizon(database: AnyDatabase) -> datetime | None:
    """The earliest horizon of the restores this database went through; None: never restored."""
    if isinstance(database, Database):
        return await _sqlite_restores.restored_horizon(database)
    return await _pg_restores.restored_horizon(database)


__all__ = [
    "DATABASE_NAME",
    "POSTGRES_BACKUPS",
    "PURGE_EVERY",
    "AnyDatabase",
    "BackupRefused",
    "CopyRefused",
    "DataDirInUse",
    "DataDirLock",
    "Database",
    "MigrationFailed",
    "NoDatabase",
    "NotLeader",
    "NotOwner",
    "PostgresDatabase",
    "PostgresDeliveryQueue",
    "Pseudonymizer",
    "PurgeResult",
    "QueueHealth",
    "RestoreRefused",
    "Restored",
    "SchemaTooNew",
    "SchemaTooOld",
    "SqliteDeliveryQueue",
    "backup",
    "copy_to_postgres",
    "delivery_queue",
    "export_community",
    "heartbeat",
    "is_postgres",
    "last_purge",
    "open_database",
    "open_existing",
    "open_feed_source",
    "process_lines",
    "purge",
    "purge_due",
    "queue_health",
    "redact",
    "release_forgotten",
    "require_owned",
    "restore",
    "restored_horizon",
    "sweep_done",
    "sweep_due",
    "take_note",
]
