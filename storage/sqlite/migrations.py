"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order, tracked in PRAGMA user_version.

Each migration runs in one transaction together with its version bump: if any statement fails, the
database keeps its old schema and its old version. A database written by a newer Veraz is refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

from .connection import SqliteConnection

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class SchemaTooNew(Exception):
    """The database was written by a newer Veraz than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"this database has schema version {found}, but this Veraz knows only up to {known}: "
            "upgrade Veraz, or restore a backup made by this version"
        )
        self.found = found
        self.known = known


class SchemaTooOld(Exception):
    """The database needs migrating, which only `veraz run` does (keeping a copy first)."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"this database has schema version {found}, and this Veraz uses {known}: start `veraz run` once "
            "to upgrade it (it keeps a copy of the database first), then try again"
        )
        self.found = found
        self.known = known


class MigrationFailed(Exception):
    """A migration failed; the database was left at its previous version."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled() -> list[Migration]:
    """The migrations shipped with this Veraz, in order, numbered 1, 2, 3... without gaps."""
    found = []
    for entry in resources.files("storage.sqlite").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps: {[m.name for m in found]}")
    return found


async def user_version(db: SqliteConnection) -> int:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: SqliteConnection, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date. Returns the version reached."""
    migrations = bundled() if migrations is None else migrations
    current = await user_version(db)
    if current > len(migrations):
        raise SchemaTooNew(current, len(migrations))
    for migration in migrations[current:]:
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        try:
            await db.executescript(script)
        except Exception as exc:  # any SQL error: undo everything this migration did
            if db.in_transaction:
                await db.rollback()
            log.error("migration failed", extra={"migration": migration.name, "error": str(exc)})
            raise MigrationFailed(f"migration {migration.name} failed: {exc}") from exc
        log.info("database migrated", extra={"migration": migration.name, "from": current, "to": migration.version})
        current = migration.version
    return current
