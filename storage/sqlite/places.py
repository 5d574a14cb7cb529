"""A community's known places."""

from __future__ import annotations

import json
from collections.abc import Sequence

from intake.place.book import PlaceBook
from intake.place.grid import GridPoint
from verification.model import Place, PlaceKind

from . import sql
from .connection import SqliteConnection


class SqlitePlaces:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db
        self._books: dict[tuple[int, int], PlaceBook] = {}  # (community, places stamp) -> its book

    async def book(self, community: int) -> PlaceBook:
        # Every change to places gives the community a new random stamp, so a book is never stale; one
        # built inside a transaction that rolls back sits under a stamp that no longer exists.
        stamp = await sql.value(self.db, "SELECT places_stamp FROM communities WHERE id = ?", (community,))
        key = (community, int(stamp or 0))
        book = self._books.get(key)
        if book is None:
            book = PlaceBook.of(await self.all(community), await self.grid(community))
            if len(self._books) >= 64:
                self._books.clear()
            self._books[key] = book
        return book

    async def all(self, community: int) -> list[Place]:
        rows = await sql.rows(
            self.db,
            "SELECT key, name, area, kind, aliases, address, cross_streets FROM places "
            "WHERE community = ? ORDER BY key",
            (community,),
        )
        return [
            Place(
                r["key"],
                r["name"],
                r["area"],
                PlaceKind(r["kind"]),
                tuple(json.loads(r["aliases"])),
                r["address"],
                tuple(json.loads(r["cross_streets"])),
            )
            for r in rows
        ]

    async def _changed(self, community: int) -> None:
        await sql.run(self.db, "UPDATE communities SET places_stamp = random() WHERE id = ?", (community,))

    async def add(self, community: int, place: Place) -> None:
        await self._changed(community)
        await sql.run(
            self.db,
            "INSERT INTO places (community, key, name, area, kind, aliases, address, cross_streets) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                community,
                place.key,
                place.name,
                place.area,
                place.kind.value,
                json.dumps(list(place.aliases)),
                place.address,
                json.dumps(list(place.cross_streets)),
            ),
        )

    async def remove(self, community: int, key: str) -> bool:
        removed = await sql.run(self.db, "DELETE FROM places WHERE community = ? AND key = ?", (community, key)) > 0
        if removed:
            await self._changed(community)
        return removed

    async def grid(self, community: int) -> list[GridPoint]:
        rows = await sql.rows(
            self.db,
            "SELECT street, number, cross_street FROM street_grid WHERE community = ? ORDER BY street, number",
            (community,),
        )
        return [GridPoint(r["street"], r["number"], r["cross_street"]) for r in rows]

    async def set_grid(self, community: int, points: Sequence[GridPoint]) -> None:
        await self._changed(community)
        await sql.run(self.db, "DELETE FROM street_grid WHERE community = ?", (community,))
        await self.db.executemany(
            "INSERT OR IGNORE INTO street_grid (community, street, number, cross_street) VALUES (?, ?, ?, ?)",
            [(community, p.street, p.number, p.cross_street) for p in points],
        )

    async def areas(self, community: int) -> list[str]:
        return [
            r["area"]
            for r in await sql.rows(
                self.db,
                "SELECT DISTINCT area FROM places WHERE community = ? ORDER BY area COLLATE NOCASE",
                (community,),
            )
        ]
