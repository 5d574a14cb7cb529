"""A community's known places."""

from __future__ import annotations

import json

import aiosqlite

from verification.model import Place, PlaceKind


class SqlitePlaces:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def all(self, community: int) -> list[Place]:
        async with self.db.execute(
            "SELECT key, name, area, kind, aliases FROM places WHERE community = ? ORDER BY key", (community,)
        ) as cur:
            rows = await cur.fetchall()
        return [
            Place(r["key"], r["name"], r["area"], PlaceKind(r["kind"]), tuple(json.loads(r["aliases"]))) for r in rows
        ]

    async def add(self, community: int, place: Place) -> None:
        await self.db.execute(
            "INSERT INTO places (community, key, name, area, kind, aliases) VALUES (?, ?, ?, ?, ?, ?)",
            (community, place.key, place.name, place.area, place.kind.value, json.dumps(list(place.aliases))),
        )

    async def remove(self, community: int, key: str) -> bool:
        cur = await self.db.execute("DELETE FROM places WHERE community = ? AND key = ?", (community, key))
        return cur.rowcount > 0

    async def areas(self, community: int) -> list[str]:
        async with self.db.execute(
            "SELECT DISTINCT area FROM places WHERE community = ? ORDER BY area COLLATE NOCASE", (community,)
        ) as cur:
            return [r["area"] for r in await cur.fetchall()]
