"""The public feed's reads (issue 15), on a connection of their own that SQLite opens read-only.

Every value a request carries reaches SQL only as a bound parameter, and only after the adapter has
checked its shape (a slug, an id); query strings never reach here. The feed is a recipient: it shows
exactly the messages published to it (`alerts.feed_at`, set by the use cases: an ALERT while the feed
is on, and every amendment of an ALERT it got), whatever became of their other deliveries. The feed is
served by its own process (`bot.feed.process`), which holds nothing but this connection.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from verification.alerts import from_record
from verification.community import Community
from verification.public_feed import MAX_ENTRIES, FeedIncident, FeedStamp, Published

from .communities import _READ, _community
from .database import BUSY_TIMEOUT_MS, DATABASE_NAME
from .migrations import bundled
from .timestamps import maybe_from_ts, ts

_SHOWN = "a.feed_at IS NOT NULL"

_PUBLISHED = f"""
SELECT a.id, a.payload, a.amends, m.created_at AS amends_at FROM alerts a
LEFT JOIN alerts m ON m.id = a.amends
WHERE a.community = ? AND {_SHOWN}
"""

_INCIDENTS = f"""
WITH shown AS (SELECT a.id, a.number, a.created_at FROM alerts a WHERE a.community = ?1 AND {_SHOWN}),
latest AS (SELECT number, MAX(id) AS id FROM shown GROUP BY number)
SELECT l.id, (i.status = 'confirmed') AS open FROM latest l
JOIN alerts a ON a.id = l.id
LEFT JOIN incidents i ON i.community = ?1 AND i.number = l.number
WHERE i.status = 'confirmed' OR a.created_at >= ?2
ORDER BY l.id DESC LIMIT ?3
"""


class SqliteFeedSource:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    @classmethod
    async def open(cls, data_dir: Path) -> SqliteFeedSource:
        """Read-only: the feed can never write, whatever a request asks."""
        path = (data_dir / DATABASE_NAME).resolve()
        db = await aiosqlite.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        db.row_factory = sqlite3.Row
        await db.execute("PRAGMA query_only = ON")
        return cls(db)

    async def close(self) -> None:
        await self.db.close()

    async def _rows(self, query: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        async with self.db.execute(query, params) as cursor:
            return list(await cursor.fetchall())

    async def community(self, slug: str) -> Community | None:
        found = await self._rows(f"SELECT {_READ} FROM communities WHERE feed_slug = ? AND feed = 1", (slug,))
        return _community(found[0]) if found else None

    async def community_by_id(self, community: int) -> Community | None:
        found = await self._rows(f"SELECT {_READ} FROM communities WHERE id = ?", (community,))
        return _community(found[0]) if found else None

    async def stamp(self, community: int) -> FeedStamp:
        # A published message is never taken back, but a restored backup can have fewer: count them too.
        found = await self._rows(
            "SELECT COALESCE(MAX(a.id), 0), COUNT(*), MAX(a.created_at) FROM alerts a "
            f"WHERE a.community = ? AND {_SHOWN}",
            (community,),
        )
        newest, count, at = found[0]
        return FeedStamp(newest, count, maybe_from_ts(at))

    async def published(self, community: int, limit: int = MAX_ENTRIES) -> list[Published]:
        rows = await self._rows(_PUBLISHED + " ORDER BY a.id DESC LIMIT ?", (community, min(limit, MAX_ENTRIES)))
        return [_published(r) for r in rows]

    async def one(self, community: int, alert_id: int) -> Published | None:
        rows = await self._rows(_PUBLISHED + " AND a.id = ?", (community, alert_id))
        return _published(rows[0]) if rows else None

    async def incidents(self, community: int, since: datetime) -> list[FeedIncident]:
        latest = await self._rows(_INCIDENTS, (community, ts(since), MAX_ENTRIES))
        if not latest:
            return []
        open_of = {r["id"]: bool(r["open"]) for r in latest}
        marks = ", ".join("?" * len(open_of))
        rows = await self._rows(_PUBLISHED + f" AND a.id IN ({marks}) ORDER BY a.id DESC", (community, *open_of))
        return [FeedIncident(p.message.number, open_of[p.id], p) for p in map(_published, rows)]


def unservable(data_dir: Path) -> str | None:
    """Why the database cannot be served as it is, in words for the operator; None when it can."""
    path = data_dir / DATABASE_NAME
    if not path.exists():
        return f"there is no database at {path}: start `veraz run` once to create it"
    known = len(bundled())
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            found = int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        return f"cannot read the database at {path}: {exc}"
    if found < known:
        return f"the database at {path} has schema version {found}, older than this Veraz's {known}: " \
               "start `veraz run` once to migrate it"  # fmt: skip
    if found > known:
        return f"the database at {path} has schema version {found}, newer than this Veraz's {known}: upgrade Veraz"
    return None


def _published(r: sqlite3.Row) -> Published:
    return Published(r["id"], from_record(json.loads(r["payload"])), r["amends"], maybe_from_ts(r["amends_at"]))


__all__ = ["SqliteFeedSource", "unservable"]
