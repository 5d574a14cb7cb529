"""Retention: forget what reporters wrote, and who they were, once an incident has been closed long enough.

Report text (where, what, markings), pseudonyms and the marks /forget-me leaves, of incidents closed
more than the community's retention period ago, are set to NULL, and reporter standing untouched for as
long is deleted; incident summaries, counts and the event log (which never held them) stay.

The role ledger (who held which area's role from when to when, and their DM channel id) is what a
CORRECTION or RETRACTION uses to reach, by DM, whoever held a pinged role when an alert post went out and
has left it since (storage.area_roles). A row of a role still held is current state and stays. A row of a
role given up before the retention period is deleted unless a correction could still need it: its holder
had the role when a role post mentioning it was queued or sent, and that post's incident is open, or
closed for less than the retention period (a moderator may still reopen and correct it). A correction of
an incident reopened after that reaches the role's current holders by the reply post, and former holders
only if they are earlier DM recipients. Subscribers' own DM channel ids go with their subscriber row when
they unsubscribe from everything (storage.subscriptions).
`secure_delete` overwrites the freed bytes, and a TRUNCATE checkpoint empties the WAL, so the text
survives neither in free pages nor in the write-ahead log.

Photos (issue 24) of purged reports lose their capture time and camera, and their posts in the queue
channel become due for deletion from Discord (the bot's photos feature deletes them); a photo's signature
is kept `verification.photos.SIGNATURE_KEPT` from when it was sent, then set to NULL (docs/SECURITY.md).

Every community in the database is purged, including one whose server the bot has left. The time of the
last purge is kept in the database, on the wall clock, so the daily purge keeps its day across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from verification.photos import SIGNATURE_KEPT

from . import sql
from .database import Database
from .timestamps import maybe_from_ts, ts

PURGE_EVERY = timedelta(days=1)

# Grants ended before the cutoff, unless a role post that may still be corrected went out while they held
# it (the same window storage.area_roles reads): its incident open, or closed after the cutoff.
_FORGET_LEDGER = """
DELETE FROM role_ledger AS l
WHERE l.community = ?1 AND l.removed_at IS NOT NULL AND l.removed_at <= ?2
  AND NOT EXISTS (
    SELECT 1 FROM deliveries d JOIN json_each(d.roles) j
    JOIN incidents i ON i.community = d.community AND i.number = d.number
    WHERE d.community = l.community AND d.recipient_kind = 'role_post' AND d.kind = 'alert'
      AND j.value = l.role_id AND l.granted_at <= d.updated_at AND l.removed_at >= d.created_at
      AND (i.closed = 0 OR i.closed_at > ?2))
"""
_LAST_PURGE = "purge"
# The photos of purged reports: what the card said of them goes with the report's text, and their queue
# posts are due for deletion. The signature stays its own time (below).
_PURGE_PHOTOS = """
UPDATE photos SET taken_local = NULL, taken_offset = NULL, camera = NULL, removed_at = ?1,
    remove_post = (queue_message IS NOT NULL)
WHERE community = ?2 AND removed_at IS NULL AND report_id IN (
    SELECT id FROM reports WHERE community = ?2 AND number IN (
        SELECT number FROM incidents WHERE community = ?2 AND closed = 1 AND closed_at <= ?3))
"""


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
    photos: int = 0  # photos removed: their queue posts are due for deletion from Discord (the photos feature)


async def purge(database: Database, now: datetime) -> PurgeResult:
    await release_forgotten(database, now)
    purged = photos = 0
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
            await sql.run(uow.db, _FORGET_LEDGER, (community.id, cutoff))
            photos += await sql.run(uow.db, _PURGE_PHOTOS, (ts(now), community.id, cutoff))
        # A photo's signature is kept SIGNATURE_KEPT from when it was sent, whatever became of its report.
        await sql.run(
            uow.db, "UPDATE photos SET signature = NULL WHERE signature IS NOT NULL AND received_at <= ?",
            (ts(now - SIGNATURE_KEPT),),
        )  # fmt: skip
        await sql.run(
            uow.db,
            "INSERT INTO housekeeping (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
            (_LAST_PURGE, ts(now)),
        )
        await uow.commit()
    await database.checkpoint()
    return PurgeResult(purged, len(communities), tuple(touched), photos)


async def last_purge(database: Database) -> datetime | None:
    """When the last retention purge ran (by the bot or `veraz purge`), on the wall clock; None: never."""
    async with database.transaction() as uow:
        return maybe_from_ts(await sql.value(uow.db, "SELECT at FROM housekeeping WHERE name = ?", (_LAST_PURGE,)))


async def purge_due(database: Database, now: datetime, every: timedelta = PURGE_EVERY) -> bool:
    """Whether a purge is due: never run, run `every` ago or longer, or recorded in the future (a clock
    set back must not put the purge off until it catches up)."""
    last = await last_purge(database)
    return last is None or last > now or now - last >= every
