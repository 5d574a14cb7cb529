"""The delivery outbox as the use cases write it: alerts as published, one delivery row per recipient.

The delivery worker claims and settles the same rows through `storage.delivery_queue`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from verification.alerts import AlertKind, AlertMessage, to_record
from verification.community import Recipient, RecipientKind
from verification.model import Language
from verification.ports import (
    DeliveryCounts,
    DeliveryRecord,
    DeliveryState,
    EarlierRecipient,
    NewDelivery,
)

from . import sql
from .clock import from_ts, maybe_from_ts, ts


def nonce_for(alert_id: int, recipient: Recipient) -> str:
    """A stable nonce of 22 characters (Discord allows 25), derived from the outbox row's identity."""
    digest = hashlib.sha256(f"{alert_id}:{recipient.kind.value}:{recipient.address}".encode()).digest()
    return "vz" + base64.urlsafe_b64encode(digest).decode()[:20]


class SqliteOutbox:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def add_alert(self, community: int, message: AlertMessage) -> int:
        return await sql.insert(
            self.db,
            "INSERT INTO alerts (community, number, seq, kind, amends, created_at, payload) VALUES (?, ?, ?, ?, "
            "(SELECT id FROM alerts WHERE community = ? AND number = ? AND seq = ?), ?, ?)",
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
            ),
        )

    async def enqueue(self, alert_id: int, deliveries: Sequence[NewDelivery], at: datetime) -> list[int]:
        """One row per recipient, in one statement however many recipients (a fan-out can be thousands)."""
        now = ts(at)
        await sql.run_many(
            self.db,
            """
            INSERT INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, language,
                priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at)
            SELECT id, community, number, kind, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ? FROM alerts WHERE id = ?
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
                    alert_id,
                )
                for d in deliveries
            ],
        )
        found = await sql.rows(self.db, "SELECT id FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
        return [r[0] for r in found]

    async def earlier_recipients(self, community: int, number: int) -> list[EarlierRecipient]:
        rows = await sql.rows(
            self.db,
            """
            SELECT id, recipient_kind, recipient, language, state FROM deliveries
            WHERE community = ? AND number = ? AND kind = 'alert' AND state IN ('queued', 'sending', 'sent')
            ORDER BY id
            """,
            (community, number),
        )
        latest: dict[tuple[str, int], sqlite3.Row] = {}
        for r in rows:
            latest[(r["recipient_kind"], r["recipient"])] = r
        return [EarlierRecipient(recipient_of(r), r["id"], DeliveryState(r["state"])) for r in latest.values()]

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        # Never a correction or a retraction (people told something wrong must still hear), and never a
        # row a worker ever claimed: it may have reached Discord before a crash, so it is sent, or found.
        return await sql.run(
            self.db,
            "UPDATE deliveries SET state = 'cancelled', error = ?, updated_at = ? "
            "WHERE community = ? AND number = ? AND state = 'queued' AND claimed_at IS NULL "
            "AND kind IN ('alert', 'update', 'all_clear')",
            (reason, ts(at), community, number),
        )

    async def counts(self, community: int | None = None) -> DeliveryCounts:
        where, args = ("WHERE community = ?", (community,)) if community is not None else ("", ())
        grouped = await sql.rows(self.db, f"SELECT state, COUNT(*) FROM deliveries {where} GROUP BY state", args)
        counts = {r[0]: r[1] for r in grouped}
        pending_where = "WHERE state IN ('queued', 'sending')" + (" AND community = ?" if community is not None else "")
        oldest = await sql.value(self.db, f"SELECT MIN(created_at) FROM deliveries {pending_where}", args)
        return DeliveryCounts(
            queued=counts.get("queued", 0),
            sending=counts.get("sending", 0),
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
            oldest_pending=maybe_from_ts(oldest),
        )

    async def log(self, community: int, number: int) -> list[DeliveryRecord]:
        rows = await sql.rows(
            self.db,
            """
            SELECT d.id, a.seq, d.kind, d.recipient_kind, d.recipient, d.language, d.state, d.attempts,
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
    return Recipient(RecipientKind(r["recipient_kind"]), r["recipient"], Language(r["language"]))
