"""Raw statements in tests, written once for both backends: `?` placeholders, Python values (a bool, a
datetime) converted as each backend stores them. For setting up what the delivery worker would record."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from storage.sqlite.timestamps import ts


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return ts(value)
    return value


async def execute(uow: Any, sql: str, *params: Any) -> None:
    """Run `sql` inside the unit of work's open transaction."""
    from storage.postgres.unit_of_work import PostgresUnitOfWork

    if isinstance(uow, PostgresUnitOfWork):
        numbered = iter(range(1, len(params) + 1))
        conn = await uow.conn()  # a use case's transaction begins with its first statement
        await conn.execute(re.sub(r"\?", lambda _: f"${next(numbered)}", sql), *params)
    else:
        await uow.db.execute(sql, tuple(_sqlite_value(p) for p in params))


async def fetch(database: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query on either backend's database, in a transaction of their own."""
    uow = database.transaction()
    async with uow:
        from storage.postgres.unit_of_work import PostgresUnitOfWork

        if isinstance(uow, PostgresUnitOfWork):
            numbered = iter(range(1, len(params) + 1))
            rows = await uow.db.fetch(re.sub(r"\?", lambda _: f"${next(numbered)}", sql), *params)
        else:
            async with uow.db.execute(sql, tuple(_sqlite_value(p) for p in params)) as cursor:
                rows = await cursor.fetchall()
    return [tuple(r) for r in rows]
