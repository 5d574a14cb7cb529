"""Photos (issue 24): signatures, what the card says of a photo, and its queue post. Never the photo."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from verification.model import Status
from verification.photos import (
    CaptureTime,
    EarlierPhoto,
    PhotoFacts,
    PhotoPost,
    PhotoReport,
    Signature,
    StoredPhoto,
    reuse,
)

from . import sql
from .connection import SqliteConnection
from .timestamps import from_ts, ts

_SELECT = """
SELECT p.id, p.report_id, r.ordinal, r.number, p.position, p.received_at, r.observed_at, p.taken_local,
       p.taken_offset, p.camera, p.had_gps, p.removed_at, p.match_number, p.match_sent_at, i.status AS match_status,
       p.queue_channel, p.queue_message
FROM photos p JOIN reports r ON r.id = p.report_id
LEFT JOIN incidents i ON i.community = p.community AND i.number = p.match_number
"""


def _stored(row: sqlite3.Row) -> StoredPhoto:
    taken = None
    if row["taken_local"] is not None:
        taken = CaptureTime(datetime.fromisoformat(row["taken_local"]), row["taken_offset"])
    received = from_ts(row["received_at"])
    reused = None
    if row["match_number"] is not None and row["match_status"] is not None:
        reused = reuse(row["number"], row["match_number"], from_ts(row["match_sent_at"]), received,
                       Status(row["match_status"]))  # fmt: skip
    post = None
    if row["queue_message"] is not None:
        post = (int(row["queue_channel"]), int(row["queue_message"]))
    return StoredPhoto(
        id=row["id"],
        report_id=row["report_id"],
        number=row["number"],
        reporter=row["ordinal"],
        position=row["position"],
        received_at=received,
        observed_at=from_ts(row["observed_at"]),
        taken=taken,
        camera=row["camera"],
        had_gps=bool(row["had_gps"]),
        removed=row["removed_at"] is not None,
        reused=reused,
        post=post,
    )


class SqlitePhotos:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def report(self, community: int, report_id: int) -> PhotoReport | None:
        found = await sql.row(
            self.db, "SELECT number, pseudonym, purged_at, what FROM reports WHERE community = ? AND id = ?",
            (community, report_id),
        )  # fmt: skip
        if found is None:
            return None
        return PhotoReport(found["number"], found["pseudonym"], found["purged_at"] is not None or found["what"] is None)

    async def add(
        self, community: int, report_id: int, position: int, facts: PhotoFacts, at: datetime,
        match: EarlierPhoto | None,
    ) -> int:  # fmt: skip
        taken = facts.taken
        return await sql.insert(
            self.db,
            """
            INSERT INTO photos (community, report_id, position, received_at, signature, taken_local, taken_offset,
                camera, had_gps, match_number, match_sent_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                community, report_id, position, ts(at), facts.signature.to_bytes(),
                taken.local.isoformat(timespec="seconds") if taken else None,
                taken.offset_minutes if taken else None, facts.camera, int(facts.had_gps),
                match.number if match else None, ts(match.received_at) if match else None,
            ),
        )  # fmt: skip

    async def earlier(self, community: int, since: datetime) -> list[EarlierPhoto]:
        found = await sql.rows(
            self.db,
            """
            SELECT p.id, r.number, p.received_at, p.signature FROM photos p JOIN reports r ON r.id = p.report_id
            WHERE p.community = ? AND p.received_at >= ? AND p.signature IS NOT NULL ORDER BY p.id
            """,
            (community, ts(since)),
        )
        return [EarlierPhoto(r[0], r[1], from_ts(r[2]), Signature.from_bytes(r[3])) for r in found]

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        return int(
            await sql.value(
                self.db,
                "SELECT COUNT(*) FROM photos p JOIN reports r ON r.id = p.report_id "
                "WHERE p.community = ? AND r.pseudonym = ? AND p.received_at >= ?",
                (community, reporter, ts(since)),
            )
        )

    async def of_incident(self, community: int, number: int) -> list[StoredPhoto]:
        found = await sql.rows(
            self.db, _SELECT + " WHERE r.community = ? AND r.number = ? ORDER BY p.received_at, p.position, p.id",
            (community, number),
        )  # fmt: skip
        return [_stored(r) for r in found]

    async def get(self, community: int, photo_id: int) -> StoredPhoto | None:
        found = await sql.row(self.db, _SELECT + " WHERE p.community = ? AND p.id = ?", (community, photo_id))
        return None if found is None else _stored(found)

    async def set_post(self, community: int, photo_id: int, channel: int, message: int) -> None:
        await sql.run(
            self.db,
            "UPDATE photos SET queue_channel = ?, queue_message = ?, remove_post = (removed_at IS NOT NULL) "
            "WHERE community = ? AND id = ?",
            (channel, message, community, photo_id),
        )

    async def forget(self, community: int, reporter: str, at: datetime) -> int:
        return await sql.run(
            self.db,
            """
            UPDATE photos SET signature = NULL, taken_local = NULL, taken_offset = NULL, camera = NULL,
                remove_post = (queue_message IS NOT NULL), removed_at = ?
            WHERE community = ? AND removed_at IS NULL
              AND report_id IN (SELECT id FROM reports WHERE community = ? AND pseudonym = ?)
            """,
            (ts(at), community, community, reporter),
        )

    async def posts_to_remove(self, limit: int) -> list[PhotoPost]:
        found = await sql.rows(
            self.db,
            "SELECT id, community, queue_channel, queue_message FROM photos WHERE remove_post = 1 ORDER BY id LIMIT ?",
            (limit,),
        )
        return [PhotoPost(r[0], r[1], r[2], r[3]) for r in found]

    async def post_removed(self, photo_id: int) -> None:
        await sql.run(
            self.db,
            "UPDATE photos SET remove_post = 0, queue_channel = NULL, queue_message = NULL WHERE id = ?",
            (photo_id,),
        )
