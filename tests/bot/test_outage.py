"""A Discord REST outage in the middle of a fan-out (issue 23, "Recovery after an outage"): every subscriber
gets exactly one copy, the bot asks Discord gently while it is down, and once it answers again the rest go
at full pace instead of waiting out backoffs. The real bot on discord.py against the emulator, on SQLite."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from bot.client import Tuning
from bot.demo.live_world import World, open_world
from discord_emulator import FaultMode, Limits
from tests.bot.conftest import PEOPLE, set_up
from tests.bot.test_delivery import add_subscribers, alerts_for, confirmed_incident
from verification import usecases

pytestmark = pytest.mark.timeout(120)
PACE = 20.0
PROBE_CAP = 0.5


async def outage(world: World, *, carried_out: float, refused: float) -> float:
    """Every REST request meets a 502: for `carried_out` seconds after Discord did what was asked (the
    answer lost), then without doing anything. Returns the wall-clock time Discord answers again."""
    world.emu.fail_for(carried_out, status=502, mode=FaultMode.AFTER)
    await asyncio.sleep(carried_out)
    world.emu.fail_for(refused, status=502)
    await asyncio.sleep(refused)
    return time.time()


def arrivals(members: list) -> list[float]:
    return sorted(m.history[0].at.timestamp() for member in members for m in alerts_for(member))


async def all_told(world: World, members: list) -> None:
    await world.emu.wait_for(lambda: all(alerts_for(m) for m in members) or None, timeout=60, what="every DM")
    await world.settle()
    await asyncio.sleep(0.5)  # a second copy, if any, would arrive now


@pytest.mark.slow  # about 10 s: a fan-out, a 5-second outage, the rest of the fan-out
async def test_after_an_outage_mid_fan_out_the_rest_goes_at_full_pace_and_each_gets_one_copy(tmp_path: Path):
    tuning = Tuning(card_interval=0.0, pace=PACE, concurrency=4, probe_cap=PROBE_CAP, maintenance_every=3600)
    world = await open_world(tmp_path / "d", PEOPLE, tuning=tuning)
    try:
        await set_up(world)
        members = await add_subscribers(world, 40)
        await confirmed_incident(world)
        await world.emu.wait_for(lambda: len(arrivals(members)) >= 10 or None, timeout=20, what="10 DMs")
        before = len(world.emu.requests)
        down = time.time()
        # 5 s of 502, the first second carrying the sends out: discord.py alone would retry a send in flight
        # at +1 s and +4 s (both refused) and next at +9 s, 4 s after Discord is back.
        recovered = await outage(world, carried_out=1.0, refused=4.0)
        during = [r for r in world.emu.requests[before:] if r.time < recovered]
        await all_told(world, members)

        assert [len(alerts_for(m)) for m in members] == [1] * len(members)
        assert world.emu.errors == []
        # Gentle while down: the sends in flight when it began (4), then probes, at least PROBE_CAP / 2 apart
        # once backed off (the jitter's least), never a hot loop. The old code: 12 requests, no probe.
        probes = [r.time for r in during if r.path.endswith("/users/@me")]
        assert len(during) <= 4 + 3 + (recovered - down) / (PROBE_CAP / 2), [(r.method, r.path) for r in during]
        assert all(b - a >= 0.1 for a, b in itertools.pairwise(probes))
        # Prompt after: what was left goes out at the bot's pace, plus the time to notice (a probe) and to
        # resend what the outage left in doubt. The old code waited 4 s more (discord.py's own retry).
        times = arrivals(members)
        left = sum(t >= recovered for t in times)
        waited = times[-1] - recovered - left / PACE
        assert waited < 2.5, f"the last of {left} DMs {times[-1] - recovered:.1f} s after Discord came back"
    finally:
        await world.close()


async def test_sends_carried_out_in_an_outage_longer_than_nonce_memory_are_found_not_sent_again(tmp_path: Path):
    """Discord forgets nonces at once here: what an outage left in doubt is settled by the look in DM
    history when Discord is back, never by a plain resend (and it too goes at once)."""
    world = await open_world(tmp_path / "d", PEOPLE,
                             tuning=Tuning(card_interval=0.0, concurrency=4, nonce_memory=0.0, probe_cap=PROBE_CAP),
                             limits=Limits(nonce_window=0.0))  # fmt: skip
    try:
        await set_up(world)
        members = await add_subscribers(world, 12)
        world.emu.fail_for(1.0, method="POST", path=r"/channels/\d+/messages$", status=502, mode=FaultMode.AFTER)
        world.emu.fail_for(2.0, method="GET", status=502)  # the looks in DM history too, for a while
        await confirmed_incident(world)
        await all_told(world, members)
        assert [len(alerts_for(m)) for m in members] == [1] * len(members)
        assert world.bot.services.delivery.stats.deduplicated >= 1  # found in DM history, not sent again
        records = await usecases.delivery_log(world.bot.services.storage, world.guild.id, 1)
        assert {r.state.value for r in records} == {"sent"}
    finally:
        await world.close()
