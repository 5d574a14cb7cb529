"""Every storage backend claims what the fair rule (verification.fair_share) says, in its order.

A model of the outbox, kept here in plain Python, knows which deliveries are claimable (queued, due,
ready) and feeds ALL of them to `fair_claim`: the answer full knowledge gives. The backend, which reads
only a few rows per alert through its indexes, must claim exactly those ids, in that order, batch after
batch, while alerts and corrections are added, deliveries are sent, retried later or given up, in random
order (hypothesis). The in-memory fake (tests/fakes.py) is held to it too. A new backend (PostgreSQL)
adds itself to `BACKENDS`.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import storage
from storage.sqlite import sql
from tests.fakes import FakeDeliveryQueue, FakeUnitOfWork
from verification.alerts import AlertFacts, AlertKind, AlertMessage
from verification.community import Recipient, RecipientKind
from verification.deliveries import NewDelivery
from verification.fair_share import Due, Stream, fair_claim, rank
from verification.model import Language, PlaceKind, Status
from verification.ports import DeliveryQueue, UnitOfWork

T0 = datetime(2025, 1, 24, 18, 0, tzinfo=UTC)


def message(kind: AlertKind, number: int, seq: int) -> AlertMessage:
    facts = AlertFacts(
        number=number, status=Status.CONFIRMED, place="Hamline Elementary", area="Back of the Yards",
        place_kind=PlaceKind.SCHOOL, block=None, observed_at=T0, agencies_named=(), people=2, reporter_count=2,
        contested=False, confirmed_at=T0, confirmation_basis=None, confirmation_source=None,
        established_agency=None, statements=(), corrections=(), updates=(), change="", change_statement=None,
    )  # fmt: skip
    return AlertMessage(seq, kind, number, seq, T0, None if kind is AlertKind.ALERT else 1, facts)


@dataclass
class Row:
    id: int
    alert: int
    community: int
    number: int
    recipient: tuple[RecipientKind, int]
    priority: int
    depends_on: int | None
    state: str = "queued"
    in_doubt: bool = False
    due_at: datetime = T0


@dataclass
class Model:
    """The outbox as the rule sees it, and the turns: stamped when an alert is added, moved by claims."""

    rows: dict[int, Row] = field(default_factory=dict)
    turns: dict[int, tuple[int, int]] = field(default_factory=dict)  # alert -> (community, turn)

    def claimable(self, now: datetime) -> list[Row]:
        def ready(r: Row) -> bool:
            dep = self.rows.get(r.depends_on) if r.depends_on is not None else None
            if dep is not None and not (dep.state == "sent" or (dep.state == "failed" and dep.in_doubt)):
                return False
            return not any(
                (e.community, e.number, e.recipient) == (r.community, r.number, r.recipient)
                and e.id < r.id
                and e.state in ("queued", "sending")
                for e in self.rows.values()
            )

        return [r for r in self.rows.values() if r.state == "queued" and r.due_at <= now and ready(r)]

    def expected(self, now: datetime, limit: int) -> list[int]:
        streams: dict[int, list[Due]] = {}
        for r in self.claimable(now):
            streams.setdefault(r.alert, []).append(Due(r.id, rank(r.priority, r.recipient[0] is RecipientKind.DM)))
        community_turns: dict[int, int] = {}
        for community, turn in self.turns.values():
            community_turns[community] = max(community_turns.get(community, 0), turn)
        choice = fair_claim(
            [
                Stream(a, self.turns[a][0], self.turns[a][1], tuple(sorted(due, key=lambda d: (d.rank, d.id))))
                for a, due in streams.items()
            ],
            community_turns,
            max((t for _, t in self.turns.values()), default=0),
            limit,
        )
        for alert, turn in choice.turns.items():
            self.turns[alert] = (self.turns[alert][0], turn)
        for i in choice.ids:
            self.rows[i].state = "sending"
        return list(choice.ids)


@dataclass
class Backend:
    uow: UnitOfWork
    queue: DeliveryQueue


@asynccontextmanager
async def sqlite_backend() -> AsyncIterator[Backend]:
    with tempfile.TemporaryDirectory(prefix="veraz-fair-") as tmp:
        database = await storage.open_database(Path(tmp), synchronous="OFF")
        try:
            yield Backend(database.unit_of_work(), storage.SqliteDeliveryQueue(database))
        finally:
            await database.close()


@asynccontextmanager
async def memory_backend() -> AsyncIterator[Backend]:
    uow = FakeUnitOfWork()
    yield Backend(uow, FakeDeliveryQueue(uow.data))


BACKENDS: dict[str, Callable[[], AbstractAsyncContextManager[Backend]]] = {
    "memory": memory_backend,
    "sqlite": sqlite_backend,
}

COMMUNITIES = (101, 202, 303)
PEOPLE = range(1, 7)

# One step of the world: a new ALERT (DMs, sometimes a post in a channel), a CORRECTION of an incident
# alerted before (owed to each earlier ALERT recipient, after it), a claim, or the claimed settled.
alerts = st.tuples(
    st.just("alert"), st.sampled_from(COMMUNITIES), st.sets(st.sampled_from(PEOPLE), max_size=6), st.integers(-1, 6)
)  # where a post in a channel falls among the rows (-1: none)
claims = st.tuples(st.just("claim"), st.integers(1, 12))
steps = st.one_of(
    alerts, alerts, claims, claims,
    st.tuples(st.just("correct"), st.integers(0, 50)),
    st.tuples(st.just("settle"), st.lists(st.tuples(st.sampled_from(["sent", "sent", "retry", "failed", "doubt"]),
                                                    st.integers(0, 20)), min_size=1, max_size=12)),
    st.tuples(st.just("wait"), st.integers(1, 120)),
)  # fmt: skip


@pytest.mark.parametrize("backend", list(BACKENDS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(
    [("alert", 101, {1, 2, 3}, -1), ("alert", 202, {1, 2}, 2), ("claim", 3), ("alert", 303, {4, 5}, 0), ("claim", 12)]
)  # a new alert joins at the back of the round
@example([("alert", 101, {1, 2}, -1), ("claim", 1), ("alert", 101, {3}, -1), ("claim", 2)])  # and in a community
@given(st.lists(steps, min_size=5, max_size=60))
async def test_the_backend_claims_what_the_rule_gives_with_all_of_the_queue_known(backend, world):
    model = Model()
    numbers: dict[int, int] = {}
    seqs: dict[tuple[int, int], int] = {}
    alerted: list[tuple[int, int, int, list[int]]] = []  # (alert id, community, number, its ALERT rows)
    in_flight: list[int] = []
    now = T0
    async with BACKENDS[backend]() as b:
        for step in world:
            match step:
                case ("alert", community, people, post_at):
                    numbers[community] = numbers.get(community, 0) + 1
                    number = numbers[community]
                    recipients = [Recipient(RecipientKind.DM, p, Language.EN) for p in sorted(people)]
                    if post_at >= 0:
                        recipients.insert(post_at, Recipient(RecipientKind.CHANNEL, 9000 + community, Language.EN))
                    async with b.uow:
                        alert = await b.uow.outbox.add_alert(community, message(AlertKind.ALERT, number, 1))
                        ids = await b.uow.outbox.enqueue(alert, [NewDelivery(r, 1) for r in recipients], now)
                        await b.uow.commit()
                    model.turns[alert] = (community, max((t for _, t in model.turns.values()), default=0))
                    for i, r in zip(ids, recipients, strict=True):
                        model.rows[i] = Row(i, alert, community, number, (r.kind, r.address), 1, None, due_at=now)
                    alerted.append((alert, community, number, ids))
                case ("correct", which) if alerted:
                    _, community, number, alert_rows = alerted[which % len(alerted)]
                    seqs[(community, number)] = seq = seqs.get((community, number), 1) + 1
                    owed = [model.rows[i] for i in alert_rows]
                    async with b.uow:
                        alert = await b.uow.outbox.add_alert(community, message(AlertKind.CORRECTION, number, seq))
                        ids = await b.uow.outbox.enqueue(
                            alert,
                            [
                                NewDelivery(Recipient(r.recipient[0], r.recipient[1], Language.EN), 0, r.id)
                                for r in owed
                            ],
                            now,
                        )
                        await b.uow.commit()
                    model.turns[alert] = (community, max((t for _, t in model.turns.values()), default=0))
                    for i, r in zip(ids, owed, strict=True):
                        model.rows[i] = Row(i, alert, community, number, r.recipient, 0, r.id, due_at=now)
                case ("claim", limit):
                    expected = model.expected(now, limit)
                    claimed = [d.id for d in await b.queue.claim(now, limit)]
                    assert claimed == expected
                    in_flight += claimed
                case ("settle", outcomes):
                    for outcome, which in outcomes:
                        if not in_flight:
                            break
                        row = model.rows[in_flight.pop(which % len(in_flight))]
                        if outcome == "sent":
                            await b.queue.sent(row.id, 1, 1, now)
                            row.state = "sent"
                        elif outcome == "retry":
                            row.due_at = now + timedelta(seconds=30)
                            await b.queue.retry(row.id, "http 503", row.due_at, now)
                            row.state = "queued"
                        else:  # given up; "doubt": after a timeout, so it may have arrived
                            await b.queue.failed(row.id, "gave up", now, in_doubt=outcome == "doubt")
                            row.state, row.in_doubt = "failed", outcome == "doubt"
                            if not row.in_doubt:  # its amendments are owed to nobody
                                for r in model.rows.values():
                                    if r.depends_on == row.id and r.state == "queued":
                                        r.state = "cancelled"
                case ("wait", seconds):
                    now += timedelta(seconds=seconds)
        # Drained to the end, batch by batch, still in step.
        while expected := model.expected(now + timedelta(hours=1), 5):
            assert [d.id for d in await b.queue.claim(now + timedelta(hours=1), 5)] == expected
            for i in expected:
                await b.queue.sent(i, 1, 1, now)
                model.rows[i].state = "sent"
        assert await b.queue.claim(now + timedelta(hours=1), 5) == []


async def test_a_claim_reads_only_the_alerts_in_progress_and_their_rows(database):
    """The query shapes a large backlog needs: no scan of the table, no sort of the backlog."""
    from storage.sqlite.delivery_queue import _ACTIVE, _CLAIMABLE

    async with database.transaction() as tx:
        active = [r[-1] for r in await sql.rows(tx.db, "EXPLAIN QUERY PLAN " + _ACTIVE)]
        claimable = [r[-1] for r in await sql.rows(tx.db, "EXPLAIN QUERY PLAN " + _CLAIMABLE, (1, "x", 5))]
        counter = [r[-1] for r in await sql.rows(tx.db, "EXPLAIN QUERY PLAN SELECT MAX(turn) FROM alerts")]
    assert all("SCAN deliveries" not in p and "TEMP B-TREE" not in p for p in active + claimable), active + claimable
    assert sum("deliveries_queued" in p for p in active) == 2  # the first alert in progress, then each next
    assert "SEARCH d USING INDEX deliveries_queued (alert_id=?)" in claimable
    assert counter == ["SEARCH alerts USING COVERING INDEX alerts_turn"]
