"""The SQLite unit of work: `async with uow:` is one `BEGIN IMMEDIATE` transaction.

BEGIN IMMEDIATE takes the write lock up front, so two writers (the bot and `veraz purge`) queue on
the busy timeout instead of failing half-way with "database is locked". Within the process, an
asyncio lock keeps transactions on the shared connection from interleaving.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

import aiosqlite

from .area_roles import SqliteAreaRoles
from .communities import SqliteCommunities
from .incidents import SqliteIncidents
from .outbox import SqliteOutbox
from .places import SqlitePlaces
from .reports import SqliteReports, SqliteStanding
from .subscriptions import SqliteSubscriptions


class SqliteUnitOfWork:
    def __init__(self, db: aiosqlite.Connection, lock: asyncio.Lock) -> None:
        self.db = db
        self._lock = lock
        self._committed = False
        self.communities = SqliteCommunities(db)
        self.places = SqlitePlaces(db)
        self.incidents = SqliteIncidents(db)
        self.reports = SqliteReports(db)
        self.standing = SqliteStanding(db)
        self.subscriptions = SqliteSubscriptions(db)
        self.outbox = SqliteOutbox(db)
        self.area_roles = SqliteAreaRoles(db)

    async def __aenter__(self) -> Self:
        await self._lock.acquire()
        try:
            await self.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            # Cancelled while waiting, the BEGIN still runs in aiosqlite's thread: a rollback queued
            # behind it ends that transaction, which nobody would own on the shared connection.
            try:
                with contextlib.suppress(Exception):  # the first failure is the one to report
                    await asyncio.shield(self.db.rollback())
            finally:
                self._lock.release()
            raise
        self._committed = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed and self.db.in_transaction:
                await self.db.rollback()
        finally:
            self.incidents.transaction_ended(self._committed)
            self._lock.release()

    async def commit(self) -> None:
        await self.db.commit()
        self._committed = True
