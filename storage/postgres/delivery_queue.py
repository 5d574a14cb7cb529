"""The delivery worker's side of the outbox: claim due rows, then record what happened to each.

Each step is its own short transaction, so the worker never holds the database while it waits on
Discord. Claims take their rows `FOR UPDATE SKIP LOCKED`: a row another transaction is settling or
cancelling is left for the next claim, never waited on and never taken twice. The rules (what is due,
in which order, what a doubt means) are those of storage.sqlite.delivery_queue, statement for statement.

Which rows a claim takes is the fair rule (verification.fair_share), read as SQLite reads it: the alerts
in progress, a few claimable rows of each, `fair_claim`, and the turns of the alerts served stored with
the claim. Claims run one at a time (a transaction-scoped advisory lock, CLAIM_LOCK): the turns are one
counter, and two claims reading the same turns at once would both serve the same alert first and skip
each other's locked rows, so neither would claim what the rule says. Veraz runs one worker per process
and one active process, so the lock costs nothing but a standby's stray claim, which fencing refuses.

Fencing: a queue made with `epoch` (the active process's, from storage.postgres.leadership) starts
every step with `veraz_fence(epoch)`, which the database refuses once another process has taken over:
a process that lost leadership can neither claim nor settle anything, even if it has not noticed yet.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from verification.alerts import AlertKind, from_record
from verification.community import Recipient, RecipientKind
from verification.fair_share import Due, Stream, fair_claim, rank, read_sizes
from verification.model import Language
from verification.ports import ClaimedDelivery
from verification.ports import NotLeader as NotLeader  # raised here, caught by the worker

from ..sqlite.delivery_queue import OUTAGE_PATTERNS
from ..sqlite.outbox import nonce_for
from .database import PostgresDatabase
from .migrations import LOCK_NAMESPACE
from .outbox import recipient_of
from .transactions import Connection, retrying

T = TypeVar("T")
STALE_LEADER = "VZ001"
CLAIM_LOCK = 3  # key2 of the claims' advisory lock, with key1 = LOCK_NAMESPACE (leadership uses 2)


_CANCEL_DEPENDENTS = """
UPDATE deliveries SET state = 'cancelled', error = 'alert_not_delivered', updated_at = $1
WHERE depends_on = $2 AND state = 'queued' AND NOT (SELECT in_doubt FROM deliveries WHERE id = $2)
"""

_READY = """
(d.depends_on IS NULL OR dep.state = 'sent' OR (dep.state = 'failed' AND dep.in_doubt))
AND NOT EXISTS (
    SELECT 1 FROM deliveries e
    WHERE e.community = d.community AND e.number = d.number AND e.recipient_kind = d.recipient_kind
      AND e.recipient = d.recipient AND e.id < d.id AND e.state IN ('queued', 'sending'))
"""

# The alerts in progress: one seek each in the partial index deliveries_queued (migration 0003), skipping
# from one alert to the next, with their turns and their communities' turns.
_ACTIVE = """
WITH RECURSIVE active(alert_id) AS (
    SELECT (SELECT MIN(alert_id) FROM deliveries WHERE state = 'queued')
    UNION ALL
    SELECT (SELECT MIN(alert_id) FROM deliveries WHERE state = 'queued' AND alert_id > active.alert_id)
    FROM active WHERE active.alert_id IS NOT NULL
)
SELECT a.id, a.community, a.turn,
       (SELECT MAX(c.turn) FROM alerts c WHERE c.community = a.community) AS community_turn
FROM active JOIN alerts a ON a.id = active.alert_id
"""

# One alert's claimable rows in claim order (posts before DMs at each priority), as many as asked, locked;
# rows locked by others (being cancelled) are skipped, as if not claimable.
_CLAIMABLE = f"""
SELECT d.id, d.priority, d.recipient_kind = 'dm' AS dm, d.first_claimed_at, d.in_doubt
FROM deliveries d
LEFT JOIN deliveries dep ON dep.id = d.depends_on
WHERE d.state = 'queued' AND d.alert_id = $1 AND d.next_attempt_at <= $2 AND {_READY}
ORDER BY d.priority, (d.recipient_kind = 'dm'), d.id
LIMIT $3
FOR UPDATE OF d SKIP LOCKED
"""

# What the worker needs of each row taken, read after the claim updated them.
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
WHERE d.id = ANY($1::bigint[])
"""

_ROLE_HOLDERS = """
SELECT DISTINCT l.user_id, b.language FROM deliveries d
JOIN role_ledger l ON l.community = d.community AND l.role_id = ANY(d.roles)
JOIN subscribers b ON b.community = d.community AND b.user_id = l.user_id
WHERE d.id = $1 AND d.recipient_kind = 'role_post' AND b.unreachable_at IS NULL
  AND (l.removed_at IS NULL OR l.removed_at >= d.created_at)
ORDER BY l.user_id
"""

_INSERT_FROM = """
INSERT INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, language, priority,
    depends_on, state, next_attempt_at, nonce, created_at, updated_at)
SELECT alert_id, community, number, kind, $1, $2, $3, priority, depends_on, 'queued', $4, $5, $4, $4
FROM deliveries WHERE id = $6
ON CONFLICT DO NOTHING
"""


class PostgresDeliveryQueue:
    """The worker's side: claim due rows, record what happened, fenced by the leader's epoch."""

    def __init__(self, database: PostgresDatabase, epoch: Callable[[], int | None] | None = None) -> None:
        self.database = database
        self._epoch = epoch  # None: unfenced (one process: tests, the demo, maintenance commands)

    async def _step(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        async def attempt() -> T:
            async with self.database.connection() as conn:
                if self._epoch is not None:
                    epoch = self._epoch()
                    if epoch is None:
                        raise NotLeader("this process is a standby: the delivery queue is the active one's")
                    try:
                        await conn.execute("SELECT veraz_fence($1)", epoch)
                    except asyncpg.PostgresError as exc:
                        if exc.sqlstate == STALE_LEADER:
                            raise NotLeader(str(exc)) from exc
                        raise
                return await work(conn)

        return await retrying(attempt)

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        async def work(conn: Connection) -> int:
            done = await conn.execute(
                "UPDATE deliveries SET state = 'queued', in_doubt = true, next_attempt_at = $1, updated_at = $1 "
                "WHERE state = 'sending' AND claimed_at <= $2",
                now,
                claimed_before or now,
            )
            return int(done.split()[-1])

        return await self._step(work)

    async def claim(self, now: datetime, limit: int) -> list[ClaimedDelivery]:
        """The next `limit` claimable deliveries under the fair rule (verification.fair_share), marked
        'sending', and the turns of the alerts served moved on, in one transaction."""
        epoch = self._epoch() if self._epoch is not None else None

        async def work(conn: Connection) -> tuple[list[asyncpg.Record], dict[int, datetime | None]]:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_NAMESPACE, CLAIM_LOCK)
            taken = await fair_rows(conn, now, limit)
            # A doubt dates from the first claim before this one: read before this claim is recorded.
            doubt = {r["id"]: r["first_claimed_at"] if r["in_doubt"] else None for r in taken}
            ids = [r["id"] for r in taken]
            if not ids:
                return [], {}
            await conn.execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = $1, "
                "first_claimed_at = COALESCE(first_claimed_at, $1), updated_at = $1, epoch = $3 "
                "WHERE id = ANY($2::bigint[])",
                now,
                ids,
                epoch,
            )
            found = {r["id"]: r for r in await conn.fetch(_CLAIMED, ids)}
            return [found[i] for i in ids], doubt

        rows, doubt = await self._step(work)
        return [
            ClaimedDelivery(
                id=r["id"],
                community=r["community"],
                kind=AlertKind(r["kind"]),
                message=from_record(json.loads(r["payload"])),
                recipient=recipient_of(r),
                nonce=r["nonce"],
                attempts=r["attempts"],  # read after the claim counted this attempt
                dm_channel=r["dm_channel"],
                in_doubt_since=doubt[r["id"]],
                amends=(r["amends_channel"], r["amends_message"]) if r["amends_message"] else None,
                amended_alert=from_record(json.loads(r["amends_payload"])) if r["amends_payload"] else None,
                checks=r["checks"],
            )
            for r in rows
        ]

    async def sent(self, delivery: int, channel_id: int, message_id: int, now: datetime) -> None:
        await self._run(
            "UPDATE deliveries SET state = 'sent', in_doubt = false, channel_id = $1, message_id = $2, error = NULL, "
            "updated_at = $3 WHERE id = $4",
            channel_id,
            message_id,
            now,
            delivery,
        )

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        async def work(conn: Connection) -> None:
            await conn.execute(
                "UPDATE deliveries SET state = 'failed', in_doubt = in_doubt OR $1, error = $2, updated_at = $3 "
                "WHERE id = $4",
                in_doubt,
                error[:500],
                now,
                delivery,
            )
            await conn.execute(_CANCEL_DEPENDENTS, now, delivery)

        await self._step(work)

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        # A doubt, once raised, stays until the delivery is known sent (see the SQLite queue).
        await self._run(
            "UPDATE deliveries SET state = 'queued', in_doubt = in_doubt OR $1, error = $2, next_attempt_at = $3, "
            "updated_at = $4 WHERE id = $5",
            in_doubt,
            error[:500],
            at,
            now,
            delivery,
        )

    async def check_failed(self, delivery: int, error: str, at: datetime, now: datetime) -> None:
        await self._run(
            "UPDATE deliveries SET state = 'queued', in_doubt = true, attempts = GREATEST(attempts - 1, 0), "
            "checks = checks + 1, error = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4",
            f"history check: {error}"[:500],
            at,
            now,
            delivery,
        )

    async def postpone(self, delivery: int, error: str, now: datetime) -> None:
        await self._run(
            "UPDATE deliveries SET state = 'queued', attempts = GREATEST(attempts - 1, 0), error = $1, updated_at = $2 "
            "WHERE id = $3 AND state = 'sending'",
            error[:500],
            now,
            delivery,
        )

    async def resume_after_outage(self, now: datetime) -> int:
        """As storage.sqlite.delivery_queue: what waits on an outage's error is due now."""

        async def work(conn: Connection) -> int:
            status = await conn.execute(
                "UPDATE deliveries SET next_attempt_at = $1, updated_at = $1 "
                "WHERE state = 'queued' AND next_attempt_at > $1 AND (error LIKE $2 OR error LIKE $3)",
                now,
                *OUTAGE_PATTERNS,
            )
            return int(status.split()[-1])  # "UPDATE n"

        return await self._step(work)

    async def role_post_unusable(self, delivery: int, error: str, now: datetime, channel: int | None = None) -> int:
        """As storage.sqlite.delivery_queue: the role post fails, its roles' holders get DMs instead."""

        async def work(conn: Connection) -> int:
            alert_id = await conn.fetchval(
                "SELECT alert_id FROM deliveries WHERE id = $1 AND state = 'sending' FOR UPDATE", delivery
            )
            if alert_id is None:
                return 0
            holders = [Recipient(RecipientKind.DM, r[0], Language(r[1])) for r in await conn.fetch(
                _ROLE_HOLDERS, delivery)]  # fmt: skip
            before = await conn.fetchval("SELECT COUNT(*) FROM deliveries WHERE alert_id = $1", alert_id)
            await conn.executemany(
                _INSERT_FROM,
                [("dm", h.address, h.language.value, now, nonce_for(alert_id, h), delivery) for h in holders],
            )
            after = await conn.fetchval("SELECT COUNT(*) FROM deliveries WHERE alert_id = $1", alert_id)
            if channel is not None:
                post = Recipient(RecipientKind.CHANNEL, channel, Language.EN)
                await conn.execute(
                    "INSERT INTO deliveries (alert_id, community, number, kind, recipient_kind, recipient, language, "
                    "priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at) "
                    "SELECT alert_id, community, number, kind, 'channel', $1, language, priority, depends_on, "
                    "'queued', $2, $3, $2, $2 FROM deliveries WHERE id = $4 ON CONFLICT DO NOTHING",
                    channel, now, nonce_for(alert_id, post), delivery,
                )  # fmt: skip
            await conn.execute(
                "UPDATE deliveries SET state = 'failed', in_doubt = false, error = $1, updated_at = $2 WHERE id = $3",
                error[:500],
                now,
                delivery,
            )
            await conn.execute(_CANCEL_DEPENDENTS, now, delivery)
            return int(after or 0) - int(before or 0)

        return await self._step(work)

    async def remember_dm_channel(self, community: int, user: int, channel: int) -> None:
        async def work(conn: Connection) -> None:
            await conn.execute(
                "UPDATE subscribers SET dm_channel = $1 WHERE community = $2 AND user_id = $3", channel, community, user
            )
            await conn.execute(
                "UPDATE role_ledger SET dm_channel = $1 WHERE community = $2 AND user_id = $3", channel, community, user
            )

        await self._step(work)

    async def forget_dm_channel(self, community: int, user: int) -> None:
        async def work(conn: Connection) -> None:
            await conn.execute(
                "UPDATE subscribers SET dm_channel = NULL WHERE community = $1 AND user_id = $2", community, user
            )
            await conn.execute(
                "UPDATE role_ledger SET dm_channel = NULL WHERE community = $1 AND user_id = $2", community, user
            )

        await self._step(work)

    async def unreachable(self, community: int, user: int, now: datetime) -> None:
        await self._run(
            "UPDATE subscribers SET unreachable_at = $1, failures = failures + 1 WHERE community = $2 AND user_id = $3",
            now,
            community,
            user,
        )

    async def next_due(self) -> datetime | None:
        due: datetime | None = await self._step(
            lambda conn: conn.fetchval(
                "SELECT MIN(d.next_attempt_at) FROM deliveries d LEFT JOIN deliveries dep ON dep.id = d.depends_on "
                f"WHERE d.state = 'queued' AND {_READY}"
            )
        )
        return due

    async def _run(self, statement: str, *args: object) -> None:
        async def work(conn: Connection) -> None:
            await conn.execute(statement, *args)

        await self._step(work)


async def fair_rows(conn: Connection, now: datetime, limit: int) -> list[asyncpg.Record]:
    """The rows `verification.fair_share.fair_claim` picks from what is claimable at `now`, in its order,
    locked; the turns of the alerts it serves are stored (inside the caller's transaction, which holds
    CLAIM_LOCK). As storage.sqlite.delivery_queue.fair_ids, step for step."""
    if limit <= 0:
        return []
    active = await conn.fetch(_ACTIVE)
    if not active:
        return []
    counter = int(await conn.fetchval("SELECT COALESCE(MAX(turn), 0) FROM alerts"))
    community_turns = {r["community"]: r["community_turn"] for r in active}
    sizes = read_sizes([(r["id"], r["community"]) for r in active], limit)
    read: dict[int, list[asyncpg.Record]] = {}
    unread = set(sizes)
    while True:
        for alert in unread:
            read[alert] = list(await conn.fetch(_CLAIMABLE, alert, now, sizes[alert]))
        streams = [
            Stream(
                r["id"],
                r["community"],
                r["turn"],
                tuple(Due(d["id"], rank(d["priority"], d["dm"])) for d in read[r["id"]]),
                complete=len(read[r["id"]]) < sizes[r["id"]],
            )
            for r in active
        ]
        choice = fair_claim(streams, community_turns, counter, limit)
        if choice.final:
            break
        # Read those streams again, further: rarely more than once (a stream that had more than its share).
        unread = set(choice.read_more)
        sizes |= {alert: sizes[alert] + limit for alert in unread}
    await conn.executemany("UPDATE alerts SET turn = $1 WHERE id = $2", [(t, a) for a, t in choice.turns.items()])
    by_id = {d["id"]: d for rows in read.values() for d in rows}
    return [by_id[i] for i in choice.ids]
