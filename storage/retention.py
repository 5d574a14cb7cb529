"""Retention: forget what reporters wrote, and who they were, once an incident has been closed long enough.

Report text (where, what, markings), pseudonyms and the marks /forget-me leaves, of incidents closed
more than the community's retention period ago, are set to NULL, and reporter standing untouched for as
long is deleted; incident summaries, counts and the event log (which never held them) stay.
`secure_delete` overwrites the freed bytes, and a TRUNCATE checkpoint empties the WAL, so the text
survives neither in free pages nor in the write-ahead log.

Every community in the database is purged, including one whose server the bot has left. The time of the
last purge is kept in the database, on the wall clock, so the daily purge keeps its day across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import sql
from .database import Database
from .timestamps import maybe_from_ts, ts

PURGE_EVERY = timedelta(days=1)
_LAST_PURGE = "purge"


async def release_forgotten(database: Database, now: datetime) -> int:
    """Drop the pseudonyms /forget-me kept only to enforce the rate limit, once its window has passed."""
    released = 0
    async with database.transaction() as uow:
        for community in await uow.communities.all():
            released += await sql.run(
                uow.db,
                "UPDATE reports SET pseudonym = NULL WHERE community = ? AND purged_at IS NOT NULL "
                "AND pseudonym IS NOT NULL AND received_at < ?",
                (community.id, ts(now - community.report_window)),
            )
        await uow.commit()
    return released


@dataclass(frozen=True, slots=True)
class PurgeResult:
    reports: int
    communities: int
    # (community, incident) whose report text was purged: their queue cards must be redrawn without it.
    incidents: tuple[tuple[int, int], ...] = ()


async def purge(database: Database, now: datetime) -> PurgeResult:
    await release_forgotten(database, now)
    purged = 0
    touched: list[tuple[int, int]] = []
    async with database.transaction() as uow:
        communities = await uow.communities.all()
        for community in communities:
            cutoff = ts(now - community.retention)
            found = await sql.rows(
                uow.db,
                """
                SELECT DISTINCT number FROM reports
                WHERE community = ? AND purged_at IS NULL AND number IN (
                    SELECT number FROM incidents WHERE community = ? AND closed = 1 AND closed_at <= ?)
                """,
                (community.id, community.id, cutoff),
            )
            touched += [(community.id, row[0]) for row in found]
            purged += await sql.run(
                uow.db,
                """
                UPDATE reports
                SET pseudonym = NULL, where_text = NULL, what = NULL, markings = NULL, purged_at = ?
                WHERE community = ? AND purged_at IS NULL AND number IN (
                    SELECT number FROM incidents WHERE community = ? AND closed = 1 AND closed_at <= ?)
                """,
                (ts(now), community.id, community.id, cutoff),
            )
            # The marks /forget-me left (see storage.pseudonyms.report_mark) go with the other reports.
            await sql.run(
                uow.db,
                "UPDATE reports SET mark = NULL WHERE community = ? AND mark IS NOT NULL AND number IN ("
                "SELECT number FROM incidents WHERE community = ? AND closed = 1 AND closed_at <= ?)",
                (community.id, community.id, cutoff),
            )
            # Standing links a pseudonym to "has reported": it goes when the reports it came from would.
            await sql.run(
                uow.db, "DELETE FROM reporter_standing WHERE community = ? AND updated_at <= ?", (community.id, cutoff)
            )
        await sql.run(
            uow.db,
            "INSERT INTO housekeeping (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
            (_LAST_PURGE, ts(now)),
        )
        await uow.commit()
    await database.checkpoint()
    return PurgeResult(purged, len(communities), tuple(touched))


async def last_purge(database: Database) -> datetime | None:
    """When the last retention purge ran (by the bot or `veraz purge`), on the wall clock; None: never."""
    async with database.transaction() as uow:
        return maybe_from_ts(await sql.value(uow.db, "SELECT at FROM housekeeping WHERE name = ?", (_LAST_PURGE,)))


async def purge_due(database: Database, now: datetime, every: timedelta = PURGE_EVERY) -> bool:
    """Whether a purge is due: never run, run `every` ago or longer, or recorded in the future (a clock
    set back must not put the purge off until it catches up)."""
    last = await last_purge(database)
    return last is None or last > now or now - last >= every
