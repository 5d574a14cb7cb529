"""A failover onto a host whose clock is behind (issue 22): the process keeps time by the database's clock
(storage.postgres.clock), so the rest of a fan-out is due at once on the new active host, and the rows the
old one left in flight are recovered at start, not X minutes later."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from storage.postgres.clock import DatabaseClock
from storage.postgres.database import PostgresDatabase
from storage.postgres.delivery_queue import PostgresDeliveryQueue
from storage.postgres.leadership import Leadership
from tests.builders import MOD_A, MOD_B
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.model import Language
from verification.usecases import ReportInput

BEHIND = timedelta(minutes=5)
SUBSCRIBERS = 40


@pytest.fixture
async def pg(postgres_url: str):
    database = await PostgresDatabase.open(postgres_url)
    try:
        yield database
    finally:
        await database.close()


def behind() -> datetime:
    return datetime.now(UTC) - BEHIND


async def _fan_out(database: PostgresDatabase, now: datetime) -> None:
    """A confirmed alert for SUBSCRIBERS people, queued by the active host at `now` (its clock)."""
    uow = database.unit_of_work()
    await set_up_chicago(uow, alerts_channel=None)
    for user in range(SUBSCRIBERS):
        await usecases.subscribe(uow, CHICAGO, 1000 + user, None, Language.ES)
    report = ReportInput(CHICAGO, "r1", "hamline elementary!!", "la migra en la escuela, 2 agentes", "11:15")
    await usecases.submit_report(uow, now - timedelta(minutes=1), report)
    await usecases.vote_confirm(uow, now, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, now, CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)


async def test_a_host_whose_clock_is_behind_takes_over_and_delivers_the_rest_of_the_fan_out_at_once(pg, caplog):
    a = Leadership(pg.url, "host-a")  # its host clock is right
    b = Leadership(pg.url, "host-b", DatabaseClock(behind))  # its host clock is five minutes behind
    await a.open()
    try:
        assert await a.try_acquire() == 1
        await _fan_out(pg, a.clock.now())
        queue_a = PostgresDeliveryQueue(pg, a.current_epoch)
        in_flight = await queue_a.claim(a.clock.now(), 5)
        assert len(in_flight) == 5
        await a._connection().close()  # host A dies mid fan-out, five sends in flight

        with caplog.at_level(logging.WARNING, logger="storage.postgres.clock"):
            await b.open()
            assert await b.try_acquire() == 2
            assert await b.renew()
            assert await b.renew()
        said = [r for r in caplog.records if r.name == "storage.postgres.clock"]
        assert len(said) == 1, "said once, however often the clock is measured"
        assert said[0].levelno == logging.ERROR
        assert "clock is 300 s behind the database's" in said[0].getMessage()

        queue_b = PostgresDeliveryQueue(pg, b.current_epoch)
        # The review's reproduction: by the host's own clock, nothing A queued is due yet.
        assert await queue_b.claim(behind(), 1000) == []
        assert await queue_b.recover(behind()) == 0
        # By the process's clock (the database's), the rows A left in flight come back at start...
        assert abs(b.clock.now() - datetime.now(UTC)) < timedelta(seconds=2)
        assert await queue_b.recover(b.clock.now()) == 5
        # ...and everything left, those included, is due at once.
        rest = await queue_b.claim(b.clock.now(), 1000)
        assert len(rest) == SUBSCRIBERS
        assert {d.id for d in in_flight} <= {d.id for d in rest}
    finally:
        await a.close()
        await b.close()


def test_the_clock_follows_the_database_ignoring_jitter_and_slow_answers():
    host = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
    clock = DatabaseClock(lambda: host)
    assert clock.now() == host  # unmeasured: the host's time
    clock.observe(
        host + timedelta(minutes=3, seconds=0.1), host - timedelta(seconds=0.1), host + timedelta(seconds=0.1)
    )
    assert clock.now() == host + timedelta(minutes=3)
    clock.observe(host + timedelta(minutes=3, seconds=0.3), host, host)  # jitter: the clock does not move
    assert clock.offset == timedelta(minutes=3, seconds=0.1)
    clock.observe(host, host - timedelta(seconds=5), host)  # a 5-second round trip says too little
    assert clock.offset == timedelta(minutes=3, seconds=0.1)
    clock.observe(host + timedelta(seconds=1), host, host)  # the host's clock was stepped: followed
    assert clock.now() == host + timedelta(seconds=1)
