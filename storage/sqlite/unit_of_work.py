"""The SQLite unit of work: `async with uow:` is one `BEGIN IMMEDIATE` transaction, and
`async with uow.reading():` one that only reads.

BEGIN IMMEDIATE takes the write lock up front, so two writers (the bot and `veraz purge`) queue on
the busy timeout instead of failing half-way with "database is locked". Within the process, an
asyncio lock keeps transactions on the shared connection from interleaving.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

from verification.effects import Dispatch, EffectsRecorder

from .area_roles import SqliteAreaRoles
from .communities import SqliteCommunities
from .connection import SqliteConnection
from .incidents import SqliteIncidents
from .outbox import SqliteOutbox
from .photos import SqlitePhotos
from .places import SqlitePlaces
from .reports import SqliteReports, SqliteStanding
from .subscriptions import SqliteSubscriptions


class SqliteUnitOfWork:
    def __init__(self, db: SqliteConnection, lock: asyncio.Lock, dispatch: Dispatch | None = None) -> None:
        self.db = db
        self._lock = lock
        self._committed = False
        self.effects = EffectsRecorder()
        self.dispatch = dispatch  # given the effects of each commit (see verification.effects)
        self.communities = SqliteCommunities(db)
        self.places = SqlitePlaces(db)
        self.incidents = SqliteIncidents(db)
        self.reports = SqliteReports(db)
        self.standing = SqliteStanding(db)
        self.subscriptions = SqliteSubscriptions(db)
        self.outbox = SqliteOutbox(db)
        self.area_roles = SqliteAreaRoles(db)
        self.photos = SqlitePhotos(db)

    async def __aenter__(self) -> Self:
        await self._lock.acquire()
        try:
            if self.db.in_transaction:
                # Nobody holds the lock, so nobody's transaction is open: a task cancelled while its
                # BEGIN ran in aiosqlite's thread left this one behind. It wrote nothing yet.
                await self.db.rollback()
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
        self.effects.begin()
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

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """A transaction that only reads (figures, exports): BEGIN DEFERRED takes no write lock, so it
        neither waits for a writer in another process (`veraz purge`) nor holds one up; in WAL mode it
        reads one snapshot. `query_only` makes a write in it fail loudly. It is always rolled back."""
        await self._lock.acquire()
        try:
            await self.db.execute("PRAGMA query_only = ON")
            try:
                await self.db.execute("BEGIN DEFERRED")
                try:
                    yield self
                finally:
                    if self.db.in_transaction:
                        await self.db.rollback()
            finally:
                await self.db.execute("PRAGMA query_only = OFF")
        finally:
            self._lock.release()

    async def commit(self) -> None:
        await self.db.commit()
        self._committed = True
        effects = self.effects.take()
        if effects and self.dispatch is not None:
            self.dispatch(effects)
