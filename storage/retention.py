"""Retention: forget what reporters wrote, and who they were, once an incident has been closed long enough.

Report text (where, what, markings), pseudonyms and the marks /forget-me leaves, of incidents closed
more than the community's retention period ago, are set to NULL, and reporter standing untouched for as
long is deleted; incident summaries, counts and the event log (which never held them) stay.
`secure_delete` overwrites the freed bytes, and a TRUNCATE checkpoint empties the WAL, so the text
survives neither in free pages nor in the write-ahead log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import sql
from .clock import ts
from .database import Database


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


async def purge(database: Database, now: datetime) -> PurgeResult:
    await release_forgotten(database, now)
    purged = 0
    async with database.transaction() as uow:
        communities = await uow.communities.all()
        for community in communities:
            cutoff = ts(now - community.retention)
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
        await uow.commit()
    await database.checkpoint()
    return PurgeResult(purged, len(communities))
