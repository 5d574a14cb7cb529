"""Retention on PostgreSQL: what storage.sqlite.retention forgets, forgotten by the same rules.

PostgreSQL never overwrites a row in place: an UPDATE or DELETE leaves the old version (a dead tuple,
with the text it held) in the table's pages. A plain VACUUM marks that space free but leaves its bytes
(tests/storage/test_postgres_guarantees.py found purged text in the file after one), so a purge that
changed anything ends with VACUUM FULL of the tables it touched, which writes them anew and deletes the
old files; /forget-me's checkpoint does the same for `reports`. It locks each table while it copies it
(seconds for a large network, once a day). What VACUUM cannot reach: the write-ahead log and its
archive, replicas' WAL, base backups and pg_dump files keep the text until they are rotated away, and
the filesystem may keep the deleted files' blocks (docs/SECURITY.md says where, and for how long).

Each community is purged under its lock (storage.postgres.unit_of_work), in id order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from verification.photos import SIGNATURE_KEPT

from ..sqlite.retention import PURGE_EVERY, PurgeResult
from .database import PostgresDatabase
from .transactions import Connection, lock_community

_LAST_PURGE = "purge"
VACUUMED = ("reports", "reporter_standing", "role_ledger", "photos")
# The photos of purged reports (issue 24): what the card said of them goes with the report's text, and
# their queue posts are due for deletion. The signature stays its own time (SIGNATURE_KEPT).
_PURGE_PHOTOS = """
UPDATE photos SET taken_local = NULL, taken_offset = NULL, camera = NULL, removed_at = $3,
    remove_post = (queue_message IS NOT NULL)
WHERE community = $1 AND removed_at IS NULL AND report_id IN (
    SELECT id FROM reports WHERE community = $1 AND number IN (
        SELECT number FROM incidents WHERE community = $1 AND closed AND closed_at <= $2))
"""

_FORGET_LEDGER = """
DELETE FROM role_ledger AS l
WHERE l.community = $1 AND l.removed_at IS NOT NULL AND l.removed_at <= $2
  AND NOT EXISTS (
    SELECT 1 FROM deliveries d
    JOIN incidents i ON i.community = d.community AND i.number = d.number
    WHERE d.community = l.community AND d.recipient_kind = 'role_post' AND d.kind = 'alert'
      AND l.role_id = ANY(d.roles) AND l.granted_at <= d.updated_at AND l.removed_at >= d.created_at
      AND (NOT i.closed OR i.closed_at > $2))
"""

_CLOSED_BEFORE = "SELECT number FROM incidents WHERE community = $1 AND closed AND closed_at <= $2"


async def _communities(conn: Connection) -> list[tuple[int, int, int]]:
    """(id, retention days, report window minutes) of every community, in id order."""
    rows = await conn.fetch("SELECT id, retention_days, report_window_minutes FROM communities ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


async def release_forgotten(database: PostgresDatabase, now: datetime) -> int:
    """Drop the pseudonyms /forget-me kept only to enforce the rate limit, once its window has passed."""
    released = 0
    async with database.connection() as conn:
        for community, _, window in await _communities(conn):
            await lock_community(conn, community)
            done = await conn.execute(
                "UPDATE reports SET pseudonym = NULL WHERE community = $1 AND purged_at IS NOT NULL "
                "AND pseudonym IS NOT NULL AND received_at < $2",
                community,
                now - timedelta(minutes=window),
            )
            released += int(done.split()[-1])
    if released:
        await database.vacuum(("reports",))
    return released


async def purge(database: PostgresDatabase, now: datetime) -> PurgeResult:
    await release_forgotten(database, now)
    purged = changed = photos = 0
    touched: list[tuple[int, int]] = []
    async with database.connection() as conn:
        communities = await _communities(conn)
        for community, days, _ in communities:
            await lock_community(conn, community)
            cutoff = now - timedelta(days=days)
            found = await conn.fetch(
                f"SELECT DISTINCT number FROM reports WHERE community = $1 AND purged_at IS NULL "
                f"AND number IN ({_CLOSED_BEFORE}) ORDER BY number",
                community,
                cutoff,
            )
            touched += [(community, row[0]) for row in found]
            done = await conn.execute(
                "UPDATE reports SET pseudonym = NULL, where_text = NULL, what = NULL, markings = NULL, purged_at = $3 "
                f"WHERE community = $1 AND purged_at IS NULL AND number IN ({_CLOSED_BEFORE})",
                community,
                cutoff,
                now,
            )
            purged += int(done.split()[-1])
            for done in (
                await conn.execute(
                    "UPDATE reports SET mark = NULL WHERE community = $1 AND mark IS NOT NULL "
                    f"AND number IN ({_CLOSED_BEFORE})",
                    community,
                    cutoff,
                ),
                await conn.execute(
                    "DELETE FROM reporter_standing WHERE community = $1 AND updated_at <= $2", community, cutoff
                ),
                await conn.execute(_FORGET_LEDGER, community, cutoff),
            ):
                changed += int(done.split()[-1])
            photos += int((await conn.execute(_PURGE_PHOTOS, community, cutoff, now)).split()[-1])
        done = await conn.execute(
            "UPDATE photos SET signature = NULL WHERE signature IS NOT NULL AND received_at <= $1",
            now - SIGNATURE_KEPT,
        )
        changed += int(done.split()[-1])
        await conn.execute(
            "INSERT INTO housekeeping (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
            _LAST_PURGE,
            now,
        )
    if purged or changed or photos:
        await database.vacuum(VACUUMED)
    return PurgeResult(purged, len(communities), tuple(touched), photos)


async def last_purge(database: PostgresDatabase) -> datetime | None:
    rows = await database.fetch("SELECT at FROM housekeeping WHERE name = $1", _LAST_PURGE)
    return rows[0][0] if rows else None


async def purge_due(database: PostgresDatabase, now: datetime, every: timedelta = PURGE_EVERY) -> bool:
    last = await last_purge(database)
    return last is None or last > now or now - last >= every
