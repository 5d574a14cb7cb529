"""The fence between a process that lost leadership and Discord (bot/core/fencing.py, issue 22).

A thawed process runs whichever of its tasks the event loop wakes first: a send whose pacer slot came
due, the gateway reader with the events its session received while frozen, or the renewal loop that
would make it exit. These tests take the renewal loop out of the race altogether: once the fence says
this process does not lead, nothing it does reaches Discord and no event it receives is acted on."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import Tuning
from bot.core.fencing import Fence, LostLeadership, route
from bot.demo.live_world import World, open_world
from tests.bot.conftest import PEOPLE, set_up


class Switch:
    """A leadership the test turns off: on this process's clock (`local`) or in the database (`db`)."""

    def __init__(self) -> None:
        self.local = True
        self.db = True
        self.asked = 0

    def epoch(self) -> int | None:
        return 7 if self.local else None

    async def confirm(self) -> bool:
        self.asked += 1
        return self.db


@pytest.fixture
async def fenced(tmp_path: Path) -> AsyncIterator[tuple[World, Switch]]:
    switch = Switch()
    opened = await open_world(tmp_path / "data", PEOPLE, tuning=Tuning(card_interval=0.0, maintenance_every=3600),
                              fence=Fence(switch.epoch, switch.confirm))  # fmt: skip
    try:
        yield opened, switch
    finally:
        await opened.close()


async def test_a_process_that_lost_leadership_sends_nothing_and_acts_on_no_event(fenced, caplog):
    world, switch = fenced
    await set_up(world)
    assert switch.asked > 0  # every request while leading was confirmed with the database
    caplog.set_level(logging.ERROR, "bot.core.fencing")
    switch.local = False  # a freeze longer than STEP_DOWN, seen on this process's clock
    seen = len(world.emu.requests)

    with pytest.raises(LostLeadership):
        await world.bot.services.outgoing.send(world.alerts.id, "a send that was waiting for its slot")
    reported = await world.people["rosa"].slash("report", where="Hamline Elementary", what="two agents")
    with pytest.raises(LostLeadership):
        await world.bot.services.outgoing.send(world.alerts.id, "and another")

    assert reported.failed  # the command reached the session but was dropped: nobody answered
    assert [f"{r.method} {r.path}" for r in world.emu.requests[seen:]] == []
    assert world.alerts.messages == []
    assert world.bot.refusals.requests == 2
    assert world.bot.refusals.events >= 1
    refused = [r.getMessage() for r in caplog.records if r.name == "bot.core.fencing"]
    assert refused == [  # once each, however much more was refused
        "refused to send: this process is no longer the active one",
        "dropped a gateway event: this process is no longer the active one",
    ]


async def test_a_request_waits_for_the_database_to_confirm_the_epoch(fenced):
    """A hypervisor can hide a pause from the guest's clock: the lease still looks fresh here, but the
    database knows another process raised the epoch. The request is refused before it is written."""
    world, switch = fenced
    await set_up(world)
    switch.db = False
    seen = len(world.emu.requests)
    with pytest.raises(LostLeadership):
        await world.bot.services.outgoing.send(world.alerts.id, "sent by a process the database says lost")
    assert world.emu.requests[seen:] == []
    switch.db = True
    sent = await world.bot.services.outgoing.send(world.alerts.id, "sent by the leader")
    assert [m.id for m in world.alerts.messages] == [sent.id]


def test_a_refusal_names_the_route_without_ids_or_tokens():
    base = "http://127.0.0.1:5000/api/v10"
    assert route(f"{base}/channels/1579641709866779037/messages") == "channels/{}/messages"
    assert route(f"{base}/interactions/1234/aW50ZXJhY3Rpb246MTIzNDU2Nzg5/callback?with_response=true") == (
        "interactions/{}/{}/callback"
    )
    assert route(f"{base}/users/@me/channels") == "users/@me/channels"
    assert route("ws://127.0.0.1:5000/gateway?v=10") == "gateway"
