"""What a PostgreSQL transaction carries, shared by the unit of work, the repositories and storage's own
steps: the connection type, the community's lock, the bounded retry, and the task's open transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from verification.effects import EffectsRecorder

from .migrations import LOCK_NAMESPACE

COMMUNITY_LOCKS = 1  # key1 of a community's advisory lock is LOCK_NAMESPACE + this
RETRIES = 5
RETRYABLE = ("40001", "40P01")  # serialization_failure, deadlock_detected

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
T = TypeVar("T")


def community_key(community: int) -> int:
    """A Discord id folded into the 32 bits an advisory lock key has (a collision only serializes more)."""
    folded = (community ^ (community >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


async def lock_community(conn: Connection, community: int) -> None:
    await conn.execute(
        "SELECT pg_advisory_xact_lock($1, $2)", LOCK_NAMESPACE + COMMUNITY_LOCKS, community_key(community)
    )


async def retrying(step: Callable[[], Awaitable[T]]) -> T:
    """Run a storage-owned transaction again if PostgreSQL aborted it as a deadlock or a serialization
    failure (both leave nothing behind); at most RETRIES times, then the error stands."""
    for attempt in range(RETRIES):
        try:
            return await step()
        except asyncpg.PostgresError as exc:
            if exc.sqlstate not in RETRYABLE or attempt == RETRIES - 1:
                raise
            await asyncio.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


@dataclass(slots=True)
class Tx:
    owner: object  # the unit of work that opened it
    conn: PoolConnectionProxy[asyncpg.Record]
    transaction: Transaction | None  # None: BEGIN goes out with the first statement (`begin`, `lock`)
    locked: set[int] = field(default_factory=set)
    touched: set[tuple[int, int]] = field(default_factory=set)  # incidents appended to
    effects: EffectsRecorder = field(default_factory=EffectsRecorder)  # shown after the commit only
    committed: bool = False
    reading: bool = False  # a read-only snapshot (`uow.reading()`): it takes no community's lock
    # Places stamps read with their community's row, under its lock: the places' cache needs no query.
    stamps: dict[int, int] = field(default_factory=dict)

    begun: bool = True

    async def begin(self) -> None:
        if not self.begun:
            self.begun = True  # first: should BEGIN go through and what follows fail, ROLLBACK must follow
            await self.conn.execute("BEGIN")

    async def lock(self, community: int) -> None:
        if self.reading or community in self.locked:
            return
        if self.begun:
            await lock_community(self.conn, community)
        else:
            # Nearly every use case starts with its community's lock: BEGIN and the lock in one round trip
            # (the simple protocol takes several statements; both keys are integers made here).
            self.begun = True
            await self.conn.execute(
                f"BEGIN; SELECT pg_advisory_xact_lock({LOCK_NAMESPACE + COMMUNITY_LOCKS}, {community_key(community)})"
            )
        self.locked.add(community)

    async def end(self, *, commit: bool) -> None:
        if self.transaction is not None:
            await (self.transaction.commit() if commit else self.transaction.rollback())
        elif self.begun:
            await self.conn.execute("COMMIT" if commit else "ROLLBACK")


class TransactionSource(Protocol):
    """What a repository asks of its unit of work: the task's transaction, and its connection with a
    community's lock held."""

    def tx(self) -> Tx: ...
    async def conn(self, community: int | None = None) -> Connection: ...
