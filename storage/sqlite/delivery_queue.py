"""The delivery worker's side of the outbox: claim due rows, then record what happened to each.

Each step is its own short transaction on the shared connection, so the worker never holds the
database while it waits on Discord.
"""

from __future__ import annotations

import json
from datetime import datetime

from verification.alerts import AlertKind, from_record
from verification.community import Recipient, RecipientKind
from verification.model import Language
from verification.ports import ClaimedDelivery

from . import sql
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

# Due rows, amendments first (lower priority value), and at each priority the posts in channels before the
# DMs: one post reaches a whole area's role holders, and must not wait for another alert's DM fan-out.
# In the order of the index deliveries_due_posts_first (migration 0007), so a claim reads only its rows.
_DUE = f"""
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
WHERE d.state = 'queued' AND d.next_attempt_at <= ? AND {_READY}
ORDER BY d.priority, d.recipient_kind = 'dm', d.id
LIMIT ?
"""


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
        async with self.database.transaction() as uow:
            rows = await sql.rows(uow.db, _DUE, (ts(now), limit))
            await sql.run_many(
                uow.db,
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = ?1, "
                "first_claimed_at = COALESCE(first_claimed_at, ?1), updated_at = ?1 WHERE id = ?2",
                [(ts(now), r["id"]) for r in rows],
            )
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
