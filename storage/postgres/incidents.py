"""The incident event log (append-only), its read model, and the clustering key index."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import asyncpg

from verification.clustering import Candidate
from verification.events import IncidentEvent, StatementAttached, from_record, to_record
from verification.incident import Incident, advance, replay
from verification.model import Status
from verification.ports import IncidentSummary

from ..sqlite.incidents import CACHE_LIMIT, _words

if TYPE_CHECKING:
    from .transactions import Connection, TransactionSource, Tx


class PgIncidents:
    """Incidents' event logs and read model.

    Decoded histories are cached, as on SQLite: the log is append-only (the database refuses anything
    else), so what was read once stays a true prefix, and only newer events are read again. An incident
    appended to in a transaction is not cached from it, and dropped from the cache if it rolls back. A
    community's transactions run one at a time (its lock), so no other transaction appends meanwhile.
    """

    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow
        self._histories: dict[tuple[int, int], tuple[IncidentEvent, ...]] = {}
        self._states: dict[tuple[int, int], Incident] = {}  # the fold of the cached history

    def transaction_ended(self, tx: Tx) -> None:
        if not tx.committed:
            for key in tx.touched:
                self._histories.pop(key, None)
                self._states.pop(key, None)

    async def next_number(self, community: int) -> int:
        conn = await self._uow.conn(community)
        number = await conn.fetchval(
            "UPDATE communities SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1", community
        )
        if number is None:
            raise LookupError(f"community {community} is not set up")
        return int(number)

    async def events(self, community: int, number: int) -> list[IncidentEvent]:
        conn = await self._uow.conn(community)
        key = (community, number)
        known = self._histories.get(key, ())
        found = await conn.fetch(
            "SELECT payload FROM incident_events WHERE community = $1 AND number = $2 AND seq > $3 ORDER BY seq",
            community,
            number,
            len(known),
        )
        history = known + tuple(from_record(json.loads(r[0])) for r in found)
        if key not in self._uow.tx().touched:
            if len(self._histories) >= CACHE_LIMIT:
                self._histories.clear()
                self._states.clear()
            self._histories[key] = history
        return list(history)

    async def current(self, community: int, number: int) -> tuple[list[IncidentEvent], Incident] | None:
        key = (community, number)
        events = await self.events(community, number)
        if not events:
            return None
        folded = self._states.get(key)
        if folded is not None and len(folded.history) <= len(events):
            state = advance(folded, events[len(folded.history) :])  # a true prefix: the log is append-only
        else:
            state = replay(events)
        if key not in self._uow.tx().touched:
            self._states[key] = state
        return events, state

    async def append(
        self,
        community: int,
        number: int,
        new: Sequence[IncidentEvent],
        state: Incident,
        keys: Sequence[str],
        at: datetime,
    ) -> None:
        conn = await self._uow.conn(community)
        self._uow.tx().touched.add((community, number))
        await self._save_state(conn, community, number, state, at)
        first_seq = len(state.history) - len(new) + 1
        await conn.executemany(
            "INSERT INTO incident_events (community, number, seq, kind, at, actor, payload) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (community, number, seq, e.kind, e.at, e.actor, json.dumps(to_record(e)))
                for seq, e in enumerate(new, start=first_seq)
            ],
        )
        statements = [
            (
                community, number, e.statement.source, e.statement.source_kind.value, e.statement.stance.value,
                e.statement.url, e.statement.quote, e.statement.published, e.actor, e.at,
            )
            for e in new
            if isinstance(e, StatementAttached)
        ]  # fmt: skip
        if statements:
            await conn.executemany(
                "INSERT INTO statements (community, number, source, source_kind, stance, url, quote, published, "
                "attached_by, attached_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                statements,
            )
        # Keys only ever grow and stay when the incident closes: a reopened one is found by the same keys.
        await conn.executemany(
            "INSERT INTO incident_keys (community, key, number, last_observed) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (community, key, number) DO UPDATE SET last_observed = excluded.last_observed",
            [(community, key, number, state.last_observed) for key in dict.fromkeys(keys)],
        )

    async def _save_state(self, conn: Connection, community: int, number: int, state: Incident, at: datetime) -> None:
        await conn.execute(
            """
            INSERT INTO incidents (community, number, status, place_key, place_label, area, place_kind,
                priority, contested, closed, reports, reporters, first_observed, last_observed, last_news_at,
                opened_at, updated_at, closed_at, words)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            ON CONFLICT (community, number) DO UPDATE SET
                status = excluded.status, priority = excluded.priority, contested = excluded.contested,
                place_key = excluded.place_key, place_label = excluded.place_label, area = excluded.area,
                place_kind = excluded.place_kind, words = excluded.words,
                closed = excluded.closed, reports = excluded.reports, reporters = excluded.reporters,
                first_observed = excluded.first_observed, last_observed = excluded.last_observed,
                last_news_at = excluded.last_news_at, updated_at = excluded.updated_at,
                closed_at = CASE WHEN NOT excluded.closed THEN NULL
                                 ELSE COALESCE(incidents.closed_at, excluded.closed_at) END
            """,
            community,
            number,
            state.status.value,
            state.place.key,
            state.place.label,
            state.place.area,
            state.place.kind.value,
            int(state.priority),
            state.contested,
            state.closed,
            len(state.reports),
            state.reporter_count,
            state.first_observed,
            state.last_observed,
            state.last_news_at,
            state.opened_at,
            at,
            at if state.closed else None,
            _words(state.place.label),
        )

    async def candidates(
        self, community: int, keys: Sequence[str], observed_at: datetime, window: timedelta
    ) -> list[Candidate]:
        if not keys:
            return []
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            """
            SELECT i.number, i.place_key, i.place_label, i.words, i.first_observed, i.last_observed,
                   array_agg(k.key ORDER BY k.key COLLATE "C") AS matched
            FROM incident_keys k
            JOIN incidents i ON i.community = k.community AND i.number = k.number
            WHERE k.community = $1 AND k.key = ANY($2::text[]) AND k.last_observed >= $3
              AND i.first_observed <= $4 AND NOT i.closed
            GROUP BY i.number, i.place_key, i.place_label, i.words, i.first_observed, i.last_observed
            ORDER BY i.number
            """,
            community,
            list(keys),
            observed_at - window,
            observed_at + window,
        )
        return [
            Candidate(
                r["number"], r["place_key"], tuple(r["words"].split()), r["first_observed"], r["last_observed"],
                tuple(r["matched"]), r["place_label"],
            )
            for r in found
        ]  # fmt: skip

    async def keys(self, community: int, number: int) -> list[str]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            'SELECT key FROM incident_keys WHERE community = $1 AND number = $2 ORDER BY key COLLATE "C"',
            community,
            number,
        )
        return [r[0] for r in found]

    async def summaries(self, community: int, *, open_only: bool = True) -> list[IncidentSummary]:
        conn = await self._uow.conn(community)
        where = "community = $1 AND NOT closed" if open_only else "community = $1"
        return [
            _summary(r) for r in await conn.fetch(f"SELECT * FROM incidents WHERE {where} ORDER BY number", community)
        ]

    async def stale(self, community: int, quiet_since: datetime) -> list[int]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT number FROM incidents WHERE community = $1 AND NOT closed AND last_news_at <= $2 ORDER BY number",
            community,
            quiet_since,
        )
        return [r[0] for r in found]

    async def card_message(self, community: int, number: int) -> int | None:
        conn = await self._uow.conn(community)
        found = await conn.fetchrow(
            "SELECT card_message FROM incidents WHERE community = $1 AND number = $2", community, number
        )
        return None if found is None else found[0]

    async def set_card(self, community: int, number: int, message_id: int | None) -> None:
        conn = await self._uow.conn(community)
        await conn.execute(
            "UPDATE incidents SET card_message = $1 WHERE community = $2 AND number = $3", message_id, community, number
        )


def _summary(r: asyncpg.Record) -> IncidentSummary:
    return IncidentSummary(
        number=r["number"],
        status=Status(r["status"]),
        place=r["place_label"],
        area=r["area"],
        priority=r["priority"],
        contested=r["contested"],
        reports=r["reports"],
        reporters=r["reporters"],
        first_observed=r["first_observed"],
        last_observed=r["last_observed"],
        updated_at=r["updated_at"],
        card_message=r["card_message"],
    )
