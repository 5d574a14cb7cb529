"""/subscribe, /unsubscribe, /subscriptions: confirmed alerts by DM or area role, for an area or all, in a language."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core import replies
from bot.core.acting import Acting
from bot.core.i18n import t, tn
from bot.core.services import Services
from bot.core.translator import L
from bot.features.subscriptions.subscribing import subscribe_member, unsubscribe_member
from intake.place.words import fold
from verification import usecases
from verification.community import Via
from verification.errors import RuleViolation
from verification.model import Language

log = logging.getLogger(__name__)
LANGUAGES = [app_commands.Choice(name=L(f"choice.language.{lang.value}"), value=lang.value) for lang in Language]
VIAS = [app_commands.Choice(name=L(f"choice.via.{via.value}"), value=via.value) for via in Via]


def _matching(current: str, names: list[str]) -> list[app_commands.Choice[str]]:
    wanted = fold(current).strip()
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names if wanted in fold(n)][:25]


class SubscriptionCommands(commands.Cog):
    def __init__(self, services: Services, bot: commands.Bot) -> None:
        self.services = services
        self.bot = bot

    @app_commands.command(name=L("cmd.subscribe.name"), description=L("cmd.subscribe.description"))
    @app_commands.guild_only()
    @app_commands.rename(area=L("cmd.subscribe.area.name"), language=L("cmd.subscribe.language.name"),
                         via=L("cmd.subscribe.via.name"))  # fmt: skip
    @app_commands.describe(area=L("cmd.subscribe.area.description"), language=L("cmd.subscribe.language.description"),
                           via=L("cmd.subscribe.via.description"))  # fmt: skip
    @app_commands.choices(language=LANGUAGES, via=VIAS)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        area: app_commands.Range[str, 1, 100] | None = None,
        language: str | None = None,
        via: str | None = None,
    ) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            chosen = Language(language) if language else act.lang
            before = await usecases.subscriptions_of(self.services.storage, community.id, interaction.user.id)
            done = await subscribe_member(self.services, interaction.guild, community, interaction.user, area,
                                          chosen, Via(via) if via else None, act.lang)  # fmt: skip
            sub = done.subscription
            text = "\n".join(done.lines)
            # Welcome a new DM subscriber once; running the same /subscribe again re-checks their DMs
            # (what the "DMs closed" warning asks them to do), adding an area does not.
            if sub.via is Via.DM and (not before or any(s.area == sub.area for s in before)):
                text = await self._welcome(community.id, interaction.user.id, chosen, act.lang, text)
            await act.reply(text)

    async def _welcome(self, community_id: int, user: int, chosen: Language, lang: Language, text: str) -> str:
        """A welcome DM to a new subscriber, at a calm moment: it opens the DM channel (each alert
        then costs one request) and shows at once whether this person's DMs are open to Veraz."""
        try:
            channel = await self.services.delivery.open_dm_channel(community_id, user)
            await self.services.outgoing.send(channel, t(chosen, "subscribe.welcome"))
        except discord.Forbidden:
            return text + "\n" + t(lang, "subscribe.dms_closed")
        except discord.HTTPException:
            pass  # the delivery worker opens the channel with the first alert
        return text

    @subscribe.autocomplete("area")
    async def area_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        return _matching(current, await usecases.areas(self.services.storage, interaction.guild_id))

    @app_commands.command(name=L("cmd.unsubscribe.name"), description=L("cmd.unsubscribe.description"))
    @app_commands.guild_only()
    @app_commands.rename(area=L("cmd.unsubscribe.area.name"))
    @app_commands.describe(area=L("cmd.unsubscribe.area.description"))
    async def unsubscribe(
        self, interaction: discord.Interaction, area: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community(configured=False)
            done = await unsubscribe_member(self.services, community.id, community, interaction.user, area)
            lines = [replies.unsubscribed(done.count, area, act.lang)]
            if done.removed and not done.count:
                lines.append(t(act.lang, "unsubscribe.roles_removed", count=done.removed))
            if done.kept:
                lines.append(tn(act.lang, "unsubscribe.roles_kept", done.kept))
            await act.reply("\n".join(lines))

    @unsubscribe.autocomplete("area")
    async def subscribed_areas(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        subs = await usecases.subscriptions_of(self.services.storage, interaction.guild_id, interaction.user.id)
        return _matching(current, [s.area for s in subs if s.area])

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Settle the role grants a crash cut short, so the ledger knows every holder Discord has (and
        takes away none it does not): corrections must reach by DM whoever held a pinged role."""
        for guild in self.bot.guilds:
            try:
                await self.services.roles.settle_unsettled(guild.id, guild.id)
            except (RuleViolation, discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:  # next start
                log.warning("could not settle role grants left from before", extra={"guild": guild.id,
                                                                                     "error": str(exc)})  # fmt: skip

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        """An admin deleted a role: if it was an area role, its holders go back to DMs at once (no post
        can ping a deleted role), and the next role subscription to its area makes a new one."""
        known = await usecases.area_roles_of(self.services.storage, role.guild.id)
        if any(r.role == role.id for r in known):
            await usecases.forget_area_role(self.services.storage, role.guild.id, role.id, self.services.clock.now())

    @app_commands.command(name=L("cmd.subscriptions.name"), description=L("cmd.subscriptions.description"))
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        async with Acting(self.services, interaction) as act:
            community = await act.community(configured=False)
            subs = await usecases.subscriptions_of(self.services.storage, community.id, interaction.user.id)
            await act.reply(replies.subscriptions(subs, act.lang))
