"""Crash safety of a role grant (issue 23): the bot process is SIGKILLed after Discord gave a member an area
role and before the ledger recorded it; the next start looks at the member's roles and records the holder,
so a correction of an alert their role was pinged for still reaches them by DM after they leave it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from pathlib import Path

import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator, FaultMode, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, MANAGE_ROLES, MENTION_EVERYONE, VIEW_CHANNEL
from tests.bot.test_crash_delivery import start_bot
from tests.scenario_steps import PLACES_CSV
from verification import usecases
from verification.model import Language

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def ledger(data: Path, user: int) -> list[tuple[int, str | None]]:
    with sqlite3.connect(data / "veraz.db") as db:
        return db.execute("SELECT role_id, removed_at FROM role_ledger WHERE user_id = ?", (user,)).fetchall()


async def test_sigkill_between_a_role_grant_and_its_ledger_write_then_restart_records_the_holder(tmp_path):
    data = tmp_path / "data"
    async with DiscordEmulator("crash-role-token") as emu:
        guild = emu.create_guild("Crash network")
        mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS | MANAGE_ROLES | MENTION_EVERYONE)
        queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
        alerts = guild.create_text_channel("alerts")
        sam = guild.add_member("sam")

        database = await storage.open_database(data)
        uow = database.unit_of_work()
        await usecases.configure_community(
            uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "America/Chicago", Language.EN)
        )
        await usecases.import_places(uow, guild.id, PLACES_CSV)
        await usecases.set_area_roles(uow, guild.id, on=True)
        await database.close()

        bot = await start_bot(emu, data)
        subscribing = None
        try:
            await emu.wait_until_connected(timeout=30)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=30, what="commands")
            emu.fail_next("PUT", r"/members/\d+/roles/\d+$", mode=FaultMode.HOLD)
            subscribing = asyncio.create_task(sam.slash("subscribe", area="Back of the Yards", via="role"))
            await emu.wait_for(lambda: sam.roles or None, timeout=30, what="the grant on Discord")
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            if subscribing is not None:
                subscribing.cancel()
                with contextlib.suppress(BaseException):
                    await subscribing
        [role] = sam.roles
        assert ledger(data, sam.id) == []  # the crash came between the grant and its record

        bot = await start_bot(emu, data)
        try:
            await emu.wait_until_connected(timeout=30, identify_count=2)
            async with asyncio.timeout(30):
                while ledger(data, sam.id) != [(role.id, None)]:  # noqa: ASYNC110 - another process's database
                    await asyncio.sleep(0.1)
            listing = await sam.slash("subscriptions")
            assert "Back of the Yards" in listing.content
            assert "role" in listing.content, listing.content
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
    with sqlite3.connect(data / "veraz.db") as db:
        assert db.execute("SELECT COUNT(*) FROM role_grants WHERE settled_at IS NULL").fetchone() == (0,)
