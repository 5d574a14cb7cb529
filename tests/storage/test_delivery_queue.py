"""The delivery worker's side of the outbox: doubt kept until known, one recipient's messages in order.

A tiny stand-in for a Discord DM channel (messages with their creation times; nonces remembered for
a couple of minutes) and the worker's protocol as bot/features/delivery/worker.py follows it let these tests count
the copies a person ends up with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

import storage
from storage.sqlite.database import connect
from storage.sqlite.migrations import bundled, migrate
from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import AlertKind
from verification.deliveries import DeliveryState
from verification.model import Language
from verification.ports import ClaimedDelivery, DeliveryQueue
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
NONCE_MEMORY = timedelta(minutes=2)
DM = 9001


@pytest.fixture
def database(any_database: storage.AnyDatabase) -> storage.AnyDatabase:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database


@dataclass
class DmChannel:
    """A DM channel as Discord keeps it: a repeated nonce within its memory returns the first message."""

    messages: list[tuple[datetime, str, int]] = field(default_factory=list)  # (created, nonce, id)

    def send(self, at: datetime, nonce: str) -> int:
        for created, known, message_id in self.messages:
            if known == nonce and at - created < NONCE_MEMORY:
                return message_id
        self.messages.append((at, nonce, len(self.messages) + 1))
        return len(self.messages)

    def find_after(self, moment: datetime, nonce: str) -> int | None:
        """The worker looks for the message's reference; the nonce stands in for it here."""
        return next((m for created, known, m in self.messages if created > moment and known == nonce), None)


async def _one_subscriber_alert(database: storage.AnyDatabase, *subscribers: int) -> None:
    uow = database.unit_of_work()
    await set_up_chicago(uow, alerts_channel=None)
    for user in subscribers or (501,):
        await usecases.subscribe(uow, CHICAGO, user, None, Language.ES)
    report = ReportInput(CHICAGO, "r1", "hamline elementary!!", "la migra en la escuela, 2 agentes 😰", "11:15")
    await usecases.submit_report(uow, NOW - timedelta(minutes=5), report)
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)


async def _claim_one(queue: DeliveryQueue, now: datetime) -> ClaimedDelivery:
    [claimed] = await queue.claim(now, 10)
    return claimed


FailedCheck = Callable[[DeliveryQueue, ClaimedDelivery, datetime], Awaitable[None]]


async def _as_the_worker_answers_a_5xx(queue: DeliveryQueue, d: ClaimedDelivery, now: datetime) -> None:
    await queue.retry(d.id, "http 503", now + timedelta(seconds=30), now)


async def _as_the_worker_answers_a_network_error(queue: DeliveryQueue, d: ClaimedDelivery, now: datetime) -> None:
    await queue.retry(d.id, "network: ClientOSError", now + timedelta(seconds=30), now, in_doubt=True)


async def _as_a_failed_check(queue: DeliveryQueue, d: ClaimedDelivery, now: datetime) -> None:
    await queue.check_failed(d.id, "http 503", now + timedelta(seconds=30), now)


@pytest.mark.parametrize(
    "report_failed_check",
    [_as_the_worker_answers_a_5xx, _as_the_worker_answers_a_network_error, _as_a_failed_check],
)
async def test_a_failed_history_check_after_a_crash_then_recovery_leaves_exactly_one_copy(
    database, report_failed_check: FailedCheck
):
    """Found in review: the look in DM history after a crash searched from the LATEST claim, and a
    failed look (5xx, 429) became a plain resend. Either way the subscriber got the alert twice."""
    await _one_subscriber_alert(database)
    queue = storage.delivery_queue(database)
    channel = DmChannel()

    first = await _claim_one(queue, NOW)
    assert first.in_doubt_since is None
    channel.send(NOW, first.nonce)  # it reached Discord, and the process died before recording it

    restart = NOW + timedelta(minutes=10)  # longer than Discord remembers the nonce
    assert await queue.recover(restart) == 1
    again = await _claim_one(queue, restart)
    assert again.in_doubt_since == NOW
    await report_failed_check(queue, again, restart)  # Discord answered the history request with a 503

    later = restart + timedelta(minutes=1)
    d = await _claim_one(queue, later)
    found = None
    if d.in_doubt_since is not None and later - d.in_doubt_since >= NONCE_MEMORY:
        found = channel.find_after(d.in_doubt_since - timedelta(microseconds=1), d.nonce)
    await queue.sent(d.id, DM, found or channel.send(later, d.nonce), later)

    assert len(channel.messages) == 1
    assert d.in_doubt_since == NOW  # the first claim, whatever happened since
    assert await queue.claim(later, 10) == []
    counts = await usecases.delivery_counts(database.unit_of_work())
    assert (counts.sent, counts.in_doubt) == (1, 0)


async def test_the_first_claim_is_kept_across_timeouts_and_a_doubt_outlives_later_clean_errors(database):
    await _one_subscriber_alert(database)
    queue = storage.delivery_queue(database)
    d = await _claim_one(queue, NOW)
    await queue.retry(d.id, "http 502", NOW + timedelta(seconds=5), NOW)  # Discord said no: surely not sent
    d = await _claim_one(queue, NOW + timedelta(seconds=5))
    assert d.in_doubt_since is None
    await queue.retry(d.id, "network: TimeoutError", NOW + timedelta(minutes=1), NOW, in_doubt=True)
    for minutes in (1, 3, 7):
        d = await _claim_one(queue, NOW + timedelta(minutes=minutes))
        assert d.in_doubt_since == NOW  # the first claim, not the latest
        await queue.retry(d.id, "http 500", NOW + timedelta(minutes=minutes + 2), NOW + timedelta(minutes=minutes))
    counts = await usecases.delivery_counts(database.unit_of_work())
    assert (counts.queued, counts.in_doubt) == (1, 1)


async def test_a_failed_history_check_is_not_a_send_attempt_and_is_counted_apart(database):
    await _one_subscriber_alert(database)
    queue = storage.delivery_queue(database)
    d = await _claim_one(queue, NOW)
    await queue.recover(NOW + timedelta(minutes=5))
    for i in range(3):
        moment = NOW + timedelta(minutes=5 + i)
        d = await _claim_one(queue, moment)
        assert (d.attempts, d.checks) == (2, i)
        await queue.check_failed(d.id, "http 429", moment + timedelta(seconds=30), moment)
    [record] = await usecases.delivery_log(database.unit_of_work(), CHICAGO, 1)
    assert record.state is DeliveryState.QUEUED
    assert record.error == "history check: http 429"
    assert await queue.claim(NOW + timedelta(minutes=7, seconds=29), 10) == []  # its backoff holds


async def test_when_discord_answers_again_what_waited_on_the_outage_is_due_and_nothing_else(database):
    """Issue 23 (recovery after an outage): a send or a look in DM history that met a 5xx or no answer
    waits out its backoff only until Discord answers again; a 429's or a closed DM's wait stands, and a
    doubt stays a doubt (the claim still looks before it sends)."""
    users = (501, 502, 503, 504, 505)
    await _one_subscriber_alert(database, *users)
    queue = storage.delivery_queue(database)
    claimed = {d.recipient.address: d for d in await queue.claim(NOW, 10)}
    later = NOW + timedelta(minutes=5)
    await queue.retry(claimed[501].id, "outage: http 502", later, NOW, in_doubt=True)  # may have arrived
    await queue.retry(claimed[502].id, "outage: network: ClientOSError", later, NOW, in_doubt=True)
    await queue.retry(claimed[503].id, "http 429", later, NOW)
    await queue.retry(claimed[504].id, "dms_closed", later, NOW)
    await queue.recover(NOW + timedelta(minutes=3))  # (no row is left sending: nothing changes)
    await queue.retry(claimed[505].id, "network: TimeoutError", NOW + timedelta(seconds=1), NOW, in_doubt=True)
    [check] = await queue.claim(NOW + timedelta(minutes=3), 10)  # 505 is due: its look in DM history fails
    await queue.check_failed(check.id, "outage: http 503", later, NOW + timedelta(minutes=3))

    back = NOW + timedelta(minutes=4)
    assert await queue.claim(back, 10) == []
    assert await queue.resume_after_outage(back) == 3
    due = {d.recipient.address: d for d in await queue.claim(back, 10)}
    assert sorted(due) == [501, 502, 505]
    assert all(d.in_doubt_since == NOW for d in due.values())  # looked for (or sent with its nonce), not blindly
    assert due[505].checks == 1
    assert await queue.next_due() == later  # 503's and 504's own waits
    assert await queue.resume_after_outage(back) == 0


async def test_a_delivery_not_tried_because_discord_went_down_goes_back_as_it_was(database):
    await _one_subscriber_alert(database, 501, 502)
    queue = storage.delivery_queue(database)
    first, second = await queue.claim(NOW, 10)
    await queue.retry(first.id, "outage: http 502", NOW + timedelta(seconds=2), NOW, in_doubt=True)
    again = await _claim_one(queue, NOW + timedelta(seconds=2))
    assert again.attempts == 2
    await queue.postpone(again.id, "outage: not tried", NOW + timedelta(seconds=2))
    await queue.sent(second.id, DM, 7, NOW)
    await queue.postpone(second.id, "outage: not tried", NOW + timedelta(seconds=3))  # settled: left alone
    [d] = await queue.claim(NOW + timedelta(seconds=3), 10)
    assert (d.id, d.attempts, d.in_doubt_since) == (first.id, 2, NOW)  # the untried attempt given back
    log = {r.recipient.address: r.state for r in await usecases.delivery_log(database.unit_of_work(), CHICAGO, 1)}
    assert log[second.recipient.address] is DeliveryState.SENT


async def test_one_recipients_amendments_go_in_order_never_a_retraction_before_its_correction(database):
    """Found in review: a correction and a retraction to one person were claimed in one batch and sent
    at once; and a correction waiting on a retry was overtaken by the retraction."""
    await _one_subscriber_alert(database)
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    alert = await _claim_one(queue, NOW)
    await queue.sent(alert.id, DM, 1, NOW)
    await usecases.correct(uow, NOW + timedelta(minutes=5), CHICAGO, 1, MOD_C, "eran 3 agentes, no 2")
    await usecases.debunk(uow, NOW + timedelta(minutes=6), CHICAGO, 1, MOD_C, "film crew!!")

    batch = await queue.claim(NOW + timedelta(minutes=6), 10)
    assert [d.kind for d in batch] == [AlertKind.CORRECTION]
    retry_at = NOW + timedelta(minutes=9)
    await queue.retry(batch[0].id, "http 503", retry_at, NOW + timedelta(minutes=6))
    assert await queue.claim(NOW + timedelta(minutes=7), 10) == []  # the retraction waits for it
    assert await queue.next_due() == retry_at  # and the worker is not woken for the blocked one
    [correction] = await queue.claim(retry_at, 10)
    assert correction.kind is AlertKind.CORRECTION
    assert await queue.claim(retry_at, 10) == []  # still in flight
    await queue.sent(correction.id, DM, 2, retry_at)
    [retraction] = await queue.claim(retry_at, 10)
    assert retraction.kind is AlertKind.RETRACTION


async def test_an_earlier_amendment_takes_the_priority_of_an_urgent_one_queued_behind_it(database):
    """Waiting for the same person's earlier UPDATE must not put a CORRECTION behind a whole new
    alert's fan-out: the UPDATE goes at the correction's priority."""
    await _one_subscriber_alert(database)
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    alert = await _claim_one(queue, NOW)
    await queue.sent(alert.id, DM, 1, NOW)
    await usecases.add_update(uow, NOW + timedelta(minutes=1), CHICAGO, 1, MOD_C, "siguen en la puerta")
    for user in range(600, 620):
        await usecases.subscribe(uow, CHICAGO, user, "Pilsen", Language.EN)
    pilsen = ReportInput(CHICAGO, "r2", "whittier park", "agents near the park...", "11:30")
    await usecases.submit_report(uow, NOW + timedelta(minutes=2), pilsen)
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=3), CHICAGO, 2, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=3), CHICAGO, 2, MOD_B, pseudonyms=moderator_pseudonyms)
    await usecases.correct(uow, NOW + timedelta(minutes=4), CHICAGO, 1, MOD_C, "2 agents, not 4")

    moment = NOW + timedelta(minutes=4)
    [first] = await queue.claim(moment, 1)
    assert (first.message.number, first.kind) == (1, AlertKind.UPDATE)
    await queue.sent(first.id, DM, 2, moment)
    [second] = await queue.claim(moment, 1)
    assert (second.message.number, second.kind) == (1, AlertKind.CORRECTION)


@pytest.mark.parametrize("tell_doubt", [False, True])
async def test_an_alert_given_up_after_a_timeout_keeps_its_amendments(database, tell_doubt):
    """It may have arrived. The worker gives up after its last try, whether or not it says that this
    try timed out too: an earlier timeout is remembered."""
    await _one_subscriber_alert(database)
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    d = await _claim_one(queue, NOW)
    await queue.retry(d.id, "network: TimeoutError", NOW + timedelta(seconds=10), NOW, in_doubt=True)
    d = await _claim_one(queue, NOW + timedelta(seconds=10))
    if tell_doubt:
        await queue.failed(d.id, "gave up: network: TimeoutError", NOW + timedelta(seconds=20), in_doubt=True)
    else:
        await queue.failed(d.id, "gave up: http 503", NOW + timedelta(seconds=20))
    outcome = await usecases.debunk(uow, NOW + timedelta(minutes=30), CHICAGO, 1, MOD_C, "falsa alarma")
    assert outcome.deliveries == 1
    [retraction] = await queue.claim(NOW + timedelta(minutes=30), 10)
    assert (retraction.kind, retraction.recipient.address, retraction.amends) == (AlertKind.RETRACTION, 501, None)


async def test_an_alert_that_surely_failed_cancels_its_amendments(database):
    await _one_subscriber_alert(database)
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    d = await _claim_one(queue, NOW)  # in flight while a moderator corrects the incident
    await usecases.correct(uow, NOW + timedelta(seconds=5), CHICAGO, 1, MOD_C, "2 agents")
    await queue.failed(d.id, "rejected: 400 50035", NOW + timedelta(seconds=6))
    states = {r.kind: (r.state, r.error) for r in await usecases.delivery_log(uow, CHICAGO, 1)}
    assert states[AlertKind.CORRECTION] == (DeliveryState.CANCELLED, "alert_not_delivered")
    assert await queue.next_due() is None


async def test_closing_keeps_a_delivery_in_doubt_and_owes_its_recipient_the_retraction(database):
    await _one_subscriber_alert(database, 501, 502)
    uow = database.unit_of_work()
    queue = storage.delivery_queue(database)
    [d, _] = await queue.claim(NOW, 1) + [None]
    await queue.recover(NOW + timedelta(minutes=3))  # the process died while sending it
    outcome = await usecases.debunk(uow, NOW + timedelta(minutes=4), CHICAGO, 1, MOD_C, "it was a drill")
    assert outcome.cancelled == 1  # the other subscriber's, never claimed
    assert outcome.deliveries == 1
    log = {(r.kind, r.recipient.address): r.state for r in await usecases.delivery_log(uow, CHICAGO, 1)}
    assert log[(AlertKind.ALERT, d.recipient.address)] is DeliveryState.QUEUED
    assert log[(AlertKind.RETRACTION, d.recipient.address)] is DeliveryState.QUEUED


async def test_the_migration_keeps_what_was_in_doubt_in_doubt(tmp_path):
    """Rows written by the previous schema: a queued row kept claimed_at only while in doubt; a row that
    gave up after a network error or a crash of its send may have arrived."""
    path = tmp_path / "veraz.db"
    db = await connect(path)
    await migrate(db, bundled()[:1])
    await db.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO communities (id) VALUES (1)")
        raw.execute("INSERT INTO alerts (id, community, number, seq, kind, created_at, payload) "
                    "VALUES (1, 1, 1, 1, 'alert', 'x', '{}')")  # fmt: skip
        rows = [
            (1, "queued", "2025-01-24T17:20:00.000000+00:00", None),
            (2, "queued", None, "http 503"),
            (3, "sending", "2025-01-24T17:21:00.000000+00:00", None),
            (4, "failed", "2025-01-24T17:22:00.000000+00:00", "gave up: network: TimeoutError"),
            (5, "failed", "2025-01-24T17:22:00.000000+00:00", "rejected: 400 50035"),
            (6, "sent", "2025-01-24T17:22:00.000000+00:00", None),
        ]
        raw.executemany(
            "INSERT INTO deliveries (id, alert_id, community, number, kind, recipient_kind, recipient, language, "
            "priority, state, next_attempt_at, nonce, claimed_at, error, created_at, updated_at) "
            "VALUES (?1, 1, 1, 1, 'alert', 'dm', ?1, 'en', 1, ?2, 'x', 'n', ?3, ?4, 'x', 'x')",
            rows,
        )
    database = await storage.open_database(tmp_path)
    try:
        async with database.db.execute("SELECT id, in_doubt, first_claimed_at FROM deliveries ORDER BY id") as cur:
            found = {r[0]: (r[1], r[2] is not None) for r in await cur.fetchall()}
    finally:
        await database.close()
    assert found == {1: (1, True), 2: (0, False), 3: (1, True), 4: (1, True), 5: (0, True), 6: (0, True)}
