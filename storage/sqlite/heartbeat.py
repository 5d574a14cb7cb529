"""The running bot's heartbeat, in the database, for `veraz status` (and anything else that asks).

While `veraz run` runs it writes, every `EVERY` seconds, when it was last alive and when it was last
connected to Discord; when it stops cleanly, when it stopped. A reader tells from these whether a bot
runs now, whether it is connected, and whether the last one ended cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import sql
from .connection import SqliteConnection
from .timestamps import maybe_from_ts, ts

if TYPE_CHECKING:
    from .database import Database

EVERY = timedelta(seconds=30)
_ALIVE, _CONNECTED, _STOPPED = "alive", "connected", "stopped"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    alive: datetime | None  # the last beat of a running bot
    connected: datetime | None  # the last beat while it was connected to Discord
    stopped: datetime | None  # when a bot last stopped cleanly

    def running(self, now: datetime) -> bool:
        """A beat missed twice over means no bot runs (or one hangs, which is as bad)."""
        recent = self.alive is not None and now - self.alive <= 3 * EVERY
        return recent and (self.stopped is None or self.alive is None or self.stopped < self.alive)

    def is_connected(self, now: datetime) -> bool:
        return self.running(now) and self.connected is not None and now - self.connected <= 3 * EVERY


async def beat(database: Database, at: datetime, *, connected: bool) -> None:
    async with database.transaction() as uow:
        for name in (_ALIVE, _CONNECTED) if connected else (_ALIVE,):
            await _set(uow.db, name, at)
        await uow.commit()


async def stopped(database: Database, at: datetime) -> None:
    async with database.transaction() as uow:
        await _set(uow.db, _STOPPED, at)
        await uow.commit()


async def last(database: Database) -> Heartbeat:
    async with database.transaction() as uow:
        found = {
            r[0]: r[1]
            for r in await sql.rows(
                uow.db, "SELECT name, at FROM housekeeping WHERE name IN (?, ?, ?)", (_ALIVE, _CONNECTED, _STOPPED)
            )
        }
    return Heartbeat(*(maybe_from_ts(found.get(name)) for name in (_ALIVE, _CONNECTED, _STOPPED)))


async def _set(db: SqliteConnection, name: str, at: datetime) -> None:
    await sql.run(db, "INSERT INTO housekeeping (name, at) VALUES (?, ?) "
                  "ON CONFLICT (name) DO UPDATE SET at = excluded.at", (name, ts(at)))  # fmt: skip
