"""Two servers on one bot share Discord's 50 requests a second fairly (issue 21): an alert of the second
server does not wait behind the first server's fan-out queued before it."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.demo.live_world import World
from tests.bot.conftest import alerts, set_up
from tests.bot.test_delivery import add_subscribers
from tests.bot.test_two_servers import Second
from verification import usecases
from verification.model import Language

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

BIG = 1000


async def test_a_small_alert_in_a_second_server_arrives_within_2_s_during_a_1000_dm_fan_out(world: World):
    await set_up(world)
    b = Second(world)
    await b.set_up(world)
    big = await add_subscribers(world, BIG)
    small = []
    for i in range(5):
        member = b.guild.add_member(f"pilsen{i}")
        await usecases.subscribe(world.bot.services.storage, b.guild.guild.id, member.id, None, Language.EN)
        await world.bot.services.delivery.queue.remember_dm_channel(b.guild.guild.id, member.id, member.open_dm().id)
        small.append(member)
    for server in (world.people, b.people):  # an incident with an official statement in each, not yet confirmed
        await server["luis"].slash("report", where="Hamline Elementary", what="two agents at the door")
        await server["marta"].slash("incident statement", id=1, source="CPS", stance="confirms")
    await world.settle()
    limited = world.emu.rate_limited_count

    first = time.time()
    await world.people["marta"].slash("incident confirm", id=1)
    await asyncio.sleep(max(0.0, first + 2 - time.time()))
    second = time.time()
    await b.people["marta"].slash("incident confirm", id=1)
    await world.emu.wait_for(lambda: all(alerts(m) for m in small), timeout=30, what="the second server's alert")
    arrived = [alerts(m)[0].history[0].at.timestamp() - second for m in small]
    backlog = sum(1 for m in big if not alerts(m))
    assert max(arrived) <= 2.0, (arrived, backlog)
    assert backlog > 500  # it really went out in the middle of the first server's fan-out

    await asyncio.wait_for(world.bot.services.delivery.idle(), 120)
    assert [len(alerts(m)) for m in big + small] == [1] * (BIG + 5)  # everyone exactly one copy
    assert len([m for m in b.alerts.messages if "Veraz ref" in m.content]) == 1
    assert world.emu.rate_limited_count == limited == 0
