"""The buttons on a queue card and the modals they open.

Buttons are `DynamicItem`s whose custom_id carries the incident number and the action, so a card
posted before a restart keeps working after it. Who may press them is checked by the bot on every
press (and again when a modal is submitted): the card is only visible to moderators by channel
permissions, which an admin can change. So is the card itself: a number can name another incident
after a restore from backup, so only the incident's current card acts (`card_binding`).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from verification.community import Community
from verification.incident import Incident
from verification.model import MAX_REASON, Language, Status
from verification.usecases import ModAction

from .acting import Acting
from .card_binding import require_current_card, require_resemblance
from .cogs.relay import ask_reporters
from .i18n import t
from .moderating import moderate
from .services import Services, services_of
from .verifiers import send_verifier

STYLES = {
    "confirm": discord.ButtonStyle.success,
    "debunk": discord.ButtonStyle.danger,
    "misidentified": discord.ButtonStyle.secondary,
    "resolve": discord.ButtonStyle.primary,
    "ask": discord.ButtonStyle.secondary,
    "verify": discord.ButtonStyle.secondary,
}
NEEDS_TEXT = {"debunk", "misidentified"}  # the rules require a reason; resolve's note is optional


class CardButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"veraz:(?P<number>\d+):(?P<action>confirm|debunk|misidentified|resolve|ask|verify)",
):
    """A button on a queue card. Built for display by `card_view`, and by discord.py from the custom
    id when pressed (then with the services of the bot it was pressed on)."""

    def __init__(self, number: int, action: str, label: str | None = None, services: Services | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, style=STYLES[action], custom_id=f"veraz:{number}:{action}"))
        self.number = number
        self.action = action
        self.services = services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CardButton:
        return cls(int(match["number"]), match["action"], services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = self.services or services_of(interaction.client)
        if self.action in ("confirm", "verify"):
            async with Acting(services, interaction) as act:
                await _require_card(act, self.number)
                if self.action == "confirm":
                    await moderate(act, ModAction.CONFIRM, self.number)
                else:
                    await send_verifier(services, act, self.number)
            return
        async with Acting(services, interaction, defer=False) as act:
            community = await _require_card(act, self.number)
            owner = (community.id, interaction.user.id)
            modal = (
                AskModal(services, owner, self.number, act.lang)
                if self.action == "ask"
                else ReasonModal(services, owner, ModAction(self.action), self.number, act.lang)
            )
            await interaction.response.send_modal(modal)


def _modal_id(kind: str, owner: tuple[int, int], number: int) -> str:
    """A modal's custom id names the server and the moderator it was opened for: discord.py finds an
    open modal by this id, so two moderators (or two servers) on incident #1 never share one."""
    community, user = owner
    return f"veraz:modal:{kind}:{community}:{user}:{number}"


class ReasonModal(discord.ui.Modal):
    """Asks for the reason (debunk), the correction (misidentified) or an optional note (resolve)."""

    def __init__(
        self, services: Services, owner: tuple[int, int], action: ModAction, number: int, lang: Language
    ) -> None:
        super().__init__(title=t(lang, f"modal.{action}.title", number=number)[:45],
                         custom_id=_modal_id(action.value, owner, number))  # fmt: skip
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
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.text.value or ""  # read before any await: nothing can change it under us
        async with Acting(self.services, interaction) as act:
            await moderate(act, self.action, self.number, text)


class AskModal(discord.ui.Modal):
    """A question for the incident's reporters, relayed by DM without revealing who they are."""

    def __init__(self, services: Services, owner: tuple[int, int], number: int, lang: Language) -> None:
        super().__init__(
            title=t(lang, "modal.ask.title", number=number)[:45], custom_id=_modal_id("ask", owner, number)
        )
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


class MergeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"veraz:merge:(?P<number>\d+):(?P<into>\d+)"
):
    """On a new incident's card, for each open incident it may be the same as: merge into it (the usual
    merge rules; moderators only, checked on every press)."""

    def __init__(self, number: int, into: int, label: str | None = None, services: Services | None = None) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, custom_id=f"veraz:merge:{number}:{into}"
        )
        super().__init__(button)
        self.number, self.into, self.services = number, into, services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MergeButton:
        return cls(int(match["number"]), int(match["into"]), services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = self.services or services_of(interaction.client)
        async with Acting(services, interaction) as act:
            community = await _require_card(act, self.number)
            await require_resemblance(services, community.id, self.number, self.into)
            await moderate(act, ModAction.MERGE, self.number, into=self.into)


async def _require_card(act: Acting, number: int) -> Community:
    """A moderator, pressing on the incident's current card; the community, for what follows."""
    community = await act.community()
    await act.require_moderator(community)
    await require_current_card(act.services, community.id, number, act.interaction.message)
    return community


MAX_MERGE_BUTTONS = 3


def card_view(incident: Incident, lang: Language, *, verifiers: bool = False) -> discord.ui.View | None:
    """The buttons an incident's card offers in its state; a closed incident's card has none.
    `verifiers`: the community has verifiers, so an unconfirmed card offers to send one."""
    if incident.closed:
        return None
    # Confirm stays on a confirmed card whose confirmation a source took back: moderators re-confirm.
    review = incident.confirmation_withdrawn or incident.confirmation_lapsed
    actions = ["confirm"] if incident.status is Status.UNVERIFIED or review else []
    actions += ["debunk", "misidentified", "resolve", "ask"]
    visit = incident.visit
    resendable = visit is None or not visit.open or visit.claimed_by is None
    if verifiers and incident.status is Status.UNVERIFIED and resendable:
        actions.append("verify")
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(CardButton(incident.number, action, t(lang, f"button.{action}")))
    if not incident.was_confirmed:  # an alerted incident is never merged away
        for other in incident.resembles[:MAX_MERGE_BUTTONS]:
            view.add_item(MergeButton(incident.number, other.number, t(lang, "button.merge", number=other.number)))
    return view
