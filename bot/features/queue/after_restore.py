"""After a restore from backup: mark the messages that belong to a history the database no longer has.

`veraz restore` notes the backup's horizon (storage.sqlite.restores); the bot, at start, before it
connects to the gateway (so no new card is posted meanwhile), looks at what it posted since in each
community's queue and verifier channels. A queue card that is not its incident's current card, and a
verifier request drawn for another incident than the one now holding its number, are edited to say so,
and lose their buttons. Their buttons would be refused anyway (`card_binding`); this tells moderators
which card to use before they press.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import discord

from bot.core.card_binding import incident_tag
from bot.core.card_button import MERGE_TEMPLATE, VISIT_TEMPLATE, CardButton
from bot.core.i18n import t
from bot.core.services import Services
from verification import usecases
from verification.community import Community
from verification.errors import RuleViolation

log = logging.getLogger(__name__)
# Whether a message of ours, with these component ids, is orphaned.
Orphan = Callable[[Services, Community, discord.Message, list[str]], Awaitable[bool]]


@dataclass
class Swept:
    cards: int = 0
    requests: int = 0
    complete: bool = True  # False: a channel could not be read; the next start tries again


async def mark_orphans(services: Services, since: datetime) -> Swept:
    """Mark every orphaned card and request posted after `since`, in every community in the database."""
    swept = Swept()
    for community in await usecases.all_communities(services.storage):
        try:
            if community.queue_channel is not None:
                swept.cards += await _sweep(services, community, community.queue_channel, since, _orphan_card)
            if community.verifier_channel is not None:
                swept.requests += await _sweep(services, community, community.verifier_channel, since, _orphan_request)
        except (discord.Forbidden, discord.NotFound):
            continue  # a server the bot has left, or a channel deleted since: nobody can press there
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:  # TimeoutError is an OSError
            swept.complete = False
            log.warning("could not mark the cards a restore orphaned; trying again at the next start",
                        extra={"guild": community.id, "error": f"{type(exc).__name__}: {exc}"})  # fmt: skip
    log.info("cards orphaned by a restore marked",
             extra={"cards": swept.cards, "requests": swept.requests, "since": since.isoformat()})  # fmt: skip
    return swept


async def _sweep(services: Services, community: Community, channel: int, since: datetime, orphan: Orphan) -> int:
    marked = 0
    async for message in services.outgoing.history(channel, after=since, limit=None):
        ids = [c for row in message.components if isinstance(row, discord.ActionRow) for c in _ids(row)]
        if ids and message.embeds and await orphan(services, community, message, ids):
            await services.outgoing.edit(channel, message.id, text=t(community.language, "card.orphaned"),
                                         embed=message.embeds[0], view=None)  # fmt: skip
            marked += 1
    return marked


_MERGE, _VISIT = re.compile(MERGE_TEMPLATE), re.compile(VISIT_TEMPLATE)


def _ids(row: discord.ActionRow) -> list[str]:
    return [c.custom_id for c in row.children if isinstance(c, discord.Button | discord.SelectMenu) and c.custom_id]


async def _orphan_card(services: Services, community: Community, message: discord.Message, ids: list[str]) -> bool:
    """A queue card with buttons that is not its incident's current card."""
    for custom_id in ids:
        match = CardButton.__discord_ui_compiled_template__.fullmatch(custom_id)
        match = match or _MERGE.fullmatch(custom_id)
        if match is not None:
            number = int(match["number"])
            return await usecases.card_message(services.storage, community.id, number) != message.id
    return False


async def _orphan_request(services: Services, community: Community, message: discord.Message, ids: list[str]) -> bool:
    """A verifier request drawn for another incident than the one holding its number now (or unknown)."""
    for custom_id in ids:
        match = _VISIT.fullmatch(custom_id)
        if match is None:
            continue
        if match["tag"] is None:
            return True  # an older Veraz's request, posted after the horizon: it may be another incident's
        try:
            incident = await usecases.incident(services.storage, community.id, int(match["number"]))
        except RuleViolation:
            return True
        return incident_tag(incident) != match["tag"]
    return False
