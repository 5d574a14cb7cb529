"""The buttons on a queue card and the modals they open.

Buttons are `DynamicItem`s whose custom_id carries the incident number and the action, so a card
posted before a restart keeps working after it. Who may press them is checked by the bot on every
press (and again when a modal is submitted): the card is only visible to moderators by channel
permissions, which an admin can change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from verification.incident import Incident
from verification.model import MAX_REASON, Language, Status

from .acting import Acting
from .i18n import t
from .moderating import moderate

if TYPE_CHECKING:
    from .client import VerazBot

STYLES = {
    "confirm": discord.ButtonStyle.success,
    "debunk": discord.ButtonStyle.danger,
    "misidentified": discord.ButtonStyle.secondary,
    "resolve": discord.ButtonStyle.primary,
    "ask": discord.ButtonStyle.secondary,
}
NEEDS_TEXT = {"debunk", "misidentified"}  # the rules require a reason; resolve's note is optional


class CardButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"veraz:(?P<number>\d+):(?P<action>confirm|debunk|misidentified|resolve|ask)",
):
    def __init__(self, number: int, action: str, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, style=STYLES[action], custom_id=f"veraz:{number}:{action}"))
        self.number = number
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CardButton:
        return cls(int(match["number"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: VerazBot = interaction.client  # type: ignore[assignment]
        if self.action == "confirm":
            async with Acting(bot, interaction) as act:
                await moderate(bot, act, "confirm", self.number)
            return
        async with Acting(bot, interaction, defer=False) as act:
            community = await act.community()
            await act.require_moderator(community)
            modal = (
                AskModal(self.number, act.lang)
                if self.action == "ask"
                else ReasonModal(self.action, self.number, act.lang)
            )
            await interaction.response.send_modal(modal)


class ReasonModal(discord.ui.Modal):
    """Asks for the reason (debunk), the correction (misidentified) or an optional note (resolve)."""

    def __init__(self, action: str, number: int, lang: Language) -> None:
        super().__init__(
            title=t(lang, f"modal.{action}.title", number=number)[:45], custom_id=f"veraz:modal:{action}:{number}"
        )
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
        bot: VerazBot = interaction.client  # type: ignore[assignment]
        async with Acting(bot, interaction) as act:
            await moderate(bot, act, self.action, self.number, self.text.value or "")


class AskModal(discord.ui.Modal):
    """A question for the incident's reporters, relayed by DM without revealing who they are."""

    def __init__(self, number: int, lang: Language) -> None:
        super().__init__(title=t(lang, "modal.ask.title", number=number)[:45], custom_id=f"veraz:modal:ask:{number}")
        self.number = number
        self.question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=t(lang, "modal.ask.label")[:45], style=discord.TextStyle.paragraph, max_length=500, custom_id="text"
        )
        self.add_item(self.question)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot: VerazBot = interaction.client  # type: ignore[assignment]
        async with Acting(bot, interaction) as act:
            community = await act.community()
            await act.require_moderator(community)
            await bot.ask_reporters(act, community, self.number, self.question.value)


def card_view(incident: Incident, lang: Language) -> discord.ui.View | None:
    """The buttons an incident's card offers in its state; a closed incident's card has none."""
    if incident.closed:
        return None
    actions = ["confirm"] if incident.status is Status.UNVERIFIED else []
    actions += ["debunk", "misidentified", "resolve", "ask"]
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(CardButton(incident.number, action, t(lang, f"button.{action}")))
    return view
