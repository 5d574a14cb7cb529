"""Leadership from PostgreSQL (storage.postgres.leadership): one active process, fenced by its epoch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

import storage
from storage.postgres.database import PostgresDatabase
from storage.postgres.delivery_queue import NotLeader, PostgresDeliveryQueue
from storage.postgres.key_check import KeyMismatch, check_pseudonym_key, check_value
from storage.postgres.leadership import Leadership, application_name, processes

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)


@pytest.fixture
async def pg(postgres_url: str):
    database = await PostgresDatabase.open(postgres_url)
    try:
        yield database
    finally:
        await database.close()


async def test_one_leader_at_a_time_and_a_new_epoch_at_each_takeover(pg):
    a, b = Leadership(pg.url, "host-a"), Leadership(pg.url, "host-b")
    await a.open()
    await b.open()
    try:
        assert await a.try_acquire() == 1
        assert await b.try_acquire() is None  # a holds it and renews
        assert await a.renew()
        await a._connection().close()  # host A dies: its connection closes, its lock is freed
        assert await b.try_acquire() == 2
        assert not await a.renew()  # A, if it were still running, knows it lost
        assert a.current_epoch() is None
    finally:
        await a.close()
        await b.close()


async def test_the_database_refuses_a_stale_epoch_for_every_claim_and_settlement(pg):
    a, b = Leadership(pg.url, "host-a"), Leadership(pg.url, "host-b")
    await a.open()
    await b.open()
    try:
        await a.try_acquire()
        stale = PostgresDeliveryQueue(pg, lambda: 1)  # A, not noticing it lost leadership
        assert await stale.claim(NOW, 10) == []
        await a._connection().close()
        assert await b.try_acquire() == 2
        for step in (
            stale.claim(NOW, 10),
            stale.recover(NOW),
            stale.sent(1, 2, 3, NOW),
            stale.failed(1, "x", NOW),
            stale.retry(1, "x", NOW, NOW),
            stale.check_failed(1, "x", NOW, NOW),
            stale.postpone(1, "x", NOW),
            stale.resume_after_outage(NOW),
            stale.next_due(),
        ):
            with pytest.raises(NotLeader, match="stale leader"):
                await step
        assert await PostgresDeliveryQueue(pg, lambda: 2).claim(NOW, 10) == []
        with pytest.raises(NotLeader, match="standby"):
            await PostgresDeliveryQueue(pg, lambda: None).claim(NOW, 10)
    finally:
        await a.close()
        await b.close()


async def test_a_silent_active_process_is_taken_over_after_its_lease(pg):
    """A frozen VM keeps its connection (its kernel answers keepalives) but renews nothing: once the lease
    has run out, a standby ends that process's connections and takes over."""
    a, b = Leadership(pg.url, "host-a"), Leadership(pg.url, "host-b")
    frozen_pool = await PostgresDatabase.open(pg.url, application_name=application_name("host-a"))
    await a.open()
    await b.open()
    try:
        await a.try_acquire()
        assert await b.try_acquire() is None
        async with pg.connection() as conn:  # as if A had been silent for a minute
            await conn.execute("UPDATE veraz_leadership SET renewed_at = now() - interval '1 minute'")
        assert await b.try_acquire() is None  # this poll ends A's connections...
        epoch = None
        for _ in range(50):
            epoch = await b.try_acquire()  # ...and a later one takes the lock
            if epoch is not None:
                break
            await asyncio.sleep(0.05)
        assert epoch == 2
        assert a._conn is not None
        with pytest.raises(Exception):  # noqa: B017,PT011 - the server ended it: any driver error will do
            await a._conn.fetchval("SELECT 1")
        rows = {p.id: p.role for p in await processes(b._connection())}
        assert rows["host-b"] == "active"
    finally:
        await frozen_pool.close()
        await a.close()
        await b.close()


async def test_the_database_confirms_the_leader_even_when_its_clock_says_nothing_happened(pg):
    """A paused VM whose hypervisor hides the pause from the guest's clock: its lease looks fresh to
    itself, but the database knows the epoch moved on. Concurrent requests share one confirmation."""
    a, b = Leadership(pg.url, "host-a"), Leadership(pg.url, "host-b")
    await a.open()
    await b.open()
    try:
        assert await a.try_acquire() == 1
        assert await a.confirm()
        before = a._checks
        assert all(await asyncio.gather(*(a.confirm() for _ in range(20)), a.renew()))
        assert a._checks - before <= 2  # one under way when they came, then one begun after all of them
        async with pg.connection() as conn:  # B took over while A's clock stood still
            await conn.execute("UPDATE veraz_leadership SET epoch = 2, holder = 'host-b', renewed_at = now()")
        assert a.current_epoch() == 1  # A cannot tell from its own clock...
        assert not await a.confirm()  # ...but the database can
        await a._connection().close()  # and once its connection is gone (its lock with it): no, at once
        assert not await a.confirm()
    finally:
        await a.close()
        await b.close()


async def test_a_process_whose_pseudonym_key_differs_refuses_to_start(pg):
    await check_pseudonym_key(pg, b"the first host's key, 32 bytes!!")
    await check_pseudonym_key(pg, b"the first host's key, 32 bytes!!")  # the same key: fine
    with pytest.raises(KeyMismatch, match=r"copy pseudonym\.key"):
        await check_pseudonym_key(pg, b"another key made on a second host")
    stored = await pg.fetch("SELECT value FROM veraz_settings")
    assert [r[0] for r in stored] == [check_value(b"the first host's key, 32 bytes!!")]
    assert b"first host" not in str(stored).encode()


def test_the_facade_opens_postgresql_only_for_postgresql_urls(tmp_path):
    assert storage.is_postgres("postgresql://u@h/db")
    assert not storage.is_postgres(None)
    with pytest.raises(ValueError, match="postgresql://"):
        asyncio.run(storage.open_database(tmp_path, url="mysql://u@h/db"))
