"""Storage for Veraz: implements `verification.ports`. SQLite (storage/sqlite) is the embedded default."""

from pathlib import Path

from .lock import DataDirInUse, DataDirLock
from .ownership import NotOwner, require_owned
from .pseudonyms import Pseudonymizer
from .sqlite.backup import Restored, RestoreRefused, backup, restore
from .sqlite.database import DATABASE_NAME, Database
from .sqlite.delivery_queue import SqliteDeliveryQueue
from .sqlite.export import export_community
from .sqlite.migrations import MigrationFailed, SchemaTooNew
from .sqlite.restores import restored_horizon, sweep_done, sweep_due, take_note
from .sqlite.retention import PURGE_EVERY, PurgeResult, last_purge, purge, purge_due, release_forgotten


async def open_database(data_dir: Path, *, synchronous: str = "FULL") -> Database:
    """Open (creating and migrating as needed) the database in `data_dir`."""
    return await Database.open(data_dir / DATABASE_NAME, synchronous=synchronous)


__all__ = [
    "DATABASE_NAME",
    "PURGE_EVERY",
    "DataDirInUse",
    "DataDirLock",
    "Database",
    "MigrationFailed",
    "NotOwner",
    "Pseudonymizer",
    "PurgeResult",
    "RestoreRefused",
    "Restored",
    "SchemaTooNew",
    "SqliteDeliveryQueue",
    "backup",
    "export_community",
    "last_purge",
    "open_database",
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
