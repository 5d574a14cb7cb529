"""Delivering alerts through the emulator: who gets what, in which order, and what survives failures."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.client import Tuning
from bot.demo.live_world import Person, World, open_world
from discord_emulator import Limits
from tests.bot.conftest import PEOPLE, alerts, set_up
from verification import usecases
from verification.model import Language

pytestmark = pytest.mark.timeout(120)


async def add_subscribers(world: World, count: int, area: str | None = None, language=Language.EN) -> list:
    """Many subscribers at once, as if each had run /subscribe (their DM channels already opened)."""
    members = []
    community = world.guild.id
    for i in range(count):
        member = world.guild.add_member(f"sub{i:04}")
        await usecases.subscribe(world.bot.services.storage, community, member.id, area, language)
        await world.bot.services.delivery.queue.remember_dm_channel(community, member.id, member.open_dm().id)
        members.append(member)
    return members


async def confirmed_incident(world: World, number: int = 1) -> None:
    await world.people["luis"].slash("report", where="Hamline Elementary", what="two agents")
    await world.people["marta"].slash("incident statement", id=number, source="CPS", stance="confirms")
    await world.people["marta"].slash("incident confirm", id=number)


def alerts_for(member, number: int = 1, seq: int = 1) -> list:
    return [m for m in member.dms if f"ref {number}.{seq}." in m.content]


async def test_recipients_by_area_and_language_and_amendments_only_to_earlier_recipients(world):
    await set_up(world)
    sam, lucia, pat = world.people["sam"], world.people["lucia"], world.people["pat"]
    await sam.slash("subscribe", area="Back of the Yards")
    await lucia.slash("subscribe", language="es")
    await pat.slash("subscribe", area="Pilsen")
    await confirmed_incident(world)
    await world.settle()
    assert [len(alerts_for(p)) for p in (sam, lucia, pat)] == [1, 1, 0]
    assert alerts_for(lucia)[0].content.startswith("**🚨 ALERTA")
    await pat.slash("subscribe")  # now every area: still never an amendment of an alert Pat never got
    await sam.slash("unsubscribe")  # told something wrong: Sam still gets the correction, not updates
    await world.people["dev"].slash("incident statement", id=1, source="ICE", stance="denies")
    await world.people["dev"].slash("incident misidentified", id=1, correction="Secret Service, not ICE")
    await world.settle()
    assert [m.content.split(" · ")[0] for m in alerts(sam)] == ["**🚨 ALERT", "**⚠️ CORRECTION"]
    assert [m.content.split(" · ")[0] for m in alerts(lucia)] == ["**🚨 ALERTA", "**🔄 ACTUALIZACIÓN", "**⚠️ CORRECCIÓN"]
    assert alerts(pat) == []
    post, *replies = world.alerts.messages
    assert post.content.startswith("⚠️ CORRECTED since")  # the channel's ALERT post says it was amended
    assert all(r.content.startswith(("**🔄", "**⚠️")) for r in replies)
    log = await world.people["marta"].slash("incident deliveries", id=1)
    assert "sent" in log.content or "enviados" in log.content


@pytest.fixture
async def slow_world(tmp_path: Path):
    """Sends paced at 10 per second, so a fan-out takes long enough to interrupt."""
    opened = await open_world(tmp_path / "data", PEOPLE, tuning=Tuning(card_interval=0.0, pace=10, concurrency=4,
                                                                        maintenance_every=3600))  # fmt: skip
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_retraction_during_a_fan_out_cancels_what_was_not_sent_and_tells_only_those_told(slow_world):
    world = slow_world
    await set_up(world)
    members = await add_subscribers(world, 60)
    await confirmed_incident(world)
    await world.emu.wait_for(lambda: sum(len(m.dms) for m in members) >= 8, timeout=20, what="a few alerts out")
    result = await world.people["dev"].slash("incident debunk", id=1, reason="it was a film crew")
    assert "cancelado" not in result.content  # dev reads English
    assert "queued messages cancelled" in result.content
    await world.settle()
    told = [m for m in members if alerts_for(m)]
    untold = [m for m in members if not alerts_for(m)]
    assert 8 <= len(told) < 60
    for member in told:
        assert [d.content.split(" · ")[0] for d in alerts(member)] == ["**🚨 ALERT", "**❌ RETRACTION"]
    assert all(m.dms == [] for m in untold)  # neither the alert nor the retraction
    records = await usecases.delivery_log(world.bot.services.storage, world.guild.id, 1)
    cancelled = [r for r in records if r.state.value == "cancelled"]
    assert len(cancelled) == len(untold)
    assert all(r.error == "retraction" for r in cancelled)


async def test_closed_dms_are_tried_a_few_times_then_the_subscriber_costs_nothing(tmp_path):
    world = await open_world(tmp_path / "d", PEOPLE, tuning=Tuning(card_interval=0.0, retry_base=0.05))
    try:
        await set_up(world)
        sam = world.people["sam"]
        await sam.slash("subscribe")
        sam.dms_open = False
        await confirmed_incident(world)
        await world.emu.wait_for(
            lambda: [r for r in world.emu.requests if r.status == 403 and "messages" in r.path][2:] or None,
            timeout=20, what="three refused DMs",
        )  # fmt: skip
        await world.settle()
        records = await usecases.delivery_log(world.bot.services.storage, world.guild.id, 1)
        [dm] = [r for r in records if r.recipient.address == sam.id]
        assert (dm.state.value, dm.error, dm.attempts) == ("failed", "dms_closed", 3)
        before = len(world.emu.requests)
        await world.people["luis"].slash("report", where="Whittier Elementary", what="agents")
        await world.people["marta"].slash("incident statement", id=2, source="CPS", stance="confirms")
        await world.people["marta"].slash("incident confirm", id=2)
        await world.settle()
        to_sam = [r for r in world.emu.requests[before:] if str(sam.dm_channel.id) in r.path]
        assert to_sam == []  # unreachable: no more requests until Sam subscribes again
    finally:
        await world.close()


async def test_429s_are_waited_out_and_every_alert_still_arrives(tmp_path):
    world = await open_world(tmp_path / "d", PEOPLE, tuning=Tuning(card_interval=0.0),
                             limits=Limits(global_limit=8))  # fmt: skip
    try:
        await set_up(world)
        members = await add_subscribers(world, 30)
        await confirmed_incident(world)
        await world.settle()
        assert all(len(alerts_for(m)) == 1 for m in members)
        assert world.emu.rate_limited_count > 0  # the bot paced itself at 47/s against a limit of 8: 429s came
        assert world.bot.services.rate_limited() > 0  # ... and it counted them
        log = await world.people["marta"].slash("incident deliveries", id=1)
        assert "veces hubo que esperar por el límite de Discord (429)" in log.content
    finally:
        await world.close()


async def test_a_deleted_alerts_channel_is_reported_to_the_moderators(world):
    await set_up(world)
    world.guild.delete_channel(world.alerts)
    await confirmed_incident(world)
    await world.settle()
    notices = [m for m in world.queue.messages if not m.embeds]
    assert notices
    assert "could not post #1's message" in notices[-1].content


async def test_a_delivery_in_doubt_after_a_crash_is_found_in_dm_history_not_sent_twice(tmp_path):
    """Sent, then the process died before recording it, longer ago than Discord remembers nonces."""
    world = await open_world(tmp_path / "d", PEOPLE, tuning=Tuning(card_interval=0.0, nonce_memory=0.0),
                             limits=Limits(nonce_window=0.0))  # fmt: skip
    try:
        await set_up(world)
        sam = world.people["sam"]
        await sam.slash("subscribe")
        await world.bot.services.delivery.close()  # the worker is "down" when the alert is owed
        await confirmed_incident(world)
        queue = world.bot.services.delivery.queue
        [claimed] = [c for c in await queue.claim(world.bot.clock.now(), 10) if c.recipient.address == sam.id] or [None]
        assert claimed is not None
        from bot.core.alert_text import render_alert

        text = render_alert(claimed.message, Language.EN, world.bot.services.communities._known[world.guild.id].zone,  # type: ignore[union-attr]
                            community=world.guild.id, direct=True)  # fmt: skip
        await world.bot.get_partial_messageable(sam.dm_channel.id).send(text)  # reached Discord...
        await asyncio.sleep(0.01)  # ...and the process died before recording it
        await world.restart_bot()
        await world.settle()
        assert len(alerts_for(sam)) == 1
        assert world.bot.services.delivery.stats.deduplicated == 1
    finally:
        await world.close()


async def test_a_failed_history_check_after_a_crash_stays_in_doubt_and_sends_exactly_one_copy(tmp_path):
    """The look in DM history fails (an outage) after a crash: the delivery waits, in doubt, and looks
    again; it never falls back to a plain resend, which would be a second copy (issue 13, item 3)."""
    world = await open_world(tmp_path / "d", PEOPLE,
                             tuning=Tuning(card_interval=0.0, nonce_memory=0.0, retry_base=0.05),
                             limits=Limits(nonce_window=0.0))  # fmt: skip
    try:
        await set_up(world)
        sam = world.people["sam"]
        await sam.slash("subscribe")
        await world.bot.services.delivery.close()
        await confirmed_incident(world)
        queue = world.bot.services.delivery.queue
        [claimed] = [c for c in await queue.claim(world.bot.clock.now(), 10) if c.recipient.address == sam.id] or [None]
        assert claimed is not None
        from bot.core.alert_text import render_alert

        zone = world.bot.services.communities._known[world.guild.id].zone  # type: ignore[union-attr]
        text = render_alert(claimed.message, Language.EN, zone, community=world.guild.id, direct=True)
        await world.bot.get_partial_messageable(sam.dm_channel.id).send(text)  # reached Discord, then the crash
        await asyncio.sleep(0.01)
        history = rf"/channels/{sam.dm_channel.id}/messages$"
        world.emu.fail_next("GET", history, status=503, times=2)  # the first two looks fail
        await world.restart_bot()

        async def sams_delivery():
            records = await usecases.delivery_log(world.bot.services.storage, world.guild.id, 1)
            return next(r for r in records if r.recipient.address == sam.id)

        for _ in range(100):  # the looks are spaced by a short backoff: wait until one succeeds
            await world.settle()
            if (await sams_delivery()).state.value != "queued":
                break
            await asyncio.sleep(0.05)
        assert (await sams_delivery()).state.value == "sent"
        assert len(alerts_for(sam)) == 1
        assert world.bot.services.delivery.stats.deduplicated == 1
        looks = [
            r for r in world.emu.requests if r.method == "GET" and r.path.endswith(f"{sam.dm_channel.id}/messages")
        ]
        assert [r.status for r in looks] == [503, 503, 200]  # two failed looks, then the one that found it
    finally:
        await world.close()


__all__ = ["Person"]
