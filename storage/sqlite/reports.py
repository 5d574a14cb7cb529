"""Reports (text and pseudonym, purged after retention) and reporters' standing (by pseudonym)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from verification.model import Report
from verification.ports import StoredReport

from ..pseudonyms import report_mark
from . import sql
from .connection import SqliteConnection
from .timestamps import from_ts, ts


class SqliteReports:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def add(self, community: int, number: int, ordinal: int, report: Report) -> int:
        return await sql.insert(
            self.db,
            """
            INSERT INTO reports (community, number, ordinal, pseudonym, where_text, what, markings,
                observed_at, received_at, agency, people, language, low_trust)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                community,
                number,
                ordinal,
                report.reporter,
                report.where,
                report.what,
                report.markings,
                ts(report.observed_at),
                ts(report.received_at),
                report.agency.value,
                report.people,
                report.language.value,
                int(report.low_trust),
            ),
        )

    async def reporters(self, community: int, number: int) -> dict[str, int]:
        # Filtering purged rows here rather than in SQL keeps the planner on the (community, number) index.
        found = await sql.rows(
            self.db, "SELECT pseudonym, ordinal FROM reports WHERE community = ? AND number = ?", (community, number)
        )
        return {r[0]: r[1] for r in found if r[0] is not None}

    async def reported_by(self, community: int, number: int, pseudonyms: Collection[str]) -> set[str]:
        wanted = set(pseudonyms)
        if not wanted:
            return set()
        found: set[str] = set()
        for r in await sql.rows(
            self.db, "SELECT id, pseudonym, mark FROM reports WHERE community = ? AND number = ?", (community, number)
        ):
            if r["pseudonym"] in wanted:
                found.add(r["pseudonym"])
            elif r["mark"] is not None:
                found.update(p for p in wanted if report_mark(r["id"], p) == r["mark"])
        return found

    async def move(self, community: int, source: int, target: int, ordinals: dict[int, int]) -> None:
        await sql.run_many(
            self.db,
            "UPDATE reports SET number = ?, ordinal = ? WHERE id = ? AND community = ? AND number = ?",
            [(target, ordinal, report_id, community, source) for report_id, ordinal in ordinals.items()],
        )

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        count = await sql.value(
            self.db,
            "SELECT COUNT(*) FROM reports WHERE community = ? AND pseudonym = ? AND received_at >= ?",
            (community, reporter, ts(since)),
        )
        return int(count or 0)

    async def recent_counts(self, community: int, reporter: str, since: Sequence[datetime]) -> list[int]:
        # SQLite is in the process: a query per window costs no round trip.
        return [await self.recent_count(community, reporter, s) for s in since]

    async def of_incident(self, community: int, number: int) -> list[StoredReport]:
        rows = await sql.rows(
            self.db,
            "SELECT id, number, ordinal, where_text, what, markings, observed_at, received_at, low_trust "
            "FROM reports WHERE community = ? AND number = ? ORDER BY id",
            (community, number),
        )
        return [
            StoredReport(
                r["id"],
                r["number"],
                r["ordinal"],
                r["where_text"],
                r["what"],
                r["markings"],
                from_ts(r["observed_at"]),
                from_ts(r["received_at"]),
                bool(r["low_trust"]),
            )
            for r in rows
        ]

    async def forget(self, community: int, reporter: str, at: datetime, keep_since: datetime) -> list[int]:
        found = await sql.rows(
            self.db, "SELECT id, number FROM reports WHERE community = ? AND pseudonym = ?", (community, reporter)
        )
        await sql.run_many(
            self.db,
            "UPDATE reports SET where_text = NULL, what = NULL, markings = NULL, purged_at = ?, mark = ?, "
            "pseudonym = CASE WHEN received_at >= ? THEN pseudonym END WHERE id = ?",
            [(ts(at), report_mark(r["id"], reporter), ts(keep_since), r["id"]) for r in found],
        )
        return sorted({r["number"] for r in found})


class SqliteStanding:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def score(self, community: int, reporter: str) -> int:
        score = await sql.value(
            self.db, "SELECT score FROM reporter_standing WHERE community = ? AND pseudonym = ?", (community, reporter)
        )
        return int(score or 0)

    async def forget(self, community: int, reporter: str) -> None:
        await sql.run(
            self.db, "DELETE FROM reporter_standing WHERE community = ? AND pseudonym = ?", (community, reporter)
        )

    async def credit(self, community: int, reporters: Sequence[str], delta: int, at: datetime) -> None:
        await sql.run_many(
            self.db,
            "INSERT INTO reporter_standing (community, pseudonym, score, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community, pseudonym) DO UPDATE SET score = score + excluded.score, "
            "updated_at = excluded.updated_at",
            [(community, r, delta, ts(at)) for r in reporters],
        )
