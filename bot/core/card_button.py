"""The buttons on a queue card: drawn by the queue feature, acted on by the feature that owns each action.

A card offers actions of several features (Confirm is moderation's, Ask reporters the relay's, Send a
verifier the verifiers'). Features never import each other: each registers its actions in the bot's
`CardActions` from its `setup`, and `CardButton` finds them by name when a button is pressed. Buttons are
`DynamicItem`s whose custom id carries the incident number and the action, so a card posted before a
restart keeps working after it. Every press is checked by the bot: a moderator, on the incident's current
card (`card_binding`: a number can name another incident after a restore from backup).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.acting import Acting
from bot.core.card_binding import require_current_card
from bot.core.services import services_of
from verification.community import Community
from verification.errors import RuleViolation

STYLES = {
    "confirm": discord.ButtonStyle.success,
    "debunk": discord.ButtonStyle.danger,
    "misidentified": discord.ButtonStyle.secondary,
    "resolve": discord.ButtonStyle.primary,
    "ask": discord.ButtonStyle.secondary,
    "verify": discord.ButtonStyle.secondary,
}
MERGE_TEMPLATE = r"veraz:merge:(?P<number>\d+):(?P<into>\d+)"
# A verifier request's buttons; the tag is missing from requests posted by Veraz before issue 26.
VISIT_TEMPLATE = r"veraz:visit:(?P<number>\d+):(?P<action>going|there|not_there|other)(?::(?P<tag>[0-9a-f]+))?"


@dataclass(frozen=True, slots=True)
class CardAction:
    """What a card button does, once the press is known to be a moderator's on the current card.
    `defer`: acknowledge at once (False for an action that answers with a modal)."""

    run: Callable[[Acting, int], Awaitable[None]]
    defer: bool = True


class CardActions(dict[str, CardAction]):
    """The actions features registered, by name (the name is in the button's custom id)."""


def card_actions_of(client: discord.Client) -> CardActions:
    """The card actions of the bot a button was pressed on (built by the composition root)."""
    found = getattr(client, "card_actions", None)
    if not isinstance(found, CardActions):
        raise RuntimeError("Veraz is still starting: its card actions are not ready")
    return found


class CardButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"veraz:(?P<number>\d+):(?P<action>[a-z]+)"):
    """A button on a queue card. Built for display by the queue feature, and by discord.py from the custom
    id when pressed (then with the services and actions of the bot it was pressed on)."""

    def __init__(self, number: int, action: str, label: str | None = None) -> None:
        style = STYLES.get(action, discord.ButtonStyle.secondary)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"veraz:{number}:{action}"))
        self.number = number
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CardButton:
        return cls(int(match["number"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        services = services_of(interaction.client)
        action = card_actions_of(interaction.client).get(self.action)
        async with Acting(services, interaction, defer=action.defer if action else True) as act:
            await require_card(act, self.number)
            if action is None:  # a button of a Veraz that offered an action this one no longer has
                raise RuleViolation("stale_card", number=self.number)
            await action.run(act, self.number)


def merge_button(number: int, into: int, label: str) -> discord.ui.Button[Any]:
    """ "Merge into #into", drawn on #number's card; the moderation feature acts on it (`MERGE_TEMPLATE`)."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=f"veraz:merge:{number}:{into}")


async def require_card(act: Acting, number: int) -> Community:
    """A moderator, pressing on the incident's current card; the community, for what follows."""
    community = await act.community()
    await act.require_moderator(community)
    await require_current_card(act.services, community.id, number, act.interaction.message)
    return community


def modal_id(kind: str, owner: tuple[int, int], number: int) -> str:
    """A modal's custom id names the server and the moderator it was opened for: discord.py finds an
    open modal by this id, so two moderators (or two servers) on incident #1 never share one."""
    community, user = owner
    return f"veraz:modal:{kind}:{community}:{user}:{number}"
