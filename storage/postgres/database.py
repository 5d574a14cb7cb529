"""Opening a PostgreSQL database: a connection pool, migrated on open, as storage.sqlite.database does.

Durability is the server's: a commit returns once PostgreSQL has it (synchronous_commit, and replicas if
the operator configured synchronous ones). Pooled connections run in UTC with a statement timeout, so a
stuck statement fails instead of holding a delivery or a use case for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from verification.effects import Dispatch
from verification.ports import UnitOfWork

from .migrations import migrate
from .unit_of_work import Connection, PostgresUnitOfWork

BACKUPS = (
    "the database is PostgreSQL (VERAZ_DATABASE_URL): back it up with pg_dump, or your provider's "
    "point-in-time recovery, and restore with pg_restore or the provider (docs/deploy.md). Keep each host's "
    "pseudonym.key safe too: it is not in the database."
)
POOL_SIZE = 10
STATEMENT_TIMEOUT_MS = 30_000
IDLE_IN_TRANSACTION_MS = 10_000


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in credentials else url


class PostgresDatabase:
    """The open database of one Veraz process: a pool; each transaction on a connection of its own."""

    def __init__(self, url: str, pool: asyncpg.Pool, schema: int = 0) -> None:
        self.url = url
        self.pool = pool
        self.schema = schema  # the schema version it was opened at
        self._vacuum_lock = asyncio.Lock()
        self._vacuum_wanted: set[str] = set()

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE, application_name: str = "veraz") -> PostgresDatabase:
        # A transaction left open by a frozen process is ended by the server, freeing its locks.
        settings = {"timezone": "UTC", "statement_timeout": str(STATEMENT_TIMEOUT_MS),
                    "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS),
                    "application_name": application_name}  # fmt: skip
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, server_settings=settings, command_timeout=60, reset=_kept
        )
        try:
            async with pool.acquire() as conn:
                schema = await migrate(conn)
        except BaseException:
            await pool.close()
            raise
        return cls(url, pool, schema)

    def unit_of_work(self, dispatch: Dispatch | None = None) -> UnitOfWork:
        """A unit of work for the use cases (typed as the domain's port, which this checks); `dispatch`
        is given the effects of each of its commits."""
        return PostgresUnitOfWork(self.pool, dispatch)

    def transaction(self) -> PostgresUnitOfWork:
        """The same, with the raw connection (`.db`) for storage's own maintenance work."""
        return PostgresUnitOfWork(self.pool, eager=True)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection inside one transaction, committed if the block ends normally."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(query, *args))

    async def checkpoint(self) -> None:
        """After personal data is deleted (/forget-me): rewrite `reports`, so no dead row keeps its text."""
        await self.vacuum(("reports",))

    async def vacuum(self, tables: tuple[str, ...]) -> None:
        """VACUUM FULL: the tables written anew, without the dead tuples and free space that still hold
        deleted text (storage.postgres.retention says why not a plain VACUUM). Requests that arrive
        while one runs are served by one more round after it, not one each."""
        self._vacuum_wanted.update(tables)
        if self._vacuum_lock.locked():
            return
        async with self._vacuum_lock:
            while self._vacuum_wanted:
                wanted = ", ".join(sorted(self._vacuum_wanted))
                self._vacuum_wanted.clear()
                async with self.pool.acquire() as conn:
                    await conn.execute("SET statement_timeout = 0")  # a large table takes its time
                    try:
                        await conn.execute(f"VACUUM (FULL) {wanted}")
                    finally:
                        await conn.execute("RESET statement_timeout")

    async def close(self) -> None:
        await self.pool.close()


async def _kept(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """What a connection needs on its way back to the pool, beyond the rollback of a transaction left
    open (asyncpg does that whatever this says): nothing. asyncpg's default (unlock all advisory locks,
    close cursors, unlisten, reset settings) costs a round trip per use case, and Veraz leaves none of
    that behind: its advisory locks are transaction-scoped (the migration lock, the one session lock,
    is released where it is taken), its cursors live in transactions, nothing listens, and the one
    setting changed (vacuum's statement_timeout) is reset where it is changed."""
