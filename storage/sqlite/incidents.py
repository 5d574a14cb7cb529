"""The incident event log (append-only), its read model, and the clustering key index."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from intake.place.words import distinctive, tokens
from verification.clustering import Candidate
from verification.events import IncidentEvent, StatementAttached, from_record, to_record
from verification.incident import Incident, advance, replay
from verification.model import Status
from verification.ports import IncidentSummary

from . import sql
from .connection import SqliteConnection
from .timestamps import from_ts, maybe_ts, ts

CACHE_LIMIT = 5000  # incidents whose decoded history is kept


class SqliteIncidents:
    """Incidents' event logs and read model.

    Decoded histories are cached: the log is append-only (the database refuses anything else), so what
    was read once stays a true prefix, and only newer events are read again. Appends made in a
    transaction that then rolls back are never in the cache: a history is cached only as read, and an
    incident appended to in the current transaction is dropped from the cache if it rolls back.
    """

    def __init__(self, db: SqliteConnection) -> None:
        self.db = db
        self._histories: dict[tuple[int, int], tuple[IncidentEvent, ...]] = {}
        self._states: dict[tuple[int, int], Incident] = {}  # the fold of the cached history
        self._touched: set[tuple[int, int]] = set()

    def transaction_ended(self, committed: bool) -> None:
        if not committed:
            for key in self._touched:
                self._histories.pop(key, None)
                self._states.pop(key, None)
        self._touched.clear()

    async def next_number(self, community: int) -> int:
        number = await sql.value(
            self.db,
            "UPDATE communities SET next_number = next_number + 1 WHERE id = ? RETURNING next_number - 1",
            (community,),
        )
        if number is None:
            raise LookupError(f"community {community} is not set up")
        return int(number)

    async def events(self, community: int, number: int) -> list[IncidentEvent]:
        key = (community, number)
        known = self._histories.get(key, ())
        found = await sql.rows(
            self.db,
            "SELECT payload FROM incident_events WHERE community = ? AND number = ? AND seq > ? ORDER BY seq",
            (community, number, len(known)),
        )
        history = known + tuple(from_record(json.loads(r[0])) for r in found)
        if key not in self._touched:
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
        if key not in self._touched:
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
        self._touched.add((community, number))
        await self._save_state(community, number, state, at)
        # `state` already holds the new events: they take the last places in its history.
        first_seq = len(state.history) - len(new) + 1
        await sql.run_many(
            self.db,
            "INSERT INTO incident_events (community, number, seq, kind, at, actor, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (community, number, seq, e.kind, ts(e.at), e.actor, json.dumps(to_record(e)))
                for seq, e in enumerate(new, start=first_seq)
            ],
        )
        await sql.run_many(
            self.db,
            "INSERT INTO statements (community, number, source, source_kind, stance, url, quote, published, "
            "attached_by, attached_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    community,
                    number,
                    e.statement.source,
                    e.statement.source_kind.value,
                    e.statement.stance.value,
                    e.statement.url,
                    e.statement.quote,
                    ts(e.statement.published),
                    e.actor,
                    ts(e.at),
                )
                for e in new
                if isinstance(e, StatementAttached)
            ],
        )
        # Keys only ever grow (a join or a merge adds some) and stay when the incident closes: lookups skip
        # closed incidents, and a reopened one must be found again by the same keys.
        last = ts(state.last_observed)
        await sql.run_many(
            self.db,
            "INSERT INTO incident_keys (community, key, number, last_observed) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community, key, number) DO UPDATE SET last_observed = excluded.last_observed",
            [(community, key, number, last) for key in dict.fromkeys(keys)],
        )

    async def _save_state(self, community: int, number: int, state: Incident, at: datetime) -> None:
        words = _words(state.place.label)
        await sql.run(
            self.db,
            """
            INSERT INTO incidents (community, number, status, place_key, place_label, area, place_kind,
                priority, contested, closed, reports, reporters, first_observed, last_observed, last_news_at,
                opened_at, updated_at, closed_at, words)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (community, number) DO UPDATE SET
                status = excluded.status, priority = excluded.priority, contested = excluded.contested,
                place_key = excluded.place_key, place_label = excluded.place_label, area = excluded.area,
                place_kind = excluded.place_kind, words = excluded.words,
                closed = excluded.closed, reports = excluded.reports, reporters = excluded.reporters,
                first_observed = excluded.first_observed, last_observed = excluded.last_observed,
                last_news_at = excluded.last_news_at, updated_at = excluded.updated_at,
                closed_at = CASE WHEN excluded.closed = 0 THEN NULL
                                 ELSE COALESCE(incidents.closed_at, excluded.closed_at) END
            """,
            (
                community,
                number,
                state.status.value,
                state.place.key,
                state.place.label,
                state.place.area,
                state.place.kind.value,
                int(state.priority),
                int(state.contested),
                int(state.closed),
                len(state.reports),
                state.reporter_count,
                ts(state.first_observed),
                ts(state.last_observed),
                ts(state.last_news_at),
                ts(state.opened_at),
                ts(at),
                maybe_ts(at if state.closed else None),
                words,
            ),
        )

    async def candidates(
        self, community: int, keys: Sequence[str], observed_at: datetime, window: timedelta
    ) -> list[Candidate]:
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        found = await sql.rows(
            self.db,
            f"""
            SELECT i.number, i.place_key, i.place_label, i.words, i.first_observed, i.last_observed,
                   group_concat(k.key, char(31)) AS matched
            FROM incident_keys k
            JOIN incidents i ON i.community = k.community AND i.number = k.number
            WHERE k.community = ? AND k.key IN ({marks}) AND k.last_observed >= ?
              AND i.first_observed <= ? AND i.closed = 0
            GROUP BY i.number
            ORDER BY i.number
            """,
            (community, *keys, ts(observed_at - window), ts(observed_at + window)),
        )
        return [
            Candidate(
                r["number"],
                r["place_key"],
                tuple(r["words"].split()),
                from_ts(r["first_observed"]),
                from_ts(r["last_observed"]),
                tuple(r["matched"].split("\x1f")),
                r["place_label"],
            )
            for r in found
        ]

    async def keys(self, community: int, number: int) -> list[str]:
        found = await sql.rows(
            self.db,
            "SELECT key FROM incident_keys WHERE community = ? AND number = ? ORDER BY key",
            (community, number),
        )
        return [r[0] for r in found]

    async def summaries(self, community: int, *, open_only: bool = True) -> list[IncidentSummary]:
        where = "community = ? AND closed = 0" if open_only else "community = ?"
        return [
            _summary(r)
            for r in await sql.rows(self.db, f"SELECT * FROM incidents WHERE {where} ORDER BY number", (community,))
        ]

    async def stale(self, community: int, quiet_since: datetime) -> list[int]:
        found = await sql.rows(
            self.db,
            "SELECT number FROM incidents WHERE community = ? AND closed = 0 AND last_news_at <= ? ORDER BY number",
            (community, ts(quiet_since)),
        )
        return [r[0] for r in found]

    async def pages_since(self, community: int, since: datetime) -> tuple[int, int]:
        # A gathered page escalates several incidents at one moment: it is one page.
        found = await sql.row(
            self.db,
            "SELECT COALESCE(SUM(json_extract(payload, '$.gathered') IS NOT 1), 0), "
            "COUNT(DISTINCT CASE WHEN json_extract(payload, '$.gathered') = 1 THEN at END) "
            "FROM incident_events WHERE community = ? AND kind = 'escalated' AND at >= ?",
            (community, ts(since)),
        )
        return (int(found[0]), int(found[1])) if found is not None else (0, 0)

    async def card_message(self, community: int, number: int) -> int | None:
        found = await sql.rows(
            self.db, "SELECT card_message FROM incidents WHERE community = ? AND number = ?", (community, number)
        )
        return found[0][0] if found else None

    async def set_card(self, community: int, number: int, message_id: int | None) -> None:
        await sql.run(
            self.db,
            "UPDATE incidents SET card_message = ? WHERE community = ? AND number = ?",
            (message_id, community, number),
        )


@lru_cache(maxsize=4096)
def _words(label: str) -> str:
    """The distinctive words of a place label, as stored for similarity (the same labels recur)."""
    return " ".join(distinctive(tokens(label)))


def _summary(r: sqlite3.Row) -> IncidentSummary:
    return IncidentSummary(
        number=r["number"],
        status=Status(r["status"]),
        place=r["place_label"],
        area=r["area"],
        priority=r["priority"],
        contested=bool(r["contested"]),
        reports=r["reports"],
        reporters=r["reporters"],
        first_observed=from_ts(r["first_observed"]),
        last_observed=from_ts(r["last_observed"]),
        updated_at=from_ts(r["updated_at"]),
        card_message=r["card_message"],
    )
