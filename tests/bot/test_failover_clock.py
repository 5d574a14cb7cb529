"""`veraz run` on PostgreSQL gives the bot the database's clock (issue 22): a standby on a host whose clock
is minutes behind the host that queued a fan-out takes over and finds the rest of it due at once.

In-process: the host's clock is set back (both the one SystemClock reads and the one the database clock
starts from), and the bot `run_with_standbys` would start is replaced by one that does what the delivery
worker does first with the clock it is given: recover what was left in flight, then claim what is due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import storage.postgres.clock
from bot.core.clock import Clock, SystemClock
from bot.core.fencing import Fence
from bot.core.settings import Settings
from bot.standby import run_with_standbys
from storage.postgres.database import PostgresDatabase
from storage.postgres.delivery_queue import PostgresDeliveryQueue
from storage.postgres.leadership import Leadership
from tests.storage.test_clock_skew import SUBSCRIBERS, _fan_out

BEHIND = timedelta(minutes=7)


def behind() -> datetime:
    return datetime.now(UTC) - BEHIND


async def test_a_standby_whose_host_clock_is_behind_delivers_the_rest_at_once(
    tmp_path: Path, postgres_url, monkeypatch
):
    database = await PostgresDatabase.open(postgres_url)
    a = Leadership(postgres_url, "host-a")
    await a.open()
    try:
        assert await a.try_acquire() == 1
        await _fan_out(database, a.clock.now())
        assert len(await PostgresDeliveryQueue(database, a.current_epoch).claim(a.clock.now(), 3)) == 3
        await a._connection().close()  # host A dies with three sends in flight
    finally:
        await a.close()

    # From here on this process is host B, whose clock is seven minutes behind.
    monkeypatch.setattr(SystemClock, "now", lambda self: behind().replace(microsecond=0))
    monkeypatch.setattr(storage.postgres.clock, "host_now", behind, raising=False)
    seen: dict[str, Any] = {}

    async def start(settings: Settings, token: str, stop: asyncio.Event, **options: Any) -> int:
        clock: Clock = options.get("clock") or SystemClock()
        fence: Fence = options["fence"]
        queue = PostgresDeliveryQueue(database, fence.epoch)
        seen["recovered"] = await queue.recover(clock.now())
        seen["claimed"] = len(await queue.claim(clock.now(), 1000))
        return 0

    async def no_feed(settings: Settings) -> None:
        return None

    settings = Settings(token="t", data_dir=tmp_path / "host-b", database_url=postgres_url)
    settings.data_dir.mkdir()
    try:
        code = await asyncio.wait_for(run_with_standbys(settings, "t", asyncio.Event(), start, no_feed), 30)
    finally:
        await database.close()
    assert code == 0
    assert seen == {"recovered": 3, "claimed": SUBSCRIBERS}
