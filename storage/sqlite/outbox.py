"""The delivery outbox as the use cases write it: alerts as published, one delivery row per recipient.

The delivery worker claims and settles the same rows through `storage.sqlite.delivery_queue`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from verification.alerts import AlertKind, AlertMessage, to_record
from verification.community import Recipient, RecipientKind
from verification.deliveries import DeliveryState, LoggedAlert, NewDelivery
from verification.model import Language
from verification.ports import DeliveryCounts, DeliveryRecord

from . import sql
from .connection import SqliteConnection
from .timestamps import from_ts, maybe_from_ts, ts


def nonce_for(alert_id: int, recipient: Recipient) -> str:
    """A stable nonce of 22 characters (Discord allows 25), derived from the outbox row's identity."""
    digest = hashlib.sha256(f"{alert_id}:{recipient.kind.value}:{recipient.address}".encode()).digest()
    return "vz" + base64.urlsafe_b64encode(digest).decode()[:20]


# The ALERT deliveries an amendment is owed on: every ALERT of the incident still on its way, sent, or
# given up after an attempt that may have arrived, unless a RETRACTION of it is already owed to that
# recipient (they were told it was false; a later alert they never got is not theirs to amend).
_ALERT_LOG = """
SELECT d.id, d.recipient_kind, d.recipient, d.language, d.roles, d.state, d.in_doubt,
       EXISTS (SELECT 1 FROM deliveries r WHERE r.depends_on = d.id AND r.kind = 'retraction') AS retracted
FROM deliveries d
WHERE d.community = ? AND d.number = ? AND d.kind = 'alert'
ORDER BY d.id
"""

_CANCEL_ORPHANS = """
UPDATE deliveries SET state = 'cancelled', error = 'alert_not_delivered', updated_at = ?
WHERE community = ? AND number = ? AND state = 'queued' AND in_doubt = 0
  AND depends_on IN (SELECT id FROM deliveries WHERE community = ? AND number = ? AND state = 'cancelled')
"""

_INHERIT_PRIORITY = """
UPDATE deliveries AS e
SET priority = (SELECT n.priority FROM deliveries n
                WHERE n.alert_id = ?1 AND n.recipient_kind = e.recipient_kind AND n.recipient = e.recipient)
WHERE (e.community, e.number) = (SELECT community, number FROM alerts WHERE id = ?1)
  AND e.state = 'queued' AND e.kind != 'alert' AND e.alert_id != ?1
  AND e.priority > (SELECT n.priority FROM deliveries n
                    WHERE n.alert_id = ?1 AND n.recipient_kind = e.recipient_kind AND n.recipient = e.recipient)
"""


class SqliteOutbox:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def add_alert(self, community: int, message: AlertMessage, *, feed_at: datetime | None = None) -> int:
        return await sql.insert(
            self.db,
            # It joins the fair claim's round at the back (verification.fair_share): the counter's value now.
            "INSERT INTO alerts (community, number, seq, kind, amends, created_at, payload, feed_at, turn) VALUES "
            "(?, ?, ?, ?, (SELECT id FROM alerts WHERE community = ? AND number = ? AND seq = ?), ?, ?, ?, "
            "(SELECT COALESCE(MAX(turn), 0) FROM alerts))",
            (
                community,
                message.number,
                message.seq,
                message.kind.value,
                community,
                message.number,
                message.references,
                ts(message.at),
                json.dumps(to_record(message)),
                None if feed_at is None else ts(feed_at),
            ),
        )

    async def on_feed(self, community: int, number: int) -> bool:
        found = await sql.value(
            self.db,
            "SELECT EXISTS (SELECT 1 FROM alerts WHERE community = ? AND number = ? AND kind = 'alert' "
            "AND feed_at IS NOT NULL)",
            (community, number),
        )
        return bool(found)

    async def enqueue(self, alert_id: int, deliveries: Sequence[NewDelivery], at: datetime) -> list[int]:
        """One row per recipient, in one statement however many recipients (a fan-out can be thousands)."""
        now = ts(at)
        await sql.run_many(
            self.db,
            """
            INSERT INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, language,
                priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at, roles)
            SELECT id, community, number, kind, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ? FROM alerts WHERE id = ?
            """,
            [
                (
                    d.recipient.kind.value,
                    d.recipient.address,
                    d.recipient.language.value,
                    d.priority,
                    d.depends_on,
                    now,
                    nonce_for(alert_id, d.recipient),
                    now,
                    now,
                    json.dumps(list(d.recipient.roles)),
                    alert_id,
                )
                for d in deliveries
            ],
        )
        # One recipient's messages about an incident go in order (a claim waits for the earlier ones), so
        # their earlier amendments still queued take this one's priority: a correction stuck behind an
        # update of the same alert would otherwise wait for every new alert's fan-out.
        await sql.run(self.db, _INHERIT_PRIORITY, (alert_id,))
        found = await sql.rows(self.db, "SELECT id FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
        return [r[0] for r in found]

    async def alert_log(self, community: int, number: int) -> list[LoggedAlert]:
        rows = await sql.rows(self.db, _ALERT_LOG, (community, number))
        return [
            LoggedAlert(r["id"], recipient_of(r), DeliveryState(r["state"]), bool(r["in_doubt"]), bool(r["retracted"]))
            for r in rows
        ]

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        # Never a correction or a retraction (people told something wrong must still hear), and never a
        # row in doubt: it may have reached Discord before a crash or a timeout, so it is sent, or found.
        cancelled = await sql.run(
            self.db,
            "UPDATE deliveries SET state = 'cancelled', error = ?, updated_at = ? "
            "WHERE community = ? AND number = ? AND state = 'queued' AND in_doubt = 0 "
            "AND kind IN ('alert', 'update', 'all_clear')",
            (reason, ts(at), community, number),
        )
        # What amends an ALERT that will now never be sent is owed to nobody; left queued, it would wait
        # for that ALERT for ever.
        return cancelled + await sql.run(self.db, _CANCEL_ORPHANS, (ts(at), community, number, community, number))

    async def counts(self, community: int | None = None) -> DeliveryCounts:
        where, args = ("WHERE community = ?", (community,)) if community is not None else ("", ())
        grouped = await sql.rows(self.db, f"SELECT state, COUNT(*) FROM deliveries {where} GROUP BY state", args)
        counts = {r[0]: r[1] for r in grouped}
        pending_where = "WHERE state IN ('queued', 'sending')" + (" AND community = ?" if community is not None else "")
        oldest = await sql.value(self.db, f"SELECT MIN(created_at) FROM deliveries {pending_where}", args)
        in_doubt = await sql.value(
            self.db,
            "SELECT COUNT(*) FROM deliveries WHERE in_doubt = 1 AND state IN ('queued', 'sending')"
            + (" AND community = ?" if community is not None else ""),
            args,
        )
        return DeliveryCounts(
            queued=counts.get("queued", 0),
            sending=counts.get("sending", 0),
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
            oldest_pending=maybe_from_ts(oldest),
            in_doubt=in_doubt,
        )

    async def log(self, community: int, number: int) -> list[DeliveryRecord]:
        rows = await sql.rows(
            self.db,
            """
            SELECT d.id, a.seq, d.kind, d.recipient_kind, d.recipient, d.language, d.roles, d.state, d.attempts,
                   d.message_id, d.error, d.updated_at
            FROM deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.community = ? AND d.number = ? ORDER BY d.id
            """,
            (community, number),
        )
        return [
            DeliveryRecord(
                r["id"],
                r["seq"],
                AlertKind(r["kind"]),
                recipient_of(r),
                DeliveryState(r["state"]),
                r["attempts"],
                r["message_id"],
                r["error"],
                from_ts(r["updated_at"]),
            )
            for r in rows
        ]


def recipient_of(r: sqlite3.Row) -> Recipient:
    roles = tuple(json.loads(r["roles"])) if r["roles"] else ()
    return Recipient(RecipientKind(r["recipient_kind"]), r["recipient"], Language(r["language"]), roles)
