"""The public feed's reads (issue 15) on PostgreSQL: a pool of its own whose sessions are read-only.

The rules are storage.sqlite.feed's: values from a request reach SQL only as bound parameters, and the
feed shows exactly the messages published to it (`alerts.feed_at`: the feed is a recipient, issue 23).
`default_transaction_read_only` makes PostgreSQL refuse any write on these connections, whatever a
request asks. A standby serves the feed too: it reads the database the active process writes.
"""

from __future__ import annotations

import json
from datetime import datetime

import asyncpg

from verification.alerts import from_record
from verification.community import Community
from verification.public_feed import MAX_ENTRIES, FeedIncident, FeedStamp, Published

from .communities import READ, community_of

_SHOWN = "a.feed_at IS NOT NULL"

_PUBLISHED = f"""
SELECT a.id, a.payload, a.amends, m.created_at AS amends_at FROM alerts a
LEFT JOIN alerts m ON m.id = a.amends
WHERE a.community = $1 AND {_SHOWN}
"""

_INCIDENTS = f"""
WITH shown AS (SELECT a.id, a.number, a.created_at FROM alerts a WHERE a.community = $1 AND {_SHOWN}),
latest AS (SELECT number, MAX(id) AS id FROM shown GROUP BY number)
SELECT l.id, (i.status = 'confirmed') AS open FROM latest l
JOIN alerts a ON a.id = l.id
LEFT JOIN incidents i ON i.community = $1 AND i.number = l.number
WHERE i.status = 'confirmed' OR a.created_at >= $2
ORDER BY l.id DESC LIMIT $3
"""


class PgFeedSource:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str) -> PgFeedSource:
        settings = {"default_transaction_read_only": "on", "statement_timeout": "5000", "timezone": "UTC",
                    "application_name": "veraz-feed"}  # fmt: skip
        return cls(await asyncpg.create_pool(url, min_size=1, max_size=4, server_settings=settings))

    async def close(self) -> None:
        await self.pool.close()

    async def _rows(self, query: str, *params: object) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(query, *params))

    async def community(self, slug: str) -> Community | None:
        found = await self._rows(f"SELECT {READ} FROM communities WHERE feed_slug = $1 AND feed", slug)
        return community_of(found[0]) if found else None

    async def community_by_id(self, community: int) -> Community | None:
        found = await self._rows(f"SELECT {READ} FROM communities WHERE id = $1", community)
        return community_of(found[0]) if found else None

    async def stamp(self, community: int) -> FeedStamp:
        found = await self._rows(
            "SELECT COALESCE(MAX(a.id), 0), COUNT(*), MAX(a.created_at) FROM alerts a "
            f"WHERE a.community = $1 AND {_SHOWN}",
            community,
        )
        newest, count, at = found[0]
        return FeedStamp(newest, count, at)

    async def published(self, community: int, limit: int = MAX_ENTRIES) -> list[Published]:
        rows = await self._rows(_PUBLISHED + " ORDER BY a.id DESC LIMIT $2", community, min(limit, MAX_ENTRIES))
        return [_published(r) for r in rows]

    async def one(self, community: int, alert_id: int) -> Published | None:
        rows = await self._rows(_PUBLISHED + " AND a.id = $2", community, alert_id)
        return _published(rows[0]) if rows else None

    async def incidents(self, community: int, since: datetime) -> list[FeedIncident]:
        latest = await self._rows(_INCIDENTS, community, since, MAX_ENTRIES)
        if not latest:
            return []
        open_of = {r["id"]: bool(r["open"]) for r in latest}
        rows = await self._rows(
            _PUBLISHED + " AND a.id = ANY($2::bigint[]) ORDER BY a.id DESC", community, list(open_of)
        )
        return [FeedIncident(p.message.number, open_of[p.id], p) for p in map(_published, rows)]


def _published(r: asyncpg.Record) -> Published:
    return Published(r["id"], from_record(json.loads(r["payload"])), r["amends"], r["amends_at"])


__all__ = ["PgFeedSource"]
