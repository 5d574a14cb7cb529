"""/forget-me: a reporter deletes the text of their reports and every link from them to those reports."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.acting import Acting
from bot.core.i18n import t, tn
from bot.core.services import Services
from bot.core.translator import L
from verification import usecases


class Privacy(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name=L("cmd.forget_me.name"), description=L("cmd.forget_me.description"))
    @app_commands.guild_only()
    async def forget_me(self, interaction: discord.Interaction) -> None:
        services = self.services
        async with Acting(services, interaction) as act:
            community = await act.community(configured=False)
            reporter = services.pseudonyms(community.id, interaction.user.id)
            numbers = await usecases.forget_reporter(services.storage, community.id, reporter, services.clock.now())
            services.relay.forget_user(interaction.user.id, community.id)
            await services.checkpoint()
            if numbers:
                await act.reply(tn(act.lang, "privacy.forgotten", len(numbers)))
            else:
                await act.reply(t(act.lang, "privacy.nothing"))
