"""`veraz copy-db`: move a network's SQLite database into an empty PostgreSQL database, verified.

Every row of every table is copied with its id (so delivery nonces, which derive from ids, stay the
same and a send in doubt is still found in DM history), in one transaction: a failure leaves the target
as empty as it was. Values are converted by the target column's type (text moments to timestamptz,
0/1 to booleans, JSON lists to arrays). The target must hold no Veraz rows: copying into a database
that already has some would mix two networks. Row counts are compared table by table before commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from ..pseudonyms import KEY_FILE
from ..sqlite.database import DATABASE_NAME, Database
from ..sqlite.timestamps import from_ts
from .database import PostgresDatabase
from .key_check import KEY_CHECK, check_value

# In an order that satisfies the foreign keys (rows of a table in id order: amends and depends_on point back).
TABLES = (
    "communities", "places", "incidents", "incident_keys", "incident_events", "statements", "reports",
    "photos", "reporter_standing", "subscribers", "subscriptions", "alerts", "deliveries", "housekeeping", "area_roles",
    "role_ledger", "role_grants", "street_grid",
)  # fmt: skip


class CopyRefused(Exception):
    """The copy cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Copied:
    rows: dict[str, int]  # table -> rows copied (and counted again in the target)


def _converter(data_type: str) -> Callable[[Any], Any]:
    if data_type == "timestamp with time zone":
        return lambda v: None if v is None else from_ts(v)
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    if data_type == "ARRAY":
        return lambda v: [] if v is None else json.loads(v)
    return lambda v: v


async def copy_to_postgres(data_dir: Path, url: str) -> Copied:
    source_path = data_dir / DATABASE_NAME
    if not source_path.exists():
        raise CopyRefused(f"no SQLite database at {source_path}")
    sqlite = await Database.open(source_path)  # brings it to the latest schema first
    target = await PostgresDatabase.open(url)
    try:
        async with target.connection() as conn:
            for table in TABLES:
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                    raise CopyRefused(
                        f"the target database is not empty (table {table} has rows): copy into an empty one"
                    )
            copied: dict[str, int] = {}
            for table in TABLES:
                types = {
                    r[0]: r[1]
                    for r in await conn.fetch(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = $1",
                        table,
                    )
                }
                rows = await _rows(sqlite.db, table)
                columns = [c for c in (rows[0].keys() if rows else []) if c in types]
                convert = [_converter(types[c]) for c in columns]
                records = [tuple(f(r[c]) for f, c in zip(convert, columns, strict=True)) for r in rows]
                if records:
                    await conn.copy_records_to_table(table, records=records, columns=columns)
                    if types.get("id") == "bigint" and table not in ("communities",):
                        await conn.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                        )
                counted = await conn.fetchval(f"SELECT count(*) FROM {table}")
                if counted != len(rows):
                    raise CopyRefused(
                        f"{table}: {len(rows)} rows in SQLite but {counted} in PostgreSQL; nothing was kept"
                    )
                copied[table] = counted
            # The copied pseudonyms were made with this directory's key: record it as the network's, so a
            # host started first with another key (not copied) is refused rather than taken as the truth.
            key_file = data_dir / KEY_FILE
            if key_file.exists():
                await conn.execute(
                    "INSERT INTO veraz_settings (name, value) VALUES ($1, $2) "
                    "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                    KEY_CHECK,
                    check_value(key_file.read_bytes()),
                )
        return Copied(copied)
    finally:
        await target.close()
        await sqlite.close()


async def _rows(db: aiosqlite.Connection, table: str) -> list[Any]:
    order = " ORDER BY id" if table not in ("communities", "housekeeping") and await _has_id(db, table) else ""
    async with db.execute(f"SELECT * FROM {table}{order}") as cursor:
        return list(await cursor.fetchall())


async def _has_id(db: aiosqlite.Connection, table: str) -> bool:
    async with db.execute(f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'id'") as cursor:
        return await cursor.fetchone() is not None
