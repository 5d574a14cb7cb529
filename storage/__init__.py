"""Storage for Veraz: implements `verification.ports`. SQLite (storage/sqlite) is the embedded default."""

from pathlib import Path

from .lock import DataDirInUse, DataDirLock
from .ownership import NotOwner, require_owned
from .pseudonyms import Pseudonymizer
from .sqlite import heartbeat
from .sqlite.backup import BackupRefused, Restored, RestoreRefused, backup, restore
from .sqlite.database import DATABASE_NAME, Database, NoDatabase
from .sqlite.delivery_queue import SqliteDeliveryQueue
from .sqlite.export import export_community
from .sqlite.migrations import MigrationFailed, SchemaTooNew, SchemaTooOld
from .sqlite.restores import restored_horizon, sweep_done, sweep_due, take_note
from .sqlite.retention import PURGE_EVERY, PurgeResult, last_purge, purge, purge_due, release_forgotten


async def open_database(data_dir: Path, *, synchronous: str = "FULL") -> Database:
    """Open (creating, or migrating after a copy, as needed) the database in `data_dir`: `veraz run`."""
    return await Database.open(data_dir / DATABASE_NAME, synchronous=synchronous)


async def open_existing(data_dir: Path) -> Database:
    """Open the database in `data_dir` as it is, for a maintenance command: never created, never migrated."""
    return await Database.open_existing(data_dir / DATABASE_NAME)


__all__ = [
    "DATABASE_NAME",
    "PURGE_EVERY",
    "BackupRefused",
    "DataDirInUse",
    "DataDirLock",
    "Database",
    "MigrationFailed",
    "NoDatabase",
    "NotOwner",
    "Pseudonymizer",
    "PurgeResult",
    "RestoreRefused",
    "Restored",
    "SchemaTooNew",
    "SchemaTooOld",
    "SqliteDeliveryQueue",
    "backup",
    "export_community",
    "heartbeat",
    "last_purge",
    "open_database",
    "open_existing",
    "purge",
    "purge_due",
    "release_forgotten",
    "require_owned",
    "restore",
    "restored_horizon",
    "sweep_done",
    "sweep_due",
    "take_note",
]
