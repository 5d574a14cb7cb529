"""Many servers (issue 22, item 8): when Discord recommends more than one shard, `veraz run` uses
discord.py's AutoShardedClient, one gateway session per shard in this one process, and every server is
served on its own shard: commands answered, reports taken, alerts delivered."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import discord
import pytest

from bot.cli.run import _logged_in
from bot.client import ShardedVerazBot, VerazBot
from bot.core.settings import Settings
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator, GuildHandle, Limits, MemberActor, overwrite
from discord_emulator.permissions import MANAGE_GUILD, MANAGE_MESSAGES, VIEW_CHANNEL
from discord_emulator.redirect import point_discord_at
from tests.bot.conftest import alerts
from tests.emulator.test_gateway import on_each_shard
from tests.scenario_steps import PLACES_CSV

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
SHARDS = 2


class Server:
    """A server set up as a network's: moderators, a private queue, an alerts channel, people."""

    def __init__(self, guild: GuildHandle) -> None:
        self.guild = guild
        self.mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
        self.queue = guild.create_text_channel(
            "queue", private=True, overwrites=[overwrite(self.mods, allow=VIEW_CHANNEL)]
        )
        self.alerts = guild.create_text_channel("alerts")
        self.admin: MemberActor = guild.add_member("admin", permissions=MANAGE_GUILD)
        self.marta, self.dev = guild.add_member("marta", roles=[self.mods]), guild.add_member("dev", roles=[self.mods])
        self.reporter, self.subscriber = guild.add_member("rosa"), guild.add_member("sam")

    @property
    def shard(self) -> int:
        return (self.guild.id >> 22) % SHARDS

    async def serve_one_alert(self, emu: DiscordEmulator) -> None:
        await emu.wait_for(lambda: emu.services.commands.listing(self.guild.id), timeout=30, what="commands")
        done = await self.admin.slash("setup", moderator_role=self.mods, queue_channel=self.queue,
                                      alerts_channel=self.alerts, timezone="America/Chicago")  # fmt: skip
        assert "Veraz is set up" in done.content, done.content
        imported = await self.admin.slash("places import", file=("places.csv", PLACES_CSV.encode()))
        assert "Imported 5 places" in imported.content
        await self.subscriber.slash("subscribe")
        reported = await self.reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
        assert "#1" in reported.content, reported.content
        await self.marta.slash("incident confirm", id=1)
        await self.dev.slash("incident confirm", id=1)
        await emu.wait_for(lambda: alerts(self.subscriber) or None, timeout=30, what="the alert by DM")
        await emu.wait_for(lambda: [m for m in self.alerts.messages if "Veraz ref" in m.content] or None,
                           timeout=30, what="the alert in the alerts channel")  # fmt: skip


async def test_with_two_recommended_shards_the_bot_serves_a_server_on_each(tmp_path: Path):
    # One session may hold one server here: a bot that does not shard is refused (4011), as Discord
    # refuses one past 2,500 servers.
    async with DiscordEmulator("sharded-token", limits=Limits(recommended_shards=SHARDS, guilds_per_shard=1)) as emu:
        servers = []
        for guild in on_each_shard(emu, SHARDS):
            emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
            servers.append(Server(guild))
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        settings = Settings(token=emu.token, data_dir=tmp_path / "data", api_base_url=emu.api_base,
                            gateway_url=emu.gateway_url)  # fmt: skip
        bot = await _logged_in(settings, emu.token, asyncio.Event())
        assert isinstance(bot, VerazBot)
        connection = asyncio.create_task(bot.connect())
        try:
            assert isinstance(bot, ShardedVerazBot)
            assert isinstance(bot, discord.AutoShardedClient)
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            await asyncio.wait_for(bot.synced.wait(), 30)
            sessions = emu.services.gateway.live_sessions
            assert sorted(s.shard for s in sessions if s.shard is not None) == [(0, SHARDS), (1, SHARDS)]
            assert sorted(bot.shards) == [0, 1]
            assert sorted(server.shard for server in servers) == [0, 1]
            for server in servers:
                await server.serve_one_alert(emu)
            for server in servers:
                assert len(alerts(server.subscriber)) == 1
                assert len([m for m in server.alerts.messages if "Veraz ref" in m.content]) == 1
            assert emu.services.gateway.max_live_sessions == 1  # one session per shard, never two
        finally:
            await bot.close()
            with contextlib.suppress(Exception):
                await connection
            undo()
