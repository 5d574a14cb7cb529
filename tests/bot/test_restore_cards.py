"""Issue 26 §1: after a restore from backup, an old card never acts on the incident that got its number.

The scenario of the issue, end to end: a backup; a report becomes #2 (Whittier Park) with its card; the
bot stops, the backup is restored; a new report elsewhere becomes another #2 (26th & Pulaski); two
moderators press Confirm on the old #2 card still in the queue.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import discord

import storage
from bot.demo.live_world import World
from discord_emulator import Message, overwrite
from discord_emulator.permissions import VIEW_CHANNEL
from tests.bot.conftest import alerts, set_up
from verification import usecases

ROOT = Path(__file__).resolve().parents[2]
STALE = "no longer the current card of incident #2"


async def veraz(data_dir: Path, *args: str) -> str:
    """The real `veraz` command, as an operator runs it; its output."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(data_dir)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, out.decode()
    return out.decode()


def cards(world: World, number: int) -> list[Message]:
    """Every queue message titled #number, oldest first."""
    return [m for m in world.queue.messages if m.embeds and str(m.embeds[0].get("title", "")).startswith(f"#{number} ")]


async def report(world: World, who: str, where: str) -> None:
    result = await world.people[who].slash("report", where=where, what="agents in two grey vans")
    assert "#" in result.content, result.content


async def verifiers(world: World):
    """Pat holds the verifier role; requests go to a private channel."""
    role = world.guild.create_role("Verifiers", mentionable=True)
    channel = world.guild.create_text_channel(
        "verifiers", private=True,
        overwrites=[overwrite(role, allow=VIEW_CHANNEL), overwrite(world.mods, allow=VIEW_CHANNEL)],
    )  # fmt: skip
    world.people["pat"].add_role(role)
    await world.people["admin"].slash("settings", verifier_role=role, verifier_channel=channel)
    return channel


async def before_the_restore(world: World, backup: Path):
    """#1 before the backup, with a verifier request; then the backup; then #2 at Whittier Park, with
    a verifier request too. Returns the verifier channel."""
    await set_up(world)
    channel = await verifiers(world)
    for who in ("sam", "luis", "pat"):
        await world.people[who].slash("subscribe")
    await report(world, "rosa", "Hamline Elementary")
    await world.settle()
    await world.people["marta"].click(cards(world, 1)[0], "Send a verifier")
    await veraz(world.bot.settings.data_dir, "backup", str(backup))
    await report(world, "rosa", "Whittier Park")
    await world.settle()
    [whittier] = cards(world, 2)
    assert "Whittier Park" in whittier.embeds[0]["title"]
    await world.people["dev"].click(whittier, "Send a verifier")
    assert len(channel.messages) == 2
    return channel


async def nothing_confirmed(world: World) -> None:
    await world.settle()
    for who in ("sam", "luis", "pat"):
        assert alerts(world.people[who]) == [], who
    assert world.alerts.messages == [] or all("ALERT" not in m.content for m in world.alerts.messages)
    incident = await usecases.incident(world.bot.services.storage, world.guild.id, 2)
    assert not incident.was_confirmed
    assert incident.votes == (), "a press on the old card was counted"


async def test_veraz_restore_orphans_the_newer_cards_and_the_bot_marks_them(world, tmp_path):
    backup = tmp_path / "before.db"
    channel = await before_the_restore(world, backup)
    old_card, old_request = cards(world, 2)[0], channel.messages[1]
    said: list[str] = []

    async def restore() -> None:
        said.append(await veraz(world.bot.settings.data_dir, "restore", str(backup)))

    await world.restart_bot(while_stopped=restore)
    assert "orphaned" in said[0]
    assert "`veraz run` marks them" in said[0]

    # Marked before the bot connected: the old card says so and has no buttons left.
    assert "from before a restore" in old_card.content
    assert old_card.buttons == []
    assert "Whittier Park" in old_card.embeds[0]["title"]  # what it showed stays readable
    assert "from before a restore" in old_request.content
    assert old_request.buttons == []
    # #1 was in the backup: its card and its request are current, and keep their buttons.
    [hamline] = cards(world, 1)
    assert "from before a restore" not in hamline.content
    assert hamline.buttons
    assert "from before a restore" not in channel.messages[0].content
    assert channel.messages[0].buttons
    going = await world.people["pat"].click(channel.messages[0], "I'm going")
    assert "#1 is yours" in going.content

    await report(world, "luis", "26th St & Pulaski Rd")
    await world.settle()
    old, new = cards(world, 2)
    assert old.id == old_card.id
    assert "Pulaski" in new.embeds[0]["title"]
    assert new.buttons
    assert "from before a restore" not in new.content
    await nothing_confirmed(world)
    # The next start has nothing left to mark.
    assert await storage.sweep_due(world.bot._database) is None


async def test_two_moderators_pressing_confirm_on_an_old_card_confirm_nothing(world, tmp_path):
    """The restore was done by hand (the file copied back), so no card was marked: every press on the old
    card, of every kind, is refused politely, and changes nothing."""
    backup = tmp_path / "before.db"
    channel = await before_the_restore(world, backup)
    old_card, old_request = cards(world, 2)[0], channel.messages[1]
    database = world.bot.settings.data_dir / storage.DATABASE_NAME

    def copy_files() -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, database)

    async def copy_back() -> None:
        await asyncio.to_thread(copy_files)

    await world.restart_bot(while_stopped=copy_back)
    assert old_card.buttons, "nothing marked it: its buttons are still there"
    await report(world, "luis", "26th St & Pulaski Rd")
    await world.settle()
    assert "Pulaski" in cards(world, 2)[1].embeds[0]["title"]

    first = await world.people["marta"].click(old_card, "Confirm")
    second = await world.people["dev"].click(old_card, "Confirm")
    assert "Esta ya no es la tarjeta actual del incidente #2" in first.content  # Marta reads Spanish
    assert STALE in second.content
    assert "Nothing was done" in second.content
    for label in ("Debunk", "Misidentified", "Resolve", "Ask reporters"):  # no modal opens
        refused = await world.people["dev"].click(old_card, label)
        assert STALE in refused.content, label
    going = await world.people["pat"].click(old_request, "I'm going")
    assert "no longer matches incident #2" in going.content
    await nothing_confirmed(world)
    incident = await usecases.incident(world.bot.services.storage, world.guild.id, 2)
    assert incident.visit is None  # the old request claimed nothing either

    # The current cards work as ever.
    voted = await world.people["dev"].click(cards(world, 2)[1], "Confirm")
    assert "vote" in voted.content.lower(), voted.content
    voted = await world.people["dev"].click(cards(world, 1)[0], "Confirm")
    assert "vote" in voted.content.lower(), voted.content


async def test_a_merge_button_the_database_does_not_know_is_refused(world):
    """A card drawn after the backup may offer "Merge into #n" for an #n the database does not have."""
    await set_up(world)
    await report(world, "rosa", "Hamline Elementary")
    await world.settle()
    [card] = cards(world, 1)
    from bot.core.card_button import merge_button  # drawn as a card after the backup would have drawn it

    view = discord.ui.View(timeout=None)
    view.add_item(merge_button(1, 7, "Merge into #7"))
    await world.bot.services.outgoing.edit(world.queue.id, card.id, embed=discord.Embed(title="#1 · x"), view=view)
    refused = await world.people["dev"].click(cards(world, 1)[0], "Merge into #7")
    assert "no longer the current card of incident #1" in refused.content


async def test_a_request_posted_by_an_older_veraz_keeps_working(world):
    """Requests posted before issue 26 carry no tag: without a restore since, their buttons still act."""
    await set_up(world)
    channel = await verifiers(world)
    await report(world, "rosa", "Hamline Elementary")
    await world.settle()
    await world.people["marta"].click(cards(world, 1)[0], "Send a verifier")
    [request] = channel.messages
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="I'm going", custom_id="veraz:visit:1:going"))  # as it was
    await world.bot.services.outgoing.edit(channel.id, request.id, embed=discord.Embed(title="#1"), view=view)
    await world.restart_bot()
    going = await world.people["pat"].click(channel.messages[0], "I'm going")
    assert "#1 is yours" in going.content
