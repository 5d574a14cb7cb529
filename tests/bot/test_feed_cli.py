"""The public feed from the command line: `veraz run` serves it, /settings turns it on, `veraz feed` prints it."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import aiohttp
import feedparser
import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator
from discord_emulator.permissions import MANAGE_GUILD
from tests.bot.test_cli import free_port, outcome, veraz
from tests.feed.world import build
from tests.scenario_steps import PLACES_CSV

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


async def listening(port: int, patience: float = 30.0) -> None:
    """Until something accepts connections on the port."""
    deadline = asyncio.get_running_loop().time() + patience
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)
        else:
            writer.close()
            return


async def test_veraz_run_serves_the_feed_an_admin_turns_on_and_off(tmp_path: Path) -> None:
    port = free_port()
    async with DiscordEmulator("feed-token") as emu, aiohttp.ClientSession() as http:
        guild = emu.create_guild("Test network")
        mods = guild.create_role("Moderators")
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
        queue = guild.create_text_channel("queue")
        alerts = guild.create_text_channel("alerts")
        admin = guild.add_member("admin", permissions=MANAGE_GUILD)
        env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}",
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        process = await veraz("run", env=env)
        try:
            await emu.wait_until_connected(timeout=20)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=20, what="commands synced")
            await admin.slash("setup", moderator_role=mods, queue_channel=queue, alerts_channel=alerts,
                              timezone="America/Chicago")  # fmt: skip
            await admin.slash("places import", file=("p.csv", PLACES_CSV.encode()))
            reply = await admin.slash("settings", feed="on")
            [page] = re.findall(rf"<(http://127\.0\.0\.1:{port}/[a-z0-9]{{16}}/)>", reply.content)
            await listening(port)  # the feed's own process, started after login
            async with http.get(page) as r:
                assert r.status == 200
                assert "Confirmed alerts" in await r.text()
            async with http.get(page + "alerts.atom") as r:
                assert not feedparser.parse(await r.text()).bozo
            off = await admin.slash("settings", feed="off")
            assert "off" in off.content
            async with http.get(page) as r:
                assert r.status == 404
        finally:
            process.send_signal(signal.SIGTERM)
        code, _, err = await outcome(process)
    assert code == 0, err[-2000:]


async def test_veraz_feed_prints_the_atom_feed(tmp_path: Path) -> None:
    database = await storage.open_database(tmp_path)
    world = await build(database)
    await database.close()
    code, out, err = await outcome(await veraz("feed", "--community", str(world.community.id),
                                               env={"VERAZ_DATA_DIR": str(tmp_path)}))  # fmt: skip
    assert code == 0, err
    parsed = feedparser.parse(out)
    assert not parsed.bozo
    assert parsed.entries[0].title.startswith(f"✅ ALL CLEAR · #{world.unsent_number} ")
    code, _, err = await outcome(await veraz("feed", "--community", "999", env={"VERAZ_DATA_DIR": str(tmp_path)}))
    assert code == 1
    assert "no community 999 in " in err  # an unknown id is said as such (issue 26)
