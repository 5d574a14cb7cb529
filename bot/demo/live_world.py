"""A whole Veraz world on one machine: the Discord emulator, a server set up like a rapid-response
network's, its people, and the real bot connected to it over loopback. The demo and the end-to-end
tests both start here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.client import Tuning, VerazBot
from bot.core.clock import Clock
from bot.core.fencing import Fence
from bot.core.settings import Settings
from discord_emulator import Channel, DiscordEmulator, GuildHandle, Limits, MemberActor, Message, Role, overwrite
from discord_emulator.permissions import MANAGE_GUILD, MANAGE_MESSAGES, VIEW_CHANNEL
from discord_emulator.redirect import point_discord_at

# What the bot is given when invited: nothing beyond what it uses (the README's invite link asks for these).
BOT_PERMISSIONS = (
    (1 << 10)  # VIEW_CHANNEL
    | (1 << 11)  # SEND_MESSAGES
    | (1 << 14)  # EMBED_LINKS
    | (1 << 16)  # READ_MESSAGE_HISTORY
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str = "member"  # member, moderator or admin
    locale: str = "en-US"


@dataclass
class World:
    emu: DiscordEmulator
    guild: GuildHandle
    mods: Role
    queue: Channel
    alerts: Channel
    people: dict[str, MemberActor]
    bot: VerazBot
    _connection: asyncio.Task[None] | None = None
    _undo: list[object] = field(default_factory=list)

    def card(self, number: int) -> Message:
        """The queue card of incident `number` (there is exactly one per incident)."""
        for message in self.queue.messages:
            if message.embeds and str(message.embeds[0].get("title", "")).startswith(f"#{number} "):
                return message
        raise LookupError(f"no card for #{number} in the queue")

    async def settle(self) -> None:
        """Wait until every card shows its incident and every owed message is delivered."""
        await self.bot.services.cards.settle()
        await asyncio.wait_for(self.bot.services.delivery.idle(), 30)
        await self.bot.services.cards.settle()

    async def restart_bot(
        self, clock: Clock | None = None, while_stopped: Callable[[], Awaitable[object]] | None = None
    ) -> VerazBot:
        """Close the bot and start a new process-like instance on the same data (cards, outbox, keys);
        `while_stopped` runs in between (a restore from backup, say)."""
        await self._stop_bot()
        if while_stopped is not None:
            await while_stopped()
        self.bot = await _start_bot(self.emu, self.bot.settings, clock or self.bot.clock, self.bot.tuning)
        return self.bot

    async def _stop_bot(self) -> None:
        await self.bot.close()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._stop_bot()
        for undo in self._undo:
            undo()  # type: ignore[operator]
        await self.emu.stop()


async def _start_bot(
    emu: DiscordEmulator, settings: Settings, clock: Clock | None, tuning: Tuning, fence: Fence | None = None
) -> VerazBot:
    bot = VerazBot(settings, clock=clock, tuning=tuning, fence=fence)
    await bot.login(emu.token)
    asyncio.create_task(bot.connect(), name="veraz-gateway")  # noqa: RUF006 - bot.close() ends it
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    await asyncio.wait_for(bot.synced.wait(), 10)
    return bot


async def open_world(
    data_dir: Path,
    people: Iterable[Person],
    *,
    server: str = "Back of the Yards Rapid Response",
    locale: str = "en-US",
    clock: Clock | None = None,
    tuning: Tuning | None = None,
    limits: Limits | None = None,
    bot_permissions: int = BOT_PERMISSIONS,
    fence: Fence | None = None,
) -> World:
    emu = DiscordEmulator("veraz-local-token", limits=limits or Limits(), bot_name="Veraz")
    await emu.start()
    undo = point_discord_at(emu.api_base, emu.gateway_url)
    guild = emu.create_guild(server, locale=locale)
    # Moderators hold Manage Messages, which is what Discord's default for /incident asks; the bot
    # itself checks the moderator role named in /setup.
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=bot_permissions)
    queue = guild.create_text_channel("veraz-queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    members = {}
    for person in people:
        roles = [mods] if person.role == "moderator" else []
        permissions = MANAGE_GUILD if person.role == "admin" else None
        members[person.name] = guild.add_member(person.name, roles=roles, locale=person.locale, permissions=permissions)
    settings = Settings(token=emu.token, data_dir=data_dir, api_base_url=emu.api_base, gateway_url=emu.gateway_url)
    bot = await _start_bot(emu, settings, clock, tuning or Tuning(card_interval=0.0), fence)
    world = World(emu, guild, mods, queue, alerts, members, bot)
    world._undo.append(undo)
    return world
