"""Fixtures for emulator tests: a running emulator with discord.py pointed at it, a populated guild, bots."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

# discord.py imports the stdlib audioop, deprecated in 3.11; with filterwarnings = error that import would
# fail at collection. Import it once with the warning silenced (pyproject should carry this filter).
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
from discord.ext import commands

from discord_emulator import DiscordEmulator, GuildHandle, Limits, MemberActor, Role, overwrite
from discord_emulator.permissions import MANAGE_GUILD, VIEW_CHANNEL
from discord_emulator.redirect import point_discord_at
from tests.emulator.sample_bot import SampleBot

TOKEN = "test-token"


@pytest.fixture
def limits() -> Limits:
    """Discord's defaults; a test overrides this fixture (or mutates it) to tighten a limit."""
    return Limits()


@pytest.fixture
async def emu(limits: Limits) -> AsyncIterator[DiscordEmulator]:
    """A running emulator with discord.py's process-wide URLs pointed at it, restored afterwards."""
    emulator = DiscordEmulator(TOKEN, limits=limits)
    await emulator.start()
    undo = point_discord_at(emulator.api_base, emulator.gateway_url)
    try:
        yield emulator
    finally:
        undo()
        await emulator.stop()
    assert emulator.errors == [], "the emulator crashed while handling a request"


@dataclass
class Community:
    guild: GuildHandle
    mods: Role
    ana: MemberActor
    bea: MemberActor
    admin: MemberActor


@pytest.fixture
def community(emu: DiscordEmulator) -> Community:
    guild = emu.create_guild("Back of the Yards Rapid Response", locale="es-419")
    mods = guild.create_role("Moderators", mentionable=False)
    emu.add_bot_to_guild(guild)
    guild.create_text_channel("veraz-queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    return Community(
        guild=guild,
        mods=mods,
        ana=guild.add_member("ana", roles=[mods], locale="es-419"),
        bea=guild.add_member("bea"),
        admin=guild.add_member("admin", permissions=MANAGE_GUILD),
    )


BotStarter = Callable[[commands.Bot], Awaitable[commands.Bot]]


@pytest.fixture
async def start_bot(emu: DiscordEmulator) -> AsyncIterator[BotStarter]:
    """Log a bot in and connect it (pitfall 7: login first, then connect in a task); close all at the end."""
    running: list[tuple[commands.Bot, asyncio.Task[None]]] = []

    async def start(bot: commands.Bot) -> commands.Bot:
        await bot.login(emu.token)
        task = asyncio.create_task(bot.connect())
        running.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        return bot

    yield start
    for bot, task in reversed(running):
        await bot.close()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def sample_bot(community: Community, start_bot: BotStarter) -> SampleBot:
    bot = await start_bot(SampleBot(community.guild.id))
    assert isinstance(bot, SampleBot)
    return bot


def bot_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel
