"""Asking the reporters: a moderator's question goes by DM to an incident's reporters, and their
answers come back under the incident's card, labelled only "reporter 2" (see `bot.relay`)."""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.ext import commands

from verification import usecases
from verification.community import Community
from verification.model import Language

from ..acting import Acting
from ..i18n import t
from ..render.safe import user_text
from ..services import Services

log = logging.getLogger(__name__)
MAX_QUESTION = 500
MAX_ANSWER = 1000


async def ask_reporters(services: Services, act: Acting, community: Community, number: int, question: str) -> None:
    """DM the question to the incident's reporters still reachable; tell the moderator how many."""
    await usecases.incident(services.storage, community.id, number)  # refuses an unknown incident
    now = services.clock.now()
    reached = 0
    reporters = services.relay.reporters(community.id, number, now)
    for ordinal, link in sorted(reporters.items()):
        text = t(link.language, "relay.question", number=number, question=user_text(question, MAX_QUESTION),
                 hours=community.relay_hours)  # fmt: skip
        try:
            channel_id = await services.outgoing.open_dm(link.user_id)
            await services.outgoing.send(channel_id, text)
        except discord.HTTPException:
            continue
        services.relay.asked(community.id, number, ordinal, link, now)
        reached += 1
    if not reached:
        await act.reply(t(act.lang, "relay.none", number=number, hours=community.relay_hours))
        return
    await act.reply(t(act.lang, "relay.sent", count=reached, number=number))
    note = t(community.language, "relay.asked", moderator=f"<@{act.interaction.user.id}>",
             question=user_text(question, MAX_QUESTION), count=reached)  # fmt: skip
    await services.post_to_queue(community, number, note)


class Relay(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A reporter answering a moderator's question in DMs: passed to the card without their name."""
        if message.guild is not None or message.author.bot:
            return
        services = self.services
        now = services.clock.now()
        question = services.relay.answering(message.author.id, now)
        if question is None:
            # Nothing tells us this person's language here: say it in both.
            both = f"{t(Language.EN, 'relay.nothing_pending')}\n{t(Language.ES, 'relay.nothing_pending')}"
            await self._say(message.channel.id, both)
            return
        community = await services.communities.get(question.community)
        if community is None or community.queue_channel is None:
            return
        text = t(community.language, "relay.answer", ordinal=question.ordinal, number=question.number,
                 text=user_text(message.content, MAX_ANSWER))  # fmt: skip
        await services.post_to_queue(community, question.number, text)
        link = services.relay.reporters(question.community, question.number, now).get(question.ordinal)
        await self._say(message.channel.id, t(link.language if link else community.language, "relay.thanks"))

    async def _say(self, channel_id: int, text: str) -> None:
        with contextlib.suppress(discord.HTTPException):
            await self.services.outgoing.send(channel_id, text)
