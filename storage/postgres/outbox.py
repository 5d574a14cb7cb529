"""The delivery outbox as the use cases write it: alerts as published, one delivery row per recipient.

The delivery worker claims and settles the same rows through `storage.postgres.delivery_queue`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

from verification.alerts import AlertKind, AlertMessage, to_record
from verification.community import Recipient, RecipientKind
from verification.deliveries import DeliveryState, LoggedAlert, NewDelivery
from verification.model import Language
from verification.ports import DeliveryCounts, DeliveryRecord

from ..sqlite.outbox import nonce_for
from .transactions import Connection

if TYPE_CHECKING:
    from .transactions import TransactionSource

# Every delivery of the incident's ALERTs, with whether a RETRACTION was queued against it.
_ALERT_LOG = """
SELECT d.id, d.recipient_kind, d.recipient, d.language, d.roles, d.state, d.in_doubt,
       EXISTS (SELECT 1 FROM deliveries r WHERE r.depends_on = d.id AND r.kind = 'retraction') AS retracted
FROM deliveries d
WHERE d.community = $1 AND d.number = $2 AND d.kind = 'alert'
ORDER BY d.id
"""

_CANCEL_ORPHANS = """
WITH cancelled AS (
    UPDATE deliveries SET state = 'cancelled', error = 'alert_not_delivered', updated_at = $1
    WHERE community = $2 AND number = $3 AND state = 'queued' AND NOT in_doubt
      AND depends_on IN (SELECT id FROM deliveries WHERE community = $2 AND number = $3 AND state = 'cancelled')
    RETURNING 1)
SELECT count(*) FROM cancelled
"""

# One recipient's earlier amendments still queued take the priority of the message just queued to them.
_INHERIT_PRIORITY = """
UPDATE deliveries AS e SET priority = n.priority
FROM alerts a, deliveries n
WHERE a.id = $1 AND n.alert_id = $1 AND e.community = a.community AND e.number = a.number
  AND n.recipient_kind = e.recipient_kind AND n.recipient = e.recipient
  AND e.state = 'queued' AND e.kind != 'alert' AND e.alert_id != $1 AND e.priority > n.priority
"""

# A whole fan-out in one statement: one array per column, unnested side by side, in the given order.
_ENQUEUE = """
INSERT INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, language, priority,
    depends_on, state, next_attempt_at, nonce, created_at, updated_at, roles)
SELECT a.id, a.community, a.number, a.kind, r.kind, r.recipient, r.language, r.priority, r.depends_on, 'queued',
       $2, r.nonce, $2, $2, ARRAY(SELECT jsonb_array_elements_text(r.roles::jsonb)::bigint)
FROM alerts a,
     unnest($3::text[], $4::bigint[], $5::text[], $6::integer[], $7::bigint[], $8::text[], $9::text[])
        WITH ORDINALITY AS r(kind, recipient, language, priority, depends_on, nonce, roles, ord)
WHERE a.id = $1
ORDER BY r.ord
"""


class PgOutbox:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def add_alert(self, community: int, message: AlertMessage, *, feed_at: datetime | None = None) -> int:
        conn = await self._uow.conn(community)
        alert_id = await conn.fetchval(
            # It joins the fair claim's round at the back (verification.fair_share): the counter's value now.
            "INSERT INTO alerts (community, number, seq, kind, amends, created_at, payload, feed_at, turn) VALUES "
            "($1, $2, $3, $4, (SELECT id FROM alerts WHERE community = $1 AND number = $2 AND seq = $5), $6, $7, $8, "
            "(SELECT COALESCE(MAX(turn), 0) FROM alerts)) RETURNING id",
            community,
            message.number,
            message.seq,
            message.kind.value,
            message.references,
            message.at,
            json.dumps(to_record(message)),
            feed_at,
        )
        return int(alert_id)

    async def on_feed(self, community: int, number: int) -> bool:
        conn = await self._uow.conn(community)
        found = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM alerts WHERE community = $1 AND number = $2 AND kind = 'alert' "
            "AND feed_at IS NOT NULL)",
            community,
            number,
        )
        return bool(found)

    async def enqueue(self, alert_id: int, deliveries: Sequence[NewDelivery], at: datetime) -> list[int]:
        """One row per recipient, in one statement however many recipients (a fan-out can be thousands)."""
        conn = await self._uow.conn()
        if deliveries:
            await conn.execute(
                _ENQUEUE,
                alert_id,
                at,
                [d.recipient.kind.value for d in deliveries],
                [d.recipient.address for d in deliveries],
                [d.recipient.language.value for d in deliveries],
                [d.priority for d in deliveries],
                [d.depends_on for d in deliveries],
                [nonce_for(alert_id, d.recipient) for d in deliveries],
                [json.dumps(list(d.recipient.roles)) for d in deliveries],
            )
        await conn.execute(_INHERIT_PRIORITY, alert_id)
        found = await conn.fetch("SELECT id FROM deliveries WHERE alert_id = $1 ORDER BY id", alert_id)
        return [r[0] for r in found]

    async def alert_log(self, community: int, number: int) -> list[LoggedAlert]:
        conn = await self._uow.conn(community)
        rows = await conn.fetch(_ALERT_LOG, community, number)
        return [
            LoggedAlert(r["id"], recipient_of(r), DeliveryState(r["state"]), r["in_doubt"], r["retracted"])
            for r in rows
        ]

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        conn = await self._uow.conn(community)
        # Never a correction or a retraction (people told something wrong must still hear), and never a
        # row in doubt: it may have reached Discord before a crash or a timeout, so it is sent, or found.
        cancelled = await conn.fetchval(
            "WITH cancelled AS (UPDATE deliveries SET state = 'cancelled', error = $1, updated_at = $2 "
            "WHERE community = $3 AND number = $4 AND state = 'queued' AND NOT in_doubt "
            "AND kind IN ('alert', 'update', 'all_clear') RETURNING 1) SELECT count(*) FROM cancelled",
            reason,
            at,
            community,
            number,
        )
        # What amends an ALERT that will now never be sent is owed to nobody; left queued, it would wait
        # for that ALERT for ever.
        return int(cancelled) + int(await conn.fetchval(_CANCEL_ORPHANS, at, community, number))

    async def counts(self, community: int | None = None) -> DeliveryCounts:
        conn = await self._uow.conn(community)
        return await delivery_counts(conn, community)

    async def log(self, community: int, number: int) -> list[DeliveryRecord]:
        conn = await self._uow.conn(community)
        rows = await conn.fetch(
            """
            SELECT d.id, a.seq, d.kind, d.recipient_kind, d.recipient, d.language, d.roles, d.state, d.attempts,
                   d.message_id, d.error, d.updated_at
            FROM deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.community = $1 AND d.number = $2 ORDER BY d.id
            """,
            community,
            number,
        )
        return [
            DeliveryRecord(
                r["id"], r["seq"], AlertKind(r["kind"]), recipient_of(r), DeliveryState(r["state"]), r["attempts"],
                r["message_id"], r["error"], r["updated_at"],
            )
            for r in rows
        ]  # fmt: skip


async def delivery_counts(conn: Connection, community: int | None) -> DeliveryCounts:
    """The queue's figures, for one community or all (health and metrics read them too)."""
    where, args = ("WHERE community = $1", (community,)) if community is not None else ("", ())
    row = await conn.fetchrow(
        f"""
        SELECT count(*) FILTER (WHERE state = 'queued') AS queued,
               count(*) FILTER (WHERE state = 'sending') AS sending,
               count(*) FILTER (WHERE state = 'sent') AS sent,
               count(*) FILTER (WHERE state = 'failed') AS failed,
               count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
               min(created_at) FILTER (WHERE state IN ('queued', 'sending')) AS oldest_pending,
               count(*) FILTER (WHERE in_doubt AND state IN ('queued', 'sending')) AS in_doubt
        FROM deliveries {where}
        """,
        *args,
    )
    assert row is not None  # an aggregate always has its row
    return DeliveryCounts(**dict(row))


def recipient_of(r: asyncpg.Record) -> Recipient:
    return Recipient(RecipientKind(r["recipient_kind"]), r["recipient"], Language(r["language"]), tuple(r["roles"]))
