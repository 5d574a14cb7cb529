"""The PostgreSQL unit of work: `async with uow:` is one READ COMMITTED transaction on a pooled connection.

How strong each transaction is, and why:

- **Every use case** (verification.usecases: submitting, joining and moving reports, votes, statements,
  corrections, retractions, closing, reopening, expiry, escalation, verifier visits, subscribing, area
  roles, settings, places, /forget-me, and the read-only queries): READ COMMITTED plus the **community's
  lock**, a transaction-scoped advisory lock (`pg_advisory_xact_lock(namespace, community)`) taken by the
  transaction's first read or write of that community and held until it commits or rolls back. So a
  community's use cases run one at a time, exactly as every use case does on SQLite (BEGIN IMMEDIATE),
  and each reads the state the previous one committed: the incident history it folds is whole, the next
  event's number is free, a vote sees the vote before it. Use cases of different communities run side by
  side. A use case that spans communities (expiry and escalation everywhere) takes their locks in the
  order of their ids, so two of them cannot deadlock, and a one-community use case holds one lock only.
  No use case can fail on a serialization conflict, so none needs a retry.
- **The delivery worker's steps** (storage.postgres.delivery_queue): row locks. A claim takes its rows
  with `FOR UPDATE SKIP LOCKED`; settling a delivery is one statement on its row. Each step is fenced by
  the leader's epoch (storage.postgres.leadership) and retried, a bounded number of times, should
  PostgreSQL abort it as a deadlock or a serialization failure.
- **Reading figures** (`async with uow.reading():`, for /stats): REPEATABLE READ, READ ONLY, and no
  community's lock: every statement reads the one snapshot taken at its first, so the figures are
  consistent without holding up the community's use cases for the length of a long read, nor waiting
  for them; a write in it fails. It is always rolled back.
- **Retention purges** (storage.postgres.retention): the community's lock, per community, in id order,
  then VACUUM of the tables they touched.

Within the process, concurrent tasks may share one unit of work (the bot's services hold one): each task
gets its own connection and transaction, kept in a context variable.

Round trips: BEGIN goes out with the transaction's first statement, the community's lock (one message,
two statements); the places' cache reads its stamp from the community's row; a connection goes back
to the pool without asyncpg's reset query (storage.postgres.database). tests/storage/test_round_trips.py
counts them.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

import asyncpg

from verification.effects import Dispatch, EffectsRecorder

from .area_roles import PgAreaRoles
from .communities import PgCommunities
from .incidents import PgIncidents
from .outbox import PgOutbox
from .photos import PgPhotos
from .places import PgPlaces
from .reports import PgReports, PgStanding
from .subscriptions import PgSubscriptions
from .transactions import Connection, Tx, community_key, lock_community, retrying

__all__ = ["Connection", "PostgresUnitOfWork", "Tx", "community_key", "lock_community", "retrying"]


class PostgresUnitOfWork:
    def __init__(self, pool: asyncpg.Pool, dispatch: Dispatch | None = None, *, eager: bool = False) -> None:
        self._pool = pool
        self._eager = eager  # BEGIN at once (storage's own work, which uses `.db`), not with the first statement
        self.dispatch = dispatch  # given the effects of each commit (see verification.effects)
        self.communities = PgCommunities(self)
        self.places = PgPlaces(self)
        self.incidents = PgIncidents(self)
        self.reports = PgReports(self)
        self.standing = PgStanding(self)
        self.subscriptions = PgSubscriptions(self)
        self.outbox = PgOutbox(self)
        self.area_roles = PgAreaRoles(self)
        self.photos = PgPhotos(self)

    def tx(self) -> Tx:
        current = _CURRENT.get()
        if current is None or current.owner is not self:
            raise RuntimeError("a repository was used outside `async with uow:`")
        return current

    async def conn(self, community: int | None = None) -> Connection:
        """The transaction's connection, with `community`'s lock held."""
        tx = self.tx()
        if community is not None:
            await tx.lock(community)
        else:
            await tx.begin()
        return tx.conn

    @property
    def effects(self) -> EffectsRecorder:
        """The effects of this task's transaction: concurrent tasks sharing the unit of work keep theirs apart."""
        return self.tx().effects

    @property
    def db(self) -> Connection:
        """The raw connection, for storage's own maintenance work (`database.transaction()`, which has
        begun its transaction; a use case's begins with its first statement)."""
        tx = self.tx()
        if not tx.begun:
            raise RuntimeError("the transaction has not begun: use `await uow.conn()`")
        return tx.conn

    async def __aenter__(self) -> Self:
        if _CURRENT.get() is not None:
            raise RuntimeError("a unit of work is already open in this task")
        conn = await self._pool.acquire()
        tx = Tx(self, conn, None, begun=False)
        if self._eager:
            try:
                await tx.begin()
            except BaseException:
                await self._pool.release(conn)
                raise
        _CURRENT.set(tx)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tx = self.tx()
        _CURRENT.set(None)
        try:
            if not tx.committed:
                await tx.end(commit=False)
        finally:
            self.incidents.transaction_ended(tx)
            await self._pool.release(tx.conn)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """A transaction that only reads (see the module's notes); nothing in it is kept."""
        if _CURRENT.get() is not None:
            raise RuntimeError("a unit of work is already open in this task")
        async with self._pool.acquire() as conn:
            transaction = conn.transaction(isolation="repeatable_read", readonly=True)
            await transaction.start()
            tx = Tx(self, conn, transaction, reading=True)
            _CURRENT.set(tx)
            try:
                yield self
            finally:
                _CURRENT.set(None)
                try:
                    if not tx.committed:
                        await transaction.rollback()
                finally:
                    self.incidents.transaction_ended(tx)

    async def commit(self) -> None:
        tx = self.tx()
        await tx.end(commit=True)
        tx.committed = True
        effects = tx.effects.take()
        if effects and self.dispatch is not None:
            # Shown outside the transaction: a task the effects start (a queue card's redraw) copies this
            # context, and must open a transaction of its own, not find this finished one open.
            outside = _CURRENT.set(None)
            try:
                self.dispatch(effects)
            finally:
                _CURRENT.reset(outside)


# The open transaction of the task (or None): one at a time per task, as on SQLite.
_CURRENT: contextvars.ContextVar[Tx | None] = contextvars.ContextVar("veraz_pg_tx", default=None)
