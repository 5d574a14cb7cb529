"""Asking the reporters: a moderator's question goes by DM to an incident's reporters, and their
answers come back under the incident's card, labelled only "reporter 2" (see `bot.core.relay_book`)."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from bot.core.acting import Acting
from bot.core.card_button import CardAction, CardActions, modal_id
from bot.core.i18n import t, tn
from bot.core.relay_book import Question
from bot.core.safe import user_text
from bot.core.services import Services, services_of
from verification import usecases
from verification.community import Community
from verification.model import Language

log = logging.getLogger(__name__)
MAX_QUESTION = 500
MAX_ANSWER = 1000
STRAY_REPLY_EVERY = timedelta(minutes=10)


async def ask_reporters(services: Services, act: Acting, community: Community, number: int, question: str) -> None:
    """DM the question to the incident's reporters still reachable; tell the moderator how many."""
    await usecases.incident(services.storage, community.id, number)  # refuses an unknown incident
    now = services.clock.now()
    reached = 0
    guild = act.interaction.guild
    server = guild.name if guild is not None else ""
    reporters = services.relay.reporters(community.id, number, now)
    for ordinal, link in sorted(reporters.items()):
        text = t(link.language, "relay.question", number=number, question=user_text(question, MAX_QUESTION),
                 hours=community.relay_hours, server=user_text(server, 60))  # fmt: skip
        asked = services.relay.asked(community.id, number, ordinal, link, now)
        try:
            channel_id = await services.outgoing.open_dm(link.user_id)
            message = await services.outgoing.send(channel_id, text, view=answer_view(asked.key, link.language))
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError):
            # Never seen, so never answerable: a later DM from this person must not pass for an answer.
            services.relay.discard(asked)
            continue
        services.relay.sent(asked, message.id)
        reached += 1
    if not reached:
        await act.reply(t(act.lang, "relay.none", number=number, hours=community.relay_hours))
        return
    await act.reply(tn(act.lang, "relay.sent", reached, number=number))
    note = tn(community.language, "relay.asked", reached, moderator=f"<@{act.interaction.user.id}>",
              question=user_text(question, MAX_QUESTION))  # fmt: skip
    await services.post_to_queue(community, number, note)


async def relay_answer(services: Services, question: Question, text: str) -> bool:
    """Pass an answer to the queue of the server that asked, under the incident it asked about."""
    community = await services.communities.get(question.community)
    if community is None or community.queue_channel is None:
        return False
    note = t(community.language, "relay.answer", ordinal=question.ordinal, number=question.number,
             text=user_text(text, MAX_ANSWER))  # fmt: skip
    await services.post_to_queue(community, question.number, note)
    return True


def answer_view(key: int, lang: Language) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(key, t(lang, "button.answer")))
    return view


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"veraz:answer:(?P<key>\d+)"):
    """The Answer button under a question DM: it answers that question and no other."""

    def __init__(self, key: int, label: str | None = None, services: Services | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.primary, custom_id=f"veraz:answer:{key}")
        )
        self.key = key
        self.services = services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(int(match["key"]), services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = self.services or services_of(interaction.client)
        async with Acting(services, interaction, defer=False) as act:
            question = services.relay.question(self.key, interaction.user.id, services.clock.now())
            if question is None:
                await act.reply(t(act.lang, "relay.expired"))
                return
            await interaction.response.send_modal(AnswerModal(services, question))


class AskModal(discord.ui.Modal):
    """A question for the incident's reporters, relayed by DM without revealing who they are."""

    def __init__(self, services: Services, owner: tuple[int, int], number: int, lang: Language) -> None:
        super().__init__(title=t(lang, "modal.ask.title", number=number)[:45], custom_id=modal_id("ask", owner, number))
        self.services = services
        self.number = number
        self.question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=t(lang, "modal.ask.label")[:45], style=discord.TextStyle.paragraph, max_length=500, custom_id="text"
        )
        self.add_item(self.question)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        question = self.question.value  # read before any await
        async with Acting(self.services, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            await ask_reporters(self.services, act, community, self.number, question)


async def _open_ask(act: Acting, number: int) -> None:
    community = await act.community()
    owner = (community.id, act.interaction.user.id)
    await act.interaction.response.send_modal(AskModal(act.services, owner, number, act.lang))


def register_card_actions(actions: CardActions) -> None:
    """ "Ask reporters" on a queue card opens the question's modal."""
    actions["ask"] = CardAction(_open_ask, defer=False)


class AnswerModal(discord.ui.Modal):
    def __init__(self, services: Services, question: Question) -> None:
        title = t(question.language, "modal.answer.title", number=question.number)[:45]
        # The key only: ownership is checked again on submit, and a user id here would reach the logs.
        super().__init__(title=title, custom_id=f"veraz:modal:answer:{question.key}")
        self.services = services
        self.key = question.key
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label=t(question.language, "modal.answer.label")[:45],
            style=discord.TextStyle.paragraph,
            max_length=MAX_ANSWER,
            custom_id="text",
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.answer.value  # read before any await
        services = self.services
        async with Acting(services, interaction) as act:
            question = services.relay.question(self.key, interaction.user.id, services.clock.now())
            if question is None or not await relay_answer(services, question, text):
                await act.reply(t(act.lang, "relay.expired"))
                return
            await act.reply(t(question.language, "relay.thanks"))


class Relay(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services
        self._answered_stray: dict[int, datetime] = {}

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A reporter answering in DMs: by replying to a question, or in a plain message when only one
        question is open for them. With several open, they are asked to pick: a guess could carry their
        words to moderators of another server."""
        if message.guild is not None or message.author.bot:
            return
        services = self.services
        now = services.clock.now()
        question: Question | None = None
        reference = message.reference.message_id if message.reference is not None else None
        pending = services.relay.pending(message.author.id, now)
        if reference is not None:
            # A reply answers the question it replies to, or nothing: replying to a welcome DM, an
            # alert or an expired question must never fall through to another server's question.
            question = services.relay.replying_to(message.author.id, reference, now)
        elif len(pending) == 1:
            question = pending[0]
        if question is None:
            if not self._may_say(message.author.id, now):
                return  # a stray-DM flood must not take the pace alerts need
            if not pending:
                # Nothing tells us this person's language here: say it in both.
                both = f"{t(Language.EN, 'relay.nothing_pending')}\n{t(Language.ES, 'relay.nothing_pending')}"
                await self._say(message.channel.id, both)
                return
            lang = pending[-1].language
            which = ", ".join(f"#{q.number}" for q in pending)
            await self._say(message.channel.id, t(lang, "relay.pick", count=len(pending), which=which))
            return
        try:
            relayed = await relay_answer(services, question, message.content)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError):
            log.warning("an answer could not reach the queue", extra={"guild": question.community})
            relayed = False
        await self._say(message.channel.id, t(question.language, "relay.thanks" if relayed else "relay.expired"))

    def _may_say(self, user_id: int, now: datetime) -> bool:
        """At most one automatic reply to stray DMs per person per `STRAY_REPLY_EVERY`."""
        last = self._answered_stray.get(user_id)
        if last is not None and now - last < STRAY_REPLY_EVERY:
            return False
        if len(self._answered_stray) > 10_000:
            self._answered_stray.clear()
        self._answered_stray[user_id] = now
        return True

    async def _say(self, channel_id: int, text: str) -> None:
        with contextlib.suppress(discord.HTTPException):
            await self.services.outgoing.send(channel_id, text)
