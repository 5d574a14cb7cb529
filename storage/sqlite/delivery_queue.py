"""The delivery worker's side of the outbox: claim due rows, then record what happened to each.

Each step is its own short transaction on the shared connection, so the worker never holds the
database while it waits on Discord.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from verification.alerts import AlertKind, from_record
from verification.community import Recipient, RecipientKind
from verification.deliveries import OUTAGE
from verification.fair_share import Due, Stream, fair_claim, rank, read_sizes
from verification.model import Language
from verification.ports import ClaimedDelivery

from . import sql
from .connection import SqliteConnection
from .database import Database
from .outbox import nonce_for, recipient_of
from .timestamps import maybe_from_ts, ts

# An amendment whose ALERT will never arrive is owed to nobody: it is cancelled, and the log says why.
# One whose ALERT gave up after an attempt that may have arrived is still owed.
_CANCEL_DEPENDENTS = """
UPDATE deliveries SET state = 'cancelled', error = 'alert_not_delivered', updated_at = ?1
WHERE depends_on = ?2 AND state = 'queued' AND (SELECT in_doubt FROM deliveries WHERE id = ?2) = 0
"""

# Ready: its recipient's ALERT (if it amends one) is sent or may have arrived, and no earlier message of
# the same incident to the same recipient is unsettled, so nobody reads a RETRACTION before the
# CORRECTION queued ahead of it (a batch is sent concurrently, and a retry can fall behind).
_READY = """
(d.depends_on IS NULL OR dep.state = 'sent' OR (dep.state = 'failed' AND dep.in_doubt = 1))
AND NOT EXISTS (
    SELECT 1 FROM deliveries e
    WHERE e.community = d.community AND e.number = d.number AND e.recipient_kind = d.recipient_kind
      AND e.recipient = d.recipient AND e.id < d.id AND e.state IN ('queued', 'sending'))
"""

# The claim is the fair rule of verification/fair_share.py; SQL finds what the rule needs without reading
# the backlog. The alerts in progress: one seek each in the partial index deliveries_queued (migration
# 0009), skipping from one alert to the next, with their turns and their communities' turns.
_ACTIVE = """
WITH RECURSIVE active(alert_id) AS (
    SELECT (SELECT MIN(alert_id) FROM deliveries INDEXED BY deliveries_queued WHERE state = 'queued')
    UNION ALL
    SELECT (SELECT MIN(alert_id) FROM deliveries INDEXED BY deliveries_queued
            WHERE state = 'queued' AND alert_id > active.alert_id)
    FROM active WHERE active.alert_id IS NOT NULL
)
SELECT a.id, a.community, a.turn,
       (SELECT MAX(c.turn) FROM alerts c WHERE c.community = a.community) AS community_turn
FROM active JOIN alerts a ON a.id = active.alert_id
"""

# One alert's claimable rows in claim order (posts before DMs at each priority), as many as asked: the
# walk in deliveries_queued stops once it has them (rows not ready or not due are stepped over).
_CLAIMABLE = f"""
SELECT d.id, d.priority, d.recipient_kind = 'dm' AS dm
FROM deliveries d INDEXED BY deliveries_queued
LEFT JOIN deliveries dep ON dep.id = d.depends_on
WHERE d.state = 'queued' AND d.alert_id = ? AND d.next_attempt_at <= ? AND {_READY}
ORDER BY d.priority, d.recipient_kind = 'dm', d.id
LIMIT ?
"""

# What the worker needs of a claimed row.
_CLAIMED = """
SELECT d.*, a.payload,
       COALESCE(s.dm_channel, (SELECT l.dm_channel FROM role_ledger l WHERE d.recipient_kind = 'dm'
                               AND l.community = d.community AND l.user_id = d.recipient
                               AND l.dm_channel IS NOT NULL ORDER BY l.id DESC LIMIT 1)) AS dm_channel,
       dep.channel_id AS amends_channel, dep.message_id AS amends_message,
       da.payload AS amends_payload
FROM deliveries d
JOIN alerts a ON a.id = d.alert_id
LEFT JOIN subscribers s ON d.recipient_kind = 'dm' AND s.community = d.community AND s.user_id = d.recipient
LEFT JOIN deliveries dep ON dep.id = d.depends_on
LEFT JOIN alerts da ON da.id = dep.alert_id
WHERE d.id IN (SELECT value FROM json_each(?))
"""


# Deliveries waiting out a backoff because Discord did not answer, in a send or in a look in DM history
# (check_failed's prefix): they fall due when it answers again. A 429's or a closed DM's wait is not one.
_RESUME = """
UPDATE deliveries SET next_attempt_at = ?1, updated_at = ?1
WHERE state = 'queued' AND next_attempt_at > ?1 AND (error LIKE ?2 OR error LIKE ?3)
"""
OUTAGE_PATTERNS = (OUTAGE + "%", "history check: " + OUTAGE + "%")

# The subscribers a role post was to reach: whoever the ledger has holding one of its roles, or had when it
# was queued (a role an admin deleted since is forgotten, its grants closed), and who is still a reachable
# subscriber; each in their language.
_ROLE_HOLDERS = """
SELECT DISTINCT l.user_id, b.language FROM deliveries d
JOIN json_each(d.roles) j
JOIN role_ledger l ON l.community = d.community AND l.role_id = j.value
JOIN subscribers b ON b.community = d.community AND b.user_id = l.user_id
WHERE d.id = ? AND d.recipient_kind = 'role_post' AND b.unreachable_at IS NULL
  AND (l.removed_at IS NULL OR l.removed_at >= d.created_at)
ORDER BY l.user_id
"""


class SqliteDeliveryQueue:
    """The worker's side: claim due rows, record what happened. Shares the database's lock."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        """Put 'sending' rows back in the queue, in doubt. At start every such row is left over from a
        crash; later, only rows stuck longer than any send takes."""
        before = ts(claimed_before or now)
        async with self.database.transaction() as uow:
            count = await sql.run(
                uow.db,
                "UPDATE deliveries SET state = 'queued', in_doubt = 1, next_attempt_at = ?, updated_at = ? "
                "WHERE state = 'sending' AND claimed_at <= ?",
                (ts(now), ts(now), before),
            )
            await uow.commit()
        return count

    async def claim(self, now: datetime, limit: int) -> list[ClaimedDelivery]:
        """The next `limit` claimable deliveries under the fair rule (verification.fair_share), marked
        'sending', and the turns of the alerts served moved on, in one transaction."""
        async with self.database.transaction() as uow:
            rows = await claim_rows(uow.db, now, limit)
            await uow.commit()
        return [
            ClaimedDelivery(
                id=r["id"],
                community=r["community"],
                kind=AlertKind(r["kind"]),
                message=from_record(json.loads(r["payload"])),
                recipient=recipient_of(r),
                nonce=r["nonce"],
                attempts=r["attempts"] + 1,
                dm_channel=r["dm_channel"],
                in_doubt_since=maybe_from_ts(r["first_claimed_at"]) if r["in_doubt"] else None,
                amends=(r["amends_channel"], r["amends_message"]) if r["amends_message"] else None,
                amended_alert=from_record(json.loads(r["amends_payload"])) if r["amends_payload"] else None,
                checks=r["checks"],
            )
            for r in rows
        ]

    async def sent(self, delivery: int, channel_id: int, message_id: int, now: datetime) -> None:
        await self._settle(
            "UPDATE deliveries SET state = 'sent', in_doubt = 0, channel_id = ?, message_id = ?, error = NULL, "
            "updated_at = ? WHERE id = ?",
            (channel_id, message_id, ts(now), delivery),
        )

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        async with self.database.transaction() as uow:
            await sql.run(
                uow.db,
                "UPDATE deliveries SET state = 'failed', in_doubt = MAX(in_doubt, ?), error = ?, updated_at = ? "
                "WHERE id = ?",
                (int(in_doubt), error[:500], ts(now), delivery),
            )
            await sql.run(uow.db, _CANCEL_DEPENDENTS, (ts(now), delivery))
            await uow.commit()

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        # An attempt Discord answered with an error surely did not arrive, but that says nothing of an
        # earlier attempt that timed out: a doubt, once raised, stays until the delivery is known sent.
        await self._settle(
            "UPDATE deliveries SET state = 'queued', in_doubt = MAX(in_doubt, ?), error = ?, next_attempt_at = ?, "
            "updated_at = ? WHERE id = ?",
            (int(in_doubt), error[:500], ts(at), ts(now), delivery),
        )

    async def check_failed(self, delivery: int, error: str, at: datetime, now: datetime) -> None:
        # Sending now could make a second copy; so the row waits, in doubt, for the next look. The claim
        # counted a send attempt that never happened: it is given back, and the failed look counted.
        await self._settle(
            "UPDATE deliveries SET state = 'queued', in_doubt = 1, attempts = MAX(attempts - 1, 0), "
            "checks = checks + 1, error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
            (f"history check: {error}"[:500], ts(at), ts(now), delivery),
        )

    async def postpone(self, delivery: int, error: str, now: datetime) -> None:
        # Not tried: due as it was and in doubt as it was; the attempt the claim counted is given back.
        await self._settle(
            "UPDATE deliveries SET state = 'queued', attempts = MAX(attempts - 1, 0), error = ?, updated_at = ? "
            "WHERE id = ? AND state = 'sending'",
            (error[:500], ts(now), delivery),
        )

    async def resume_after_outage(self, now: datetime) -> int:
        async with self.database.transaction() as uow:
            count = await sql.run(uow.db, _RESUME, (ts(now), *OUTAGE_PATTERNS))
            await uow.commit()
        return count

    async def role_post_unusable(self, delivery: int, error: str, now: datetime, channel: int | None = None) -> int:
        """The role post could ping nobody (a role is gone, or Veraz may not mention its roles): it fails,
        and the holders of its roles get the message by DM instead, in one transaction, each once (the
        outbox's one row per message and recipient). `channel`: the post it replaced in the community's
        language is owed there again, without mentions. Returns the DMs queued."""
        async with self.database.transaction() as uow:
            alert_id = await sql.value(
                uow.db, "SELECT alert_id FROM deliveries WHERE id = ? AND state = 'sending'", (delivery,)
            )
            if alert_id is None:
                return 0
            holders = [Recipient(RecipientKind.DM, r[0], Language(r[1])) for r in await sql.rows(
                uow.db, _ROLE_HOLDERS, (delivery,))]  # fmt: skip
            before = await sql.value(uow.db, "SELECT COUNT(*) FROM deliveries WHERE alert_id = ?", (alert_id,))
            await sql.run_many(
                uow.db,
                "INSERT OR IGNORE INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, "
                "language, priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at) "
                "SELECT alert_id, community, number, kind, 'dm', ?, ?, priority, depends_on, 'queued', ?, ?, ?, ? "
                "FROM deliveries WHERE id = ?",
                [
                    (h.address, h.language.value, ts(now), nonce_for(alert_id, h), ts(now), ts(now), delivery)
                    for h in holders
                ],
            )
            after = await sql.value(uow.db, "SELECT COUNT(*) FROM deliveries WHERE alert_id = ?", (alert_id,))
            if channel is not None:
                await sql.run(
                    uow.db,
                    "INSERT OR IGNORE INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, "
                    "language, priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at) "
                    "SELECT alert_id, community, number, kind, 'channel', ?1, language, priority, depends_on, "
                    "'queued', ?2, ?3, ?2, ?2 FROM deliveries WHERE id = ?4",
                    (channel, ts(now), nonce_for(alert_id, Recipient(RecipientKind.CHANNEL, channel, Language.EN)),
                     delivery),
                )  # fmt: skip
            await sql.run(
                uow.db,
                "UPDATE deliveries SET state = 'failed', in_doubt = 0, error = ?, updated_at = ? WHERE id = ?",
                (error[:500], ts(now), delivery),
            )
            await sql.run(uow.db, _CANCEL_DEPENDENTS, (ts(now), delivery))
            await uow.commit()
        return int(after or 0) - int(before or 0)

    async def remember_dm_channel(self, community: int, user: int, channel: int) -> None:
        # Kept on the role ledger too: someone who leaves a role is owed corrections by DM without being a
        # subscriber any more, and opening a DM channel then would wait on Discord's tight limit for it.
        async with self.database.transaction() as uow:
            args = (channel, community, user)
            await sql.run(uow.db, "UPDATE subscribers SET dm_channel = ? WHERE community = ? AND user_id = ?", args)
            await sql.run(uow.db, "UPDATE role_ledger SET dm_channel = ? WHERE community = ? AND user_id = ?", args)
            await uow.commit()

    async def forget_dm_channel(self, community: int, user: int) -> None:
        async with self.database.transaction() as uow:
            args = (community, user)
            await sql.run(uow.db, "UPDATE subscribers SET dm_channel = NULL WHERE community = ? AND user_id = ?", args)
            await sql.run(uow.db, "UPDATE role_ledger SET dm_channel = NULL WHERE community = ? AND user_id = ?", args)
            await uow.commit()

    async def unreachable(self, community: int, user: int, now: datetime) -> None:
        await self._settle(
            "UPDATE subscribers SET unreachable_at = ?, failures = failures + 1 WHERE community = ? AND user_id = ?",
            (ts(now), community, user),
        )

    async def next_due(self) -> datetime | None:
        """When the next claimable delivery falls due (one waiting on its alert, or on an earlier message to
        the same recipient, is not claimable: it becomes so when that one settles)."""
        async with self.database.transaction() as uow:
            due = await sql.value(
                uow.db,
                "SELECT MIN(d.next_attempt_at) FROM deliveries d LEFT JOIN deliveries dep ON dep.id = d.depends_on "
                f"WHERE d.state = 'queued' AND {_READY}",
            )
        return maybe_from_ts(due)

    async def _settle(self, statement: str, args: tuple[object, ...]) -> None:
        async with self.database.transaction() as uow:
            await sql.run(uow.db, statement, args)
            await uow.commit()


async def claim_rows(db: SqliteConnection, now: datetime, limit: int) -> list[sqlite3.Row]:
    """The claim's work inside the caller's transaction: pick, read what the worker needs, mark 'sending'."""
    ids = await fair_ids(db, ts(now), limit)
    found = {r["id"]: r for r in await sql.rows(db, _CLAIMED, (json.dumps(ids),))}
    rows = [found[i] for i in ids]
    await sql.run_many(
        db,
        "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = ?1, "
        "first_claimed_at = COALESCE(first_claimed_at, ?1), updated_at = ?1 WHERE id = ?2",
        [(ts(now), i) for i in ids],
    )
    return rows


async def fair_ids(db: SqliteConnection, now: str, limit: int) -> list[int]:
    """The ids `verification.fair_share.fair_claim` picks from what is claimable at `now`; the turns of the
    alerts it serves are stored (inside the caller's transaction)."""
    if limit <= 0:
        return []
    active = await sql.rows(db, _ACTIVE)
    if not active:
        return []
    counter = int(await sql.value(db, "SELECT COALESCE(MAX(turn), 0) FROM alerts"))
    community_turns = {r["community"]: r["community_turn"] for r in active}
    sizes = read_sizes([(r["id"], r["community"]) for r in active], limit)
    read: dict[int, tuple[Due, ...]] = {}
    unread = set(sizes)
    while True:
        for alert in unread:
            found = await sql.rows(db, _CLAIMABLE, (alert, now, sizes[alert]))
            read[alert] = tuple(Due(r["id"], rank(r["priority"], bool(r["dm"]))) for r in found)
        streams = [
            Stream(r["id"], r["community"], r["turn"], read[r["id"]], complete=len(read[r["id"]]) < sizes[r["id"]])
            for r in active
        ]
        choice = fair_claim(streams, community_turns, counter, limit)
        if choice.final:
            break
        # Read those streams again, further: rarely more than once (a stream that had more than its share).
        unread = set(choice.read_more)
        sizes |= {alert: sizes[alert] + limit for alert in unread}
    await sql.run_many(db, "UPDATE alerts SET turn = ? WHERE id = ?", [(t, a) for a, t in choice.turns.items()])
    return list(choice.ids)
