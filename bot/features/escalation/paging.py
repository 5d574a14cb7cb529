"""Paging the on-call moderators about urgent incidents nobody has acted on (issue 16).

Run by the maintenance loop every minute. The page is recorded in the incident's log before it is sent:
a crash between the two loses one ping rather than sending two, and a restart never pings again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import aiohttp
import discord

from bot.core import words
from bot.core.i18n import t
from bot.core.services import Services
from verification import usecases

log = logging.getLogger(__name__)


async def page_on_call(services: Services, served: Collection[int]) -> int:
    """Page the on-call role of each community the bot serves about its due incidents; returns how many
    pages were sent. One page that fails never stops the others."""
    sent = 0
    now = services.clock.now()
    for community_id, numbers in (await usecases.escalate_due_everywhere(services.storage, now, served)).items():
        community = await services.communities.get(community_id)
        if community is None or community.on_call_role is None or community.queue_channel is None:
            continue
        for number in numbers:
            incident = await usecases.incident(services.storage, community_id, number)
            card = await usecases.card_message(services.storage, community_id, number)
            lang = community.language
            text = t(lang, "escalation.ping", role=f"<@&{community.on_call_role}>", number=number,
                     place=words.place_of(incident.place, lang), minutes=community.escalate_after_minutes)  # fmt: skip
            reply_to = (community.queue_channel, card) if card is not None else None
            try:
                await services.outgoing.send(
                    community.queue_channel, text, reply_to=reply_to, roles=[community.on_call_role]
                )
                sent += 1
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("on-call page not sent", extra={"guild": community_id, "incident": number,
                                                            "error": str(exc)})  # fmt: skip
    return sent
