"""Sending a trusted verifier to the scene (issue 16), and the request they answer from the site.

A moderator presses "Send a verifier" on a card; Veraz posts a request in the verifiers' private channel,
mentioning the verifier role and nothing else. The request says where (at block level, as subscribers
would read it), since when, and what to look for, never who reported. Its buttons are `DynamicItem`s
that survive restarts; only members holding the verifier role may press them, checked on every press.
They carry the incident's tag besides its number, so a request posted before a restore from backup never
acts on another incident that got the same number since (`card_binding`).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core import words
from bot.core.acting import Acting
from bot.core.card_binding import incident_tag, require_same_incident
from bot.core.card_button import VISIT_TEMPLATE, CardAction, CardActions
from bot.core.channels import readable_by_everyone
from bot.core.i18n import t
from bot.core.services import Services, services_of
from verification import usecases
from verification.community import Community
from verification.errors import RuleViolation
from verification.incident import Incident
from verification.model import MAX_REASON, Language, Stance

ANSWERS = {"there": Stance.CONFIRMS, "not_there": Stance.DENIES}
STYLES = {
    "going": discord.ButtonStyle.primary,
    "there": discord.ButtonStyle.danger,
    "not_there": discord.ButtonStyle.success,
    "other": discord.ButtonStyle.secondary,
}
COLOUR = 0x3498DB


def request_embed(incident: Incident, community: Community, lang: Language) -> discord.Embed:
    """Where, since when and what to look for; the state of the visit. Reporters appear nowhere."""
    zone = community.zone
    embed = discord.Embed(
        title=t(lang, "visit.title", number=incident.number, place=words.place_of(incident.place, lang))[:256],
        description=t(lang, "visit.instructions"),
        colour=COLOUR,
    )
    embed.add_field(name=t(lang, "visit.when"), value=words.observed(incident.observed_time, zone, lang), inline=False)
    named = ", ".join(words.agency(a, lang) for a in incident.agencies_named) or t(lang, "visit.agency_unknown")
    look = t(lang, "visit.look_for", agencies=named, people=incident.people or "?")
    embed.add_field(name=t(lang, "visit.what"), value=look[:1024], inline=False)
    embed.add_field(name=t(lang, "visit.state"), value=visit_state(incident, lang), inline=False)
    return embed


def visit_state(incident: Incident, lang: Language) -> str:
    visit = incident.visit
    if visit is None:
        return "—"
    if visit.answer is not None and visit.claimed_by is not None:
        return t(lang, "visit.answered", verifier=_mention(visit.claimed_by), answer=words.stance(visit.answer, lang))
    if visit.claimed_by is not None:
        return t(lang, "visit.on_the_way", verifier=_mention(visit.claimed_by))
    return t(lang, "visit.waiting")


def _mention(actor: str) -> str:
    """In an embed a mention shows the name and pings nobody."""
    _, _, ident = actor.partition(":")
    return f"<@{ident}>" if ident.isdigit() else "?"


def request_view(incident: Incident, lang: Language) -> discord.ui.View | None:
    """ "I'm going" until someone claims it, then the three answers; nothing once answered or closed."""
    visit = incident.visit
    if incident.closed or visit is None or not visit.open:
        return None
    actions = ["going"] if visit.claimed_by is None else ["there", "not_there", "other"]
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(VisitButton(incident.number, action, t(lang, f"button.visit.{action}"), incident_tag(incident)))
    return view


async def send_verifier(services: Services, act: Acting, number: int) -> None:
    """The card's "Send a verifier": record the request, then post it where the verifiers are."""
    community = await act.community()
    await act.require_moderator(community)
    if community.verifier_channel is None or community.verifier_role is None:
        raise RuleViolation("verifiers_not_set")
    guild = act.interaction.guild
    channel = guild.get_channel(community.verifier_channel) if guild is not None else None
    if isinstance(channel, discord.abc.GuildChannel) and readable_by_everyone(channel):
        # Made public since /settings took it: the request would show everyone a place nobody confirmed.
        raise RuleViolation("verifier_channel_public", channel=channel.mention)
    by = services.moderator(act.interaction.user, community.id)
    outcome = await usecases.request_verifier(services.storage, services.clock.now(), community.id, number, by)
    lang = community.language
    await services.outgoing.send(
        community.verifier_channel,
        t(lang, "visit.ping", role=f"<@&{community.verifier_role}>", number=number),
        embed=request_embed(outcome.incident, community, lang),
        view=request_view(outcome.incident, lang),
        roles=[community.verifier_role],
    )
    await act.reply(t(act.lang, "visit.sent", number=number))


def require_verifier(act: Acting, community: Community) -> None:
    member = act.interaction.user
    if community.verifier_role is None or not isinstance(member, discord.Member):
        raise RuleViolation("not_verifier")
    if not any(role.id == community.verifier_role for role in member.roles):
        raise RuleViolation("not_verifier")


class VisitButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=VISIT_TEMPLATE,
):
    def __init__(
        self,
        number: int,
        action: str,
        label: str | None = None,
        tag: str | None = None,
        services: Services | None = None,
    ) -> None:
        custom_id = f"veraz:visit:{number}:{action}" + (f":{tag}" if tag else "")
        button: discord.ui.Button[Any] = discord.ui.Button(label=label, style=STYLES[action], custom_id=custom_id)
        super().__init__(button)
        self.number, self.action, self.tag, self.services = number, action, tag, services

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VisitButton:
        return cls(int(match["number"]), match["action"], tag=match["tag"], services=services_of(interaction.client))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = self.services or services_of(interaction.client)
        if self.action == "other":
            async with Acting(services, interaction, defer=False) as act:
                community = await act.community()
                require_verifier(act, community)
                await require_same_incident(services, community.id, self.number, self.tag, interaction.message)
                await interaction.response.send_modal(VisitModal(services, (community.id, interaction.user.id),
                                                                 self.number, act.lang))  # fmt: skip
            return
        async with Acting(services, interaction) as act:
            community = await act.community()
            require_verifier(act, community)
            await require_same_incident(services, community.id, self.number, self.tag, interaction.message)
            if self.action == "going":
                await claim(services, act, self.number)
            else:
                await answer(services, act, self.number, ANSWERS[self.action])


class VisitModal(discord.ui.Modal):
    """ "Something else": what the verifier saw, in their words."""

    def __init__(self, services: Services, owner: tuple[int, int], number: int, lang: Language) -> None:
        community, user = owner
        super().__init__(title=t(lang, "modal.visit.title", number=number)[:45],
                         custom_id=f"veraz:modal:visit:{community}:{user}:{number}")  # fmt: skip
        self.services, self.number = services, number
        self.text: discord.ui.TextInput[VisitModal] = discord.ui.TextInput(
            label=t(lang, "modal.visit.label")[:45], style=discord.TextStyle.paragraph, max_length=MAX_REASON,
            custom_id="text",
        )  # fmt: skip
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.text.value or ""  # read before any await
        async with Acting(self.services, interaction) as act:
            await answer(self.services, act, self.number, Stance.CLARIFIES, text)


async def claim(services: Services, act: Acting, number: int) -> None:
    community = await act.community()
    require_verifier(act, community)
    now = services.clock.now()
    outcome = await usecases.claim_visit(services.storage, now, community.id, number, act.interaction.user.id)
    await _redraw(services, act, community, outcome.incident)
    await act.reply(t(act.lang, "visit.claimed", number=number))


async def answer(services: Services, act: Acting, number: int, stance: Stance, note: str = "") -> None:
    community = await act.community()
    require_verifier(act, community)
    outcome = await usecases.report_from_site(
        services.storage, services.clock.now(), community.id, number, act.interaction.user.id, stance, note,
        pseudonyms=services.pseudonyms,
    )  # fmt: skip
    await _redraw(services, act, community, outcome.incident)
    lang = community.language
    await services.post_to_queue(
        community, number, t(lang, "visit.queue_note", number=number, answer=words.stance(stance, lang))
    )
    await act.reply(t(act.lang, "visit.thanks", number=number))


async def _redraw(services: Services, act: Acting, community: Community, incident: Incident) -> None:
    """The request shows who is going (so a second verifier sees it) and offers what comes next."""
    message = act.interaction.message
    if message is None:
        return  # a modal from a request message: discord.py gives it the message; nothing to edit otherwise
    lang = community.language
    await services.outgoing.edit(
        message.channel.id, message.id, embed=request_embed(incident, community, lang),
        view=request_view(incident, lang),
    )  # fmt: skip


def register_card_actions(actions: CardActions) -> None:
    """ "Send a verifier" on a queue card."""
    actions["verify"] = CardAction(lambda act, number: send_verifier(act.services, act, number))
