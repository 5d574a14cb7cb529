"""Issue 16 end to end: the on-call page, a verifier sent to the scene, and the figures."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import Tuning
from bot.core.clock import ScriptedClock
from bot.demo.live_world import World, open_world
from bot.features.escalation.paging import page_on_call
from discord_emulator import intents, overwrite, payloads
from discord_emulator.permissions import VIEW_CHANNEL
from tests.bot.conftest import PEOPLE, alerts, set_up

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def timed(tmp_path: Path) -> AsyncIterator[tuple[World, ScriptedClock]]:
    clock = ScriptedClock(START)
    opened = await open_world(
        tmp_path / "data", PEOPLE, clock=clock, tuning=Tuning(card_interval=0.0, maintenance_every=3600)
    )
    try:
        yield opened, clock
    finally:
        await opened.close()
    assert opened.emu.errors == [], "the emulator crashed while handling a request"


def at(clock: ScriptedClock, minutes: float) -> None:
    clock.set(START + timedelta(minutes=minutes))


async def network(world: World) -> tuple[object, object, object]:
    """Set up, with an on-call role (dev holds it), verifiers (pat and rosa) and their private channel."""
    await set_up(world)
    on_call = world.guild.create_role("On call", mentionable=True)
    verifiers = world.guild.create_role("Verifiers", mentionable=True)
    channel = world.guild.create_text_channel(
        "verifiers",
        private=True,
        overwrites=[overwrite(verifiers, allow=VIEW_CHANNEL), overwrite(world.mods, allow=VIEW_CHANNEL)],
    )
    world.people["dev"].add_role(on_call)
    world.people["pat"].add_role(verifiers)
    world.people["rosa"].add_role(verifiers)
    shown = await world.people["admin"].slash(
        "settings", on_call_role=on_call, verifier_role=verifiers, verifier_channel=channel
    )
    assert "Escalation: <@&" in shown.content, shown.content
    assert "Verifiers: <@&" in shown.content, shown.content
    assert "will not let Veraz ping" not in shown.content
    return on_call, verifiers, channel


async def test_settings_warn_when_the_on_call_role_cannot_be_pinged(world):
    await set_up(world)
    quiet = world.guild.create_role("Guardia")  # not mentionable, and Veraz lacks Mention Everyone
    shown = await world.people["admin"].slash("settings", on_call_role=quiet, escalate_after=5)
    assert "will not let Veraz ping" in shown.content
    assert "after 5 min" in shown.content


async def report(world: World, who: str, where: str, what: str = "2 agentes de ICE en la puerta!!"):
    return await world.people[who].slash("report", where=where, what=what)


async def test_only_urgent_unattended_cards_are_escalated_once_pinging_only_the_on_call_role(timed):
    world, clock = timed
    on_call, _, _ = await network(world)
    at(clock, 0)
    await report(world, "luis", "Hamline Elementary")  # a school: urgent
    await report(world, "sam", "the laundromat on 47th and Ashland", "la migra?? creo")  # one reporter, a shop
    await report(world, "lucia", "Whittier Elementary")  # a school, but a moderator acts on it
    await world.settle()
    at(clock, 1)
    await world.people["marta"].click(world.card(3), "Confirm")
    at(clock, 2.5)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0
    at(clock, 3)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    at(clock, 30)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0  # once: nothing changed
    pings = [p for p in world.emu.pings if p.channel_id == world.queue.id]
    assert len(pings) == 1
    [ping] = pings
    assert ping.roles == {on_call.id}
    assert not ping.users
    assert not ping.everyone
    assert [p.message_id for p in world.people["dev"].pings] == [ping.message_id]
    assert world.people["marta"].pings == []
    page = next(m for m in world.queue.messages if m.id == ping.message_id)
    assert "#1" in page.content
    assert "Hamline Elementary" in page.content
    await world.settle()
    assert "On-call moderators paged" in str(world.card(1).embeds[0])
    await world.restart_bot()
    at(clock, 60)
    assert (
        await page_on_call(world.bot.services, {world.guild.id}) == 0
    )  # the page is in the database: a restart never repeats it


async def test_a_verifier_confirms_on_site_and_one_moderator_then_sends_the_alert(timed):
    world, clock = timed
    _, verifiers, channel = await network(world)
    await world.people["sam"].slash("subscribe", area="Back of the Yards")
    at(clock, 0)
    await report(world, "luis", "Hamline Elementary")
    await world.settle()
    at(clock, 1)
    sent = await world.people["marta"].click(world.card(1), "Send a verifier")
    assert "#1" in sent.content
    [request] = channel.messages
    assert request.ping is not None
    assert request.ping.roles == {verifiers.id}
    assert not request.ping.users
    shown = str(request.embeds[0])
    assert "Hamline Elementary" in shown
    assert "luis" not in shown
    assert str(world.people["luis"].id) not in shown
    refused = await world.people["dev"].click(request, "I'm going")  # a moderator, not a verifier
    assert "Only members with the verifier role" in refused.content
    at(clock, 2)
    going = await world.people["pat"].click(request, "I'm going")
    assert "#1 is yours" in going.content
    request = channel.messages[0]
    assert "is on the way" in str(request.embeds[0])
    assert [b["label"] for b in request.buttons] == ["Confirmed on site", "Not there", "Something else"]
    late = await world.people["rosa"].click(request, "Confirmed on site")
    assert "Otro verificador va a #1" in late.content  # Rosa reads Spanish: she sees Pat has it
    await world.settle()
    assert "Verifier on the way" in str(world.card(1).embeds[0])
    await world.restart_bot()  # the request's buttons survive a restart
    at(clock, 9)
    done = await world.people["pat"].click(channel.messages[0], "Confirmed on site")
    assert "with the moderators" in done.content
    await world.settle()
    assert alerts(world.people["sam"]) == []  # a verifier alone never confirms
    at(clock, 10)
    confirmed = await world.people["dev"].click(world.card(1), "Confirm")
    assert "CONFIRMED" in confirmed.content
    await world.settle()
    [alert] = alerts(world.people["sam"])
    assert alert.content.startswith("**🚨 ALERT · #1 · Hamline Elementary")
    assert "a trusted verifier of this network on site" in alert.content
    history = await world.people["dev"].slash("incident show", id=1)
    text = history.message.text
    assert "asked for a verifier on site" in text
    assert "is going to the place (verifier)" in text


async def test_a_verifier_who_reported_cannot_confirm_and_something_else_is_kept(timed):
    world, clock = timed
    _, _, channel = await network(world)
    at(clock, 0)
    await report(world, "pat", "Hamline Elementary")
    await world.settle()
    await world.people["dev"].click(world.card(1), "Send a verifier")
    await world.people["pat"].click(channel.messages[0], "I'm going")
    refused = await world.people["pat"].click(channel.messages[0], "Confirmed on site")
    assert "You reported #1 yourself" in refused.content
    opened = await world.people["pat"].click(channel.messages[0], "Something else")
    await world.people["pat"].submit_modal(opened, {"text": "solo una grúa... no veo agentes 🤷"})
    await world.settle()
    card = str(world.card(1).embeds[0])
    assert "solo una grúa" in card
    assert "UNVERIFIED" in card


async def test_stats_match_a_scripted_morning(timed, tmp_path):
    world, clock = timed
    _, _, channel = await network(world)
    await world.people["sam"].slash("subscribe", area="Back of the Yards")
    at(clock, 0)
    await report(world, "luis", "Hamline Elementary")
    await world.settle()
    at(clock, 3)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    at(clock, 4)
    await world.people["dev"].click(world.card(1), "Send a verifier")
    at(clock, 5)
    await world.people["pat"].click(channel.messages[0], "I'm going")
    at(clock, 12)
    await world.people["pat"].click(channel.messages[0], "Confirmed on site")
    at(clock, 13)
    await world.people["dev"].click(world.card(1), "Confirm")
    await world.settle()  # the alert is sent at minute 13
    at(clock, 30)
    await report(world, "sam", "the laundromat on 47th and Ashland", "migra??")
    await world.settle()
    at(clock, 32)
    opened = await world.people["dev"].click(world.card(2), "Debunk")
    await world.people["dev"].submit_modal(opened, {"text": "a tow truck"})
    at(clock, 60)
    shown = await world.people["dev"].slash("incident stats", days=1)
    lines = shown.content.splitlines()
    assert lines[0] == "Time to truth, last 1 day: 2 incidents."
    assert lines[1] == "First report → first moderator action: median 3 min 00 s, 90% within 4 min 00 s (2 incidents)"
    assert lines[2] == "First report → confirmation: median 13 min 00 s, 90% within 13 min 00 s (1 incident)"
    assert lines[3] == (
        "First report → first subscriber notified: median 13 min 00 s, 90% within 13 min 00 s (1 incident)"
    )
    assert lines[4] == "Escalated: 1 · sent to a verifier: 1 · confirmed on site: 1"
    world.emu.open_command_to_everyone(world.guild, "incident")  # an admin may open it; the bot still checks
    refused = await world.people["luis"].slash("incident stats")
    assert "Only this server's moderators" in refused.content
    # The operator's view from the command line: the same figures (the period ends now, not at minute 60).
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "stats", "--community", str(world.guild.id), "--days", "1", cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))},
             "PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(world.bot.settings.data_dir)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    said = out.decode().splitlines()
    assert said[0] == f"veraz stats: data directory {world.bot.settings.data_dir}"  # issue 26
    assert said[2:] == lines[1:]


async def test_an_admin_turns_paging_and_verifiers_off(world):
    """Found in review: a deleted on-call role was paged for ever, since nothing could clear the setting."""
    await network(world)
    admin = world.people["admin"]
    shown = await admin.slash("settings", turn_off="on_call")
    assert "Escalation: <@&" not in shown.content
    assert "Verifiers: <@&" in shown.content
    shown = await admin.slash("settings", turn_off="verifiers")
    assert "Verifiers: <@&" not in shown.content


# --- issue 23 §4: one account cannot page again and again --------------------------------------------------


def newcomer(world: World, name: str):
    """An account an hour old that joined the server half an hour ago: low trust (see reporting's cog)."""
    now = datetime.now(UTC)
    return world.guild.add_member(name, created_at=now - timedelta(hours=1), joined_at=now - timedelta(minutes=30))


def pages(world: World) -> list:
    return [m for m in world.queue.messages if m.ping is not None and m.ping.roles]


async def test_one_new_account_never_pages_and_the_pages_of_an_hour_are_capped(timed):
    """Found in review: an account minutes old sent 10 pages in 31 minutes by reporting "the school"."""
    world, clock = timed
    await network(world)
    newbie = newcomer(world, "newbie")
    paged = 0
    for i in range(10):
        at(clock, i * 3.4)
        done = await newbie.slash("report", where="the school", what=f"ICE at the school!! {i}")
        assert "UNVERIFIED" in done.content, done.content
        paged += await page_on_call(world.bot.services, {world.guild.id})
    at(clock, 40)
    paged += await page_on_call(world.bot.services, {world.guild.id})
    assert paged == 0
    assert pages(world) == []

    # Members in good standing report ten sensitive places by their words, each its own incident: three
    # pages of their own, then one naming the other seven, then nothing more this hour.
    at(clock, 41)
    for name in ("luis", "sam", "rosa", "lucia", "pat"):
        await report(world, name, "the school")
        await report(world, name, "la iglesia")
    await world.settle()
    at(clock, 44)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 4
    first, second, third, gathered = pages(world)
    assert all(m.message_reference for m in (first, second, third))
    assert "7 more urgent incidents have waited 3 min" in gathered.content, gathered.content
    assert gathered.content.count("#") == 7
    at(clock, 50)
    await report(world, "luis", "the clinic")
    at(clock, 60)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0  # it waits for the hour
    at(clock, 104.5)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    assert "#21 (Clinic)" in pages(world)[-1].content


async def test_only_a_new_reporter_in_good_standing_pages_again(timed):
    """Found in review: any later event re-armed the page, the same new account's next report too."""
    world, clock = timed
    await network(world)
    newbie, other = newcomer(world, "newbie"), newcomer(world, "other")
    at(clock, 0)
    await newbie.slash("report", where="Hamline Elementary", what="ICE at the door")  # a registered school
    at(clock, 3)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    at(clock, 5)
    await newbie.slash("report", where="Hamline Elementary", what="still there!!")
    at(clock, 6)
    await other.slash("report", where="Hamline Elementary", what="ICE")
    at(clock, 30)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0
    at(clock, 31)
    await report(world, "luis", "Hamline Elementary")
    at(clock, 33.9)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0
    at(clock, 34)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    assert len(pages(world)) == 2


async def test_a_page_discord_refused_is_no_escalation_and_goes_out_at_the_next_round(timed):
    """Found in review: a page Discord refused still counted as an escalation, on the card and in the stats."""
    world, clock = timed
    await network(world)
    at(clock, 0)
    await report(world, "luis", "Hamline Elementary")
    await world.settle()
    at(clock, 3)
    world.emu.fail_next("POST", rf"/channels/{world.queue.id}/messages$", status=403)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 0
    await world.settle()
    card = str(world.card(1).embeds[0])
    assert "Paging the on-call moderators failed" in card
    assert "On-call moderators paged" not in card
    shown = await world.people["dev"].slash("incident stats", days=1)
    assert "Escalated: 0 ·" in shown.content, shown.content
    at(clock, 4)
    assert await page_on_call(world.bot.services, {world.guild.id}) == 1
    await world.settle()
    card = str(world.card(1).embeds[0])
    assert "On-call moderators paged" in card
    assert "failed" not in card
    shown = await world.people["dev"].slash("incident stats", days=1)
    assert "Escalated: 1 ·" in shown.content, shown.content


async def test_stats_answer_while_another_process_holds_the_write_lock(timed):
    """Found in review: the figures were read in a write transaction, which waits for (and then blocks) any
    other writer: `veraz stats` during a `veraz purge` failed with "database is locked"."""
    world, clock = timed
    await network(world)
    at(clock, 0)
    await report(world, "luis", "Hamline Elementary")
    await world.settle()
    at(clock, 1)
    # Another process writing (a purge, a backup's bookkeeping); taken off the event loop, which the bot
    # needs to finish any transaction of its own first.
    holder = sqlite3.connect(world.bot.settings.data_dir / "veraz.db", isolation_level=None, timeout=30,
                             check_same_thread=False)  # fmt: skip
    await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
    try:
        shown = await asyncio.wait_for(world.people["dev"].slash("incident stats", days=1), 5)
    finally:
        holder.rollback()
        holder.close()
    assert shown.content.startswith("Time to truth, last 1 day: 1 incident."), shown.content


# --- issue 23 §9: where verifier requests are read ----------------------------------------------------------


async def test_a_public_verifiers_channel_is_refused_and_a_crowded_verifier_role_is_warned_about(world):
    """Found in review: /settings verifier_channel:#general was accepted, and requests then showed places
    nobody had confirmed to the whole server."""
    await set_up(world)
    admin = world.people["admin"]
    verifiers = world.guild.create_role("Verifiers", mentionable=True)
    general = world.guild.channel("general")
    refused = await admin.slash("settings", verifier_role=verifiers, verifier_channel=general)
    assert "Everyone in the server can read" in refused.content, refused.content
    assert "Verifiers: <@&" not in (await admin.slash("settings")).content  # nothing was changed

    everybody = world.guild.create_role("Members", mentionable=True)
    for person in world.people.values():
        person.add_role(everybody)
    private = world.guild.create_text_channel(
        "verifiers", private=True, overwrites=[overwrite(everybody, allow=VIEW_CHANNEL)]
    )
    shown = await admin.slash("settings", verifier_role=everybody, verifier_channel=private)
    assert "Verifiers: <@&" in shown.content, shown.content
    assert f"8 of the server's {len(world.guild.guild.members)} members hold" in shown.content, shown.content
    shown = await admin.slash("settings", verifier_role=verifiers)
    assert "members hold" not in shown.content
    # Found in review: with a few verifiers, the channel every member's role reads was accepted in silence.
    warned = f"<@&{everybody.id}> can read <#{private.id}>, and 8 of the server's"
    assert warned in shown.content, shown.content
    others = world.guild.create_text_channel("verifiers-only", private=True,
                                             overwrites=[overwrite(verifiers, allow=VIEW_CHANNEL)])  # fmt: skip
    assert "can read" not in (await admin.slash("settings", verifier_channel=others)).content
    await admin.slash("settings", verifier_channel=private)

    # An admin opens the channel to everyone later: a moderator's request is refused, and nothing is posted.
    registry = world.emu.services.world
    private.overwrites[:] = [o for o in private.overwrites if o.target_id != world.guild.id]
    registry.dispatch("CHANNEL_UPDATE", payloads.channel(private, registry), guild_id=world.guild.id,
                      intent=intents.GUILDS)  # fmt: skip
    for _ in range(200):  # the gateway event reaches the bot asynchronously
        cached = world.bot.get_channel(private.id)
        if cached is not None and cached.permissions_for(cached.guild.default_role).view_channel:
            break
        await asyncio.sleep(0.01)
    await report(world, "luis", "Hamline Elementary")
    await world.settle()
    sent = await world.people["dev"].click(world.card(1), "Send a verifier")
    assert "Everyone in the server can read" in sent.content, sent.content
    assert private.messages == []
    assert "asked for a verifier" not in (await world.people["dev"].slash("incident show", id=1)).message.text
