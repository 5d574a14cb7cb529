"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order, tracked in `veraz_schema`.

Several processes may start at the same moment on one database: migrating happens under a session
advisory lock, so exactly one applies each migration and the others, once they get the lock, find the
schema up to date. Each migration runs in one transaction with its version bump (PostgreSQL's DDL is
transactional): if any statement fails, the database keeps its old schema and its old version. A
database written by a newer Veraz is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ..sqlite.migrations import MigrationFailed, SchemaTooNew

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# pg_advisory_lock(key1, key2): Veraz's namespace, then what is locked. Community locks use key1 = 1.
LOCK_NAMESPACE = 0x5645  # "VE"
MIGRATION_LOCK = 0


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled() -> list[Migration]:
    """The migrations shipped with this Veraz, in order, numbered 1, 2, 3... without gaps."""
    found = []
    for entry in resources.files("storage.postgres").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps: {[m.name for m in found]}")
    return found


async def schema_version(conn: asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]) -> int:
    exists = await conn.fetchval("SELECT to_regclass('veraz_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT version FROM veraz_schema") or 0)


async def migrate(
    conn: asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record],
    migrations: list[Migration] | None = None,
) -> int:
    """Bring the schema up to date, once, whoever else is starting. Returns the version reached."""
    migrations = bundled() if migrations is None else migrations
    await conn.execute("SELECT pg_advisory_lock($1, $2)", LOCK_NAMESPACE, MIGRATION_LOCK)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS veraz_schema (version integer NOT NULL)")
        await conn.execute("INSERT INTO veraz_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM veraz_schema)")
        current = await schema_version(conn)
        if current > len(migrations):
            raise SchemaTooNew(current, len(migrations))
        for migration in migrations[current:]:
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute("UPDATE veraz_schema SET version = $1", migration.version)
            except asyncpg.PostgresError as exc:  # any SQL error: the transaction undid everything
                raise MigrationFailed(f"migration {migration.name} failed: {exc}") from exc
            current = migration.version
        return current
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_NAMESPACE, MIGRATION_LOCK)
