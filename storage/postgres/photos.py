"""Photos (issue 24) on PostgreSQL: the same contract as storage/sqlite/photos.py."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .transactions import TransactionSource

_SELECT = """
SELECT p.id, p.report_id, r.ordinal, r.number, p.position, p.received_at, r.observed_at, p.taken_local,
       p.taken_offset, p.camera, p.had_gps, p.removed_at, p.match_number, p.match_sent_at, i.status AS match_status,
       p.queue_channel, p.queue_message
FROM photos p JOIN reports r ON r.id = p.report_id
LEFT JOIN incidents i ON i.community = p.community AND i.number = p.match_number
"""


def _stored(row: Any) -> StoredPhoto:
    taken = CaptureTime(row["taken_local"], row["taken_offset"]) if row["taken_local"] is not None else None
    reused = None
    if row["match_number"] is not None and row["match_status"] is not None:
        reused = reuse(row["number"], row["match_number"], row["match_sent_at"], row["received_at"],
                       Status(row["match_status"]))  # fmt: skip
    post = (int(row["queue_channel"]), int(row["queue_message"])) if row["queue_message"] is not None else None
    return StoredPhoto(
        id=row["id"],
        report_id=row["report_id"],
        number=row["number"],
        reporter=row["ordinal"],
        position=row["position"],
        received_at=row["received_at"],
        observed_at=row["observed_at"],
        taken=taken,
        camera=row["camera"],
        had_gps=row["had_gps"],
        removed=row["removed_at"] is not None,
        reused=reused,
        post=post,
    )


class PgPhotos:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def report(self, community: int, report_id: int) -> PhotoReport | None:
        conn = await self._uow.conn(community)
        found = await conn.fetchrow(
            "SELECT number, pseudonym, purged_at, what FROM reports WHERE community = $1 AND id = $2",
            community, report_id,
        )  # fmt: skip
        if found is None:
            return None
        return PhotoReport(found["number"], found["pseudonym"], found["purged_at"] is not None or found["what"] is None)

    async def add(
        self, community: int, report_id: int, position: int, facts: PhotoFacts, at: datetime,
        match: EarlierPhoto | None,
    ) -> int:  # fmt: skip
        conn = await self._uow.conn(community)
        taken = facts.taken
        photo_id = await conn.fetchval(
            """
            INSERT INTO photos (community, report_id, position, received_at, signature, taken_local, taken_offset,
                camera, had_gps, match_number, match_sent_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """,
            community, report_id, position, at, facts.signature.to_bytes(),
            taken.local if taken else None, taken.offset_minutes if taken else None, facts.camera, facts.had_gps,
            match.number if match else None, match.received_at if match else None,
        )  # fmt: skip
        return int(photo_id)

    async def earlier(self, community: int, since: datetime) -> list[EarlierPhoto]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            """
            SELECT p.id, r.number, p.received_at, p.signature FROM photos p JOIN reports r ON r.id = p.report_id
            WHERE p.community = $1 AND p.received_at >= $2 AND p.signature IS NOT NULL ORDER BY p.id
            """,
            community, since,
        )  # fmt: skip
        return [EarlierPhoto(r[0], r[1], r[2], Signature.from_bytes(bytes(r[3]))) for r in found]

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        conn = await self._uow.conn(community)
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM photos p JOIN reports r ON r.id = p.report_id "
                "WHERE p.community = $1 AND r.pseudonym = $2 AND p.received_at >= $3",
                community,
                reporter,
                since,
            )
        )

    async def of_incident(self, community: int, number: int) -> list[StoredPhoto]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            _SELECT + " WHERE r.community = $1 AND r.number = $2 ORDER BY p.received_at, p.position, p.id",
            community, number,
        )  # fmt: skip
        return [_stored(r) for r in found]

    async def get(self, community: int, photo_id: int) -> StoredPhoto | None:
        conn = await self._uow.conn(community)
        found = await conn.fetchrow(_SELECT + " WHERE p.community = $1 AND p.id = $2", community, photo_id)
        return None if found is None else _stored(found)

    async def set_post(self, community: int, photo_id: int, channel: int, message: int) -> None:
        conn = await self._uow.conn(community)
        await conn.execute(
            "UPDATE photos SET queue_channel = $1, queue_message = $2, remove_post = (removed_at IS NOT NULL) "
            "WHERE community = $3 AND id = $4",
            channel, message, community, photo_id,
        )  # fmt: skip

    async def forget(self, community: int, reporter: str, at: datetime) -> int:
        conn = await self._uow.conn(community)
        done = await conn.execute(
            """
            UPDATE photos SET signature = NULL, taken_local = NULL, taken_offset = NULL, camera = NULL,
                remove_post = (queue_message IS NOT NULL), removed_at = $1
            WHERE community = $2 AND removed_at IS NULL
              AND report_id IN (SELECT id FROM reports WHERE community = $2 AND pseudonym = $3)
            """,
            at, community, reporter,
        )  # fmt: skip
        return int(done.split()[-1])

    async def posts_to_remove(self, limit: int) -> list[PhotoPost]:
        conn = await self._uow.conn()
        found = await conn.fetch(
            "SELECT id, community, queue_channel, queue_message FROM photos WHERE remove_post ORDER BY id LIMIT $1",
            limit,
        )
        return [PhotoPost(r[0], r[1], r[2], r[3]) for r in found]

    async def post_removed(self, photo_id: int) -> None:
        conn = await self._uow.conn()
        await conn.execute(
            "UPDATE photos SET remove_post = false, queue_channel = NULL, queue_message = NULL WHERE id = $1",
            photo_id,
        )
