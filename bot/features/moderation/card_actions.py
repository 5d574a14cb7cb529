"""Moderation's actions on a queue card: Confirm, Debunk, Misidentified, Resolve, and Merge into #n."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.core.acting import Acting
from bot.core.card_binding import require_resemblance
from bot.core.card_button import MERGE_TEMPLATE, CardAction, CardActions, modal_id, require_card
from bot.core.i18n import t
from bot.core.safe import user_text
from bot.core.services import Services, services_of
from bot.features.moderation.moderating import moderate
from verification import usecases
from verification.incident import Incident
from verification.model import MAX_REASON, MAX_WHERE, Language, Status
from verification.usecases import ModAction

NEEDS_TEXT = {"debunk", "misidentified"}  # the rules require a reason; resolve's note is optional


def register(actions: CardActions) -> None:
    actions["confirm"] = CardAction(_confirm, defer=False)
    for action in (ModAction.DEBUNK, ModAction.MISIDENTIFIED, ModAction.RESOLVE):
        actions[action.value] = CardAction(_reason_modal(action), defer=False)


async def _confirm(act: Acting, number: int) -> None:
    """A vote to confirm; on an incident whose place is still a reporter's words, first a modal that asks
    for the place subscribers will read (the rules refuse the vote without one)."""
    community = await act.community()
    incident = await usecases.incident(act.services.storage, community.id, number)
    if incident.status is Status.UNVERIFIED and incident.place.reporters_words:
        owner = (community.id, act.interaction.user.id)
        await act.interaction.response.send_modal(PlaceModal(act.services, owner, incident, act.lang))
        return
    await act.interaction.response.defer(ephemeral=True, thinking=True)
    await moderate(act, ModAction.CONFIRM, number)


def _reason_modal(action: ModAction) -> Callable[[Acting, int], Awaitable[None]]:
    async def open_modal(act: Acting, number: int) -> None:
        community = await act.community()
        owner = (community.id, act.interaction.user.id)
        await act.interaction.response.send_modal(ReasonModal(act.services, owner, action, number, act.lang))

    return open_modal


class ReasonModal(discord.ui.Modal):
    """Asks for the reason (debunk), the correction (misidentified) or an optional note (resolve), and
    for the same text in Spanish (optional), which subscribers who read Spanish get instead."""

    def __init__(
        self, services: Services, owner: tuple[int, int], action: ModAction, number: int, lang: Language
    ) -> None:
        super().__init__(title=t(lang, f"modal.{action}.title", number=number)[:45],
                         custom_id=modal_id(action.value, owner, number))  # fmt: skip
        self.services = services
        self.action = action
        self.number = number
        self.text: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label=t(lang, f"modal.{action}.label")[:45],
            style=discord.TextStyle.paragraph,
            max_length=MAX_REASON,
            required=action in NEEDS_TEXT,
            custom_id="text",
        )
        self.text_es: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label=t(lang, "modal.in_spanish.label")[:45],
            style=discord.TextStyle.paragraph,
            max_length=MAX_REASON,
            required=False,
            custom_id="text_es",
        )
        self.add_item(self.text)
        self.add_item(self.text_es)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # Read before any await: nothing can change them under us.
        text, text_es = self.text.value or "", self.text_es.value or ""
        async with Acting(self.services, interaction) as act:
            await moderate(act, self.action, self.number, text, text_es=text_es)


class PlaceModal(discord.ui.Modal):
    """Confirm on an incident whose place is the reporter's own words: the moderator writes the place as
    subscribers will read it, offered what could be published as it is (the street it names, or the
    area), and votes with it in one transaction."""

    def __init__(self, services: Services, owner: tuple[int, int], incident: Incident, lang: Language) -> None:
        number = incident.number
        super().__init__(title=t(lang, "modal.place.title", number=number)[:45],
                         custom_id=modal_id("place", owner, number))  # fmt: skip
        self.services = services
        self.number = number
        explain = t(lang, "modal.place.explain", label=user_text(incident.place.label, 100))
        self.add_item(discord.ui.TextDisplay(explain))
        self.place: discord.ui.TextInput[PlaceModal] = discord.ui.TextInput(
            style=discord.TextStyle.short,
            max_length=MAX_WHERE,
            default=incident.place.suggested[:MAX_WHERE] or None,
            placeholder=t(lang, "modal.place.placeholder")[:100],
            custom_id="place",
        )
        self.add_item(discord.ui.Label(text=t(lang, "modal.place.label")[:45], component=self.place))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        place = self.place.value or ""  # read before any await
        async with Acting(self.services, interaction) as act:
            await moderate(act, ModAction.CONFIRM, self.number, place=place)


class MergeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=MERGE_TEMPLATE):
    """On a new incident's card, for each open incident it may be the same as: merge into it (the usual
    merge rules; moderators only, checked on every press). The queue draws it (`merge_button`)."""

    def __init__(self, number: int, into: int) -> None:
        super().__init__(discord.ui.Button(custom_id=f"veraz:merge:{number}:{into}"))
        self.number, self.into = number, into

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MergeButton:
        return cls(int(match["number"]), int(match["into"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = services_of(interaction.client)
        async with Acting(services, interaction) as act:
            community = await require_card(act, self.number)
            await require_resemblance(services, community.id, self.number, self.into)
            await moderate(act, ModAction.MERGE, self.number, into=self.into)
