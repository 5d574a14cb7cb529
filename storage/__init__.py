"""SQLite storage for Veraz: implements `verification.ports` with aiosqlite."""

from pathlib import Path

from .backup import RestoreRefused, backup, restore
from .database import DATABASE_NAME, Database
from .delivery_queue import SqliteDeliveryQueue
from .export import export_community
from .lock import DataDirInUse, DataDirLock
from .migrations import MigrationFailed, SchemaTooNew
from .pseudonyms import Pseudonymizer
from .retention import PurgeResult, purge, release_forgotten


async def open_database(data_dir: Path, *, synchronous: str = "FULL") -> Database:
    """Open (creating and migrating as needed) the database in `data_dir`."""
    return await Database.open(data_dir / DATABASE_NAME, synchronous=synchronous)


__all__ = [
    "DATABASE_NAME",
    "DataDirInUse",
    "DataDirLock",
    "Database",
    "MigrationFailed",
    "Pseudonymizer",
    "PurgeResult",
    "RestoreRefused",
    "SchemaTooNew",
    "SqliteDeliveryQueue",
    "backup",
    "export_community",
    "open_database",
    "purge",
    "release_forgotten",
    "restore",
]
