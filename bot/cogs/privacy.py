"""/forget-me, "Ask the reporters", and reporters' answers by DM."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from verification import usecases
from verification.model import Language

from ..acting import NO_PINGS, Acting
from ..i18n import t
from ..render.safe import user_text
from ..translator import L

if TYPE_CHECKING:
    from ..client import VerazBot

log = logging.getLogger(__name__)
MAX_ANSWER = 1000


class Privacy(commands.Cog):
    def __init__(self, bot: VerazBot) -> None:
        self.bot = bot

    @app_commands.command(name=L("cmd.forget_me.name"), description=L("cmd.forget_me.description"))
    @app_commands.guild_only()
    async def forget_me(self, interaction: discord.Interaction) -> None:
        async with Acting(self.bot, interaction) as act:
            community = await act.community(configured=False)
            reporter = self.bot.pseudonym(community.id, interaction.user.id)
            numbers = await usecases.forget_reporter(self.bot.uow, community.id, reporter, self.bot.clock.now())
            self.bot.relay.forget_user(interaction.user.id)
            await self.bot.flush_deleted()
            for number in numbers:
                self.bot.cards.refresh(community.id, number)
            key = "privacy.forgotten" if numbers else "privacy.nothing"
            await act.reply(t(act.lang, key, count=len(numbers)) if numbers else t(act.lang, key))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A reporter answering a moderator's question in DMs: passed to the card without their name."""
        if message.guild is not None or message.author.bot or self.bot.user is None:
            return
        now = self.bot.clock.now()
        question = self.bot.relay.answering(message.author.id, now)
        if question is None:
            # Nothing tells us this person's language here: say it in both.
            both = f"{t(Language.EN, 'relay.nothing_pending')}\n{t(Language.ES, 'relay.nothing_pending')}"
            await self._say(message.channel, both)
            return
        community = await self.bot.communities.get(question.community)
        if community is None or community.queue_channel is None:
            return
        text = t(community.language, "relay.answer", ordinal=question.ordinal, number=question.number,
                 text=user_text(message.content, MAX_ANSWER))  # fmt: skip
        await self.bot.pacer.slot()
        await self.bot.post_to_queue(community, question.number, text)
        link = self.bot.relay.reporters(question.community, question.number, now).get(question.ordinal)
        await self._say(message.channel, t(link.language if link else community.language, "relay.thanks"))

    async def _say(self, channel: discord.abc.Messageable, text: str) -> None:
        with contextlib.suppress(discord.HTTPException):
            await self.bot.pacer.slot()
            await channel.send(text, allowed_mentions=NO_PINGS)


async def setup(bot: VerazBot) -> None:
    await bot.add_cog(Privacy(bot))
