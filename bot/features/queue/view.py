"""The buttons a queue card offers, by the incident's state (the actions are the features' own)."""

from __future__ import annotations

import discord

from bot.core.card_button import CardButton, merge_button
from bot.core.i18n import t
from verification.incident import Incident
from verification.model import Language, Status

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
            view.add_item(merge_button(incident.number, other.number, t(lang, "button.merge", number=other.number)))
    return view
