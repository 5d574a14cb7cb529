"""A community's known places."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from intake.place.book import PlaceBook
from intake.place.grid import GridPoint
from verification.model import Place, PlaceKind

if TYPE_CHECKING:
    from .transactions import TransactionSource


class PgPlaces:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow
        self._books: dict[tuple[int, int], PlaceBook] = {}  # (community, places stamp) -> its book

    async def book(self, community: int) -> PlaceBook:
        # Every change to places gives the community a new random stamp, so a book is never stale; one
        # built inside a transaction that rolls back sits under a stamp that no longer exists.
        conn = await self._uow.conn(community)
        stamp = self._uow.tx().stamps.get(community)  # read with the community, in this transaction
        if stamp is None:
            stamp = int(await conn.fetchval("SELECT places_stamp FROM communities WHERE id = $1", community) or 0)
        key = (community, stamp)
        book = self._books.get(key)
        if book is None:
            book = PlaceBook.of(await self.all(community), await self.grid(community))
            if len(self._books) >= 64:
                self._books.clear()
            self._books[key] = book
        return book

    async def all(self, community: int) -> list[Place]:
        conn = await self._uow.conn(community)
        rows = await conn.fetch(
            "SELECT key, name, area, kind, aliases, address, cross_streets FROM places "
            'WHERE community = $1 ORDER BY key COLLATE "C"',
            community,
        )
        return [
            Place(
                r["key"], r["name"], r["area"], PlaceKind(r["kind"]), tuple(r["aliases"]), r["address"],
                tuple(r["cross_streets"]),
            )
            for r in rows
        ]  # fmt: skip

    async def _changed(self, community: int) -> None:
        self._uow.tx().stamps.pop(community, None)
        conn = await self._uow.conn(community)
        await conn.execute(
            "UPDATE communities SET places_stamp = floor(random() * 9007199254740991)::bigint WHERE id = $1", community
        )

    async def add(self, community: int, place: Place) -> None:
        await self._changed(community)
        conn = await self._uow.conn(community)
        await conn.execute(
            "INSERT INTO places (community, key, name, area, kind, aliases, address, cross_streets) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            community,
            place.key,
            place.name,
            place.area,
            place.kind.value,
            list(place.aliases),
            place.address,
            list(place.cross_streets),
        )

    async def remove(self, community: int, key: str) -> bool:
        conn = await self._uow.conn(community)
        removed = await conn.fetchval(
            "WITH gone AS (DELETE FROM places WHERE community = $1 AND key = $2 RETURNING 1) SELECT count(*) FROM gone",
            community,
            key,
        )
        if removed:
            await self._changed(community)
        return bool(removed)

    async def grid(self, community: int) -> list[GridPoint]:
        conn = await self._uow.conn(community)
        rows = await conn.fetch(
            "SELECT street, number, cross_street FROM street_grid WHERE community = $1 "
            'ORDER BY street COLLATE "C", number, cross_street COLLATE "C"',
            community,
        )
        return [GridPoint(r["street"], r["number"], r["cross_street"]) for r in rows]

    async def set_grid(self, community: int, points: Sequence[GridPoint]) -> None:
        await self._changed(community)
        conn = await self._uow.conn(community)
        await conn.execute("DELETE FROM street_grid WHERE community = $1", community)
        await conn.executemany(
            "INSERT INTO street_grid (community, street, number, cross_street) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            [(community, p.street, p.number, p.cross_street) for p in points],
        )

    async def areas(self, community: int) -> list[str]:
        # SQLite's NOCASE folds ASCII letters only: lower() in the C collation does the same.
        conn = await self._uow.conn(community)
        rows = await conn.fetch(
            "SELECT area FROM (SELECT DISTINCT area FROM places WHERE community = $1) a "
            'ORDER BY lower(area COLLATE "C"), area COLLATE "C"',
            community,
        )
        return [r["area"] for r in rows]
