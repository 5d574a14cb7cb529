"""Crash safety of delivery: the bot process is SIGKILLed in the middle of a 300-recipient fan-out,
restarted, and every recipient ends with exactly one copy of the alert."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, VIEW_CHANNEL
from tests.scenario_steps import CHICAGO, PLACES_CSV
from verification import usecases
from verification.model import Language

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 300


async def start_bot(emu: DiscordEmulator, data: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env |= {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data),
            "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def outbox_empty(data: Path) -> None:
    """The database is another process's, so nothing signals a change in it: poll (with a deadline)."""
    async with asyncio.timeout(30):
        while (now := states(data)).get("queued") or now.get("sending"):  # noqa: ASYNC110
            await asyncio.sleep(0.1)


def states(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "veraz.db") as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())


async def test_sigkill_mid_fan_out_then_restart_delivers_exactly_one_copy_each(tmp_path):
    data = tmp_path / "data"
    async with DiscordEmulator("crash-token") as emu:
        guild = emu.create_guild("Crash network")
        CHICAGO_GUILD = guild.id
        mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
        queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
        alerts = guild.create_text_channel("alerts")
        marta = guild.add_member("marta", roles=[mods])
        dev = guild.add_member("dev", roles=[mods])
        reporter = guild.add_member("reporter")
        subscribers = [guild.add_member(f"s{i:03}") for i in range(RECIPIENTS)]

        # The community as it stands before the bad day: set up, places known, 300 subscribers.
        database = await storage.open_database(data)
        uow = database.unit_of_work()
        await usecases.configure_community(
            uow, usecases.Setup(CHICAGO_GUILD, mods.id, queue.id, alerts.id, "America/Chicago", Language.EN)
        )
        await usecases.import_places(uow, CHICAGO_GUILD, PLACES_CSV)
        dms = storage.SqliteDeliveryQueue(database)
        for member in subscribers:
            await usecases.subscribe(uow, CHICAGO_GUILD, member.id, None, Language.EN)
            await dms.remember_dm_channel(CHICAGO_GUILD, member.id, member.open_dm().id)
        await database.close()
        assert CHICAGO != CHICAGO_GUILD

        bot = await start_bot(emu, data)
        try:
            await emu.wait_until_connected(timeout=30)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=30, what="commands")
            await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
            await marta.slash("incident confirm", id=1)
            await dev.slash("incident confirm", id=1)
            await emu.wait_for(lambda: sum(1 for s in subscribers if s.dms) >= RECIPIENTS // 3 or None,
                               timeout=30, what="a third of the fan-out")  # fmt: skip
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        mid = states(data)
        delivered_before = sum(1 for s in subscribers if s.dms)
        assert delivered_before < RECIPIENTS, "the kill came too late to interrupt the fan-out"
        assert mid.get("queued", 0) + mid.get("sending", 0) > 0

        bot = await start_bot(emu, data)
        try:
            await emu.wait_until_connected(timeout=30, identify_count=2)
            await emu.wait_for(lambda: all(s.dms for s in subscribers) or None, timeout=60, what="every alert")
            await outbox_empty(data)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()

    copies = [len([m for m in s.dms if "ref 1.1." in m.content]) for s in subscribers]
    assert copies.count(1) == RECIPIENTS, {"missing": copies.count(0), "duplicates": sum(c > 1 for c in copies)}
    assert len([m for m in alerts.messages if "ref 1.1." in m.content]) == 1
    final = states(data)
    assert final == {"sent": RECIPIENTS + 1}
