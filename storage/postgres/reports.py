"""Reports (text and pseudonym, purged after retention) and reporters' standing (by pseudonym)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from verification.model import Report
from verification.ports import StoredReport

from ..pseudonyms import report_mark

if TYPE_CHECKING:
    from .transactions import TransactionSource


class PgReports:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def add(self, community: int, number: int, ordinal: int, report: Report) -> int:
        conn = await self._uow.conn(community)
        report_id = await conn.fetchval(
            """
            INSERT INTO reports (community, number, ordinal, pseudonym, where_text, what, markings,
                observed_at, received_at, agency, people, language, low_trust)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
            """,
            community,
            number,
            ordinal,
            report.reporter,
            report.where,
            report.what,
            report.markings,
            report.observed_at,
            report.received_at,
            report.agency.value,
            report.people,
            report.language.value,
            report.low_trust,
        )
        return int(report_id)

    async def reporters(self, community: int, number: int) -> dict[str, int]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT pseudonym, ordinal FROM reports WHERE community = $1 AND number = $2", community, number
        )
        return {r[0]: r[1] for r in found if r[0] is not None}

    async def reported_by(self, community: int, number: int, pseudonyms: Collection[str]) -> set[str]:
        wanted = set(pseudonyms)
        if not wanted:
            return set()
        conn = await self._uow.conn(community)
        found: set[str] = set()
        for r in await conn.fetch(
            "SELECT id, pseudonym, mark FROM reports WHERE community = $1 AND number = $2", community, number
        ):
            if r["pseudonym"] in wanted:
                found.add(r["pseudonym"])
            elif r["mark"] is not None:
                found.update(p for p in wanted if report_mark(r["id"], p) == r["mark"])
        return found

    async def move(self, community: int, source: int, target: int, ordinals: dict[int, int]) -> None:
        conn = await self._uow.conn(community)
        await conn.executemany(
            "UPDATE reports SET number = $1, ordinal = $2 WHERE id = $3 AND community = $4 AND number = $5",
            [(target, ordinal, report_id, community, source) for report_id, ordinal in ordinals.items()],
        )

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        conn = await self._uow.conn(community)
        count = await conn.fetchval(
            "SELECT COUNT(*) FROM reports WHERE community = $1 AND pseudonym = $2 AND received_at >= $3",
            community,
            reporter,
            since,
        )
        return int(count or 0)

    async def recent_counts(self, community: int, reporter: str, since: Sequence[datetime]) -> list[int]:
        conn = await self._uow.conn(community)
        counts = await conn.fetchval(
            "SELECT array_agg((SELECT COUNT(*) FROM reports WHERE community = $1 AND pseudonym = $2 "
            "AND received_at >= s) ORDER BY o) FROM unnest($3::timestamptz[]) WITH ORDINALITY AS w(s, o)",
            community,
            reporter,
            list(since),
        )
        return [int(c) for c in counts or []]

    async def of_incident(self, community: int, number: int) -> list[StoredReport]:
        conn = await self._uow.conn(community)
        rows = await conn.fetch(
            "SELECT id, number, ordinal, where_text, what, markings, observed_at, received_at, low_trust "
            "FROM reports WHERE community = $1 AND number = $2 ORDER BY id",
            community,
            number,
        )
        return [StoredReport(*r) for r in rows]

    async def forget(self, community: int, reporter: str, at: datetime, keep_since: datetime) -> list[int]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT id, number FROM reports WHERE community = $1 AND pseudonym = $2", community, reporter
        )
        await conn.executemany(
            "UPDATE reports SET where_text = NULL, what = NULL, markings = NULL, purged_at = $1, mark = $2, "
            "pseudonym = CASE WHEN received_at >= $3 THEN pseudonym END WHERE id = $4",
            [(at, report_mark(r["id"], reporter), keep_since, r["id"]) for r in found],
        )
        return sorted({r["number"] for r in found})


class PgStanding:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def score(self, community: int, reporter: str) -> int:
        conn = await self._uow.conn(community)
        score = await conn.fetchval(
            "SELECT score FROM reporter_standing WHERE community = $1 AND pseudonym = $2", community, reporter
        )
        return int(score or 0)

    async def forget(self, community: int, reporter: str) -> None:
        conn = await self._uow.conn(community)
        await conn.execute("DELETE FROM reporter_standing WHERE community = $1 AND pseudonym = $2", community, reporter)

    async def credit(self, community: int, reporters: Sequence[str], delta: int, at: datetime) -> None:
        conn = await self._uow.conn(community)
        await conn.executemany(
            "INSERT INTO reporter_standing (community, pseudonym, score, updated_at) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (community, pseudonym) DO UPDATE SET score = reporter_standing.score + excluded.score, "
            "updated_at = excluded.updated_at",
            [(community, r, delta, at) for r in reporters],
        )
