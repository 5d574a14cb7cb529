"""Paging the on-call moderators about urgent incidents nobody has acted on (issue 16).

Run by the maintenance loop every minute. The page is recorded in the incident's log before it is sent:
a crash between the two loses one ping rather than sending two, and a restart never pings again. A page
Discord refused (a 4xx: the channel is gone, Veraz may not post there) is recorded as refused, so it
counts as no escalation and the incident is paged again when next due; a page whose answer was lost or
a 5xx may have gone out, and stays recorded as sent.

A community gets a few pages of their own an hour; incidents due beyond them are named in one gathered
page (`verification.escalation.plan_pages`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

import aiohttp
import discord

from bot.core import words
from bot.core.i18n import t, tn
from bot.core.services import Services
from verification import usecases
from verification.community import Community
from verification.escalation import PAGES_PER_HOUR

log = logging.getLogger(__name__)
GATHERED_SHOWN = 20  # incidents named in a gathered page; the rest are counted (a message holds 2,000)


async def page_on_call(services: Services, served: Collection[int]) -> int:
    """Page the on-call role of each community the bot serves about its due incidents; returns how many
    pages were sent. One page that fails never stops the others."""
    sent = 0
    now = services.clock.now()  # the time of the `Escalated` events: a refusal names the page by it
    for community_id, plan in (await usecases.escalate_due_everywhere(services.storage, now, served)).items():
        community = await services.communities.get(community_id)
        if community is None or community.on_call_role is None or community.queue_channel is None:
            continue
        where = (community.queue_channel, community.on_call_role)
        for number in plan.alone:
            sent += await _page(services, community, where, (number,), now)
        if plan.gathered:
            sent += await _page(services, community, where, plan.gathered, now)
    return sent


async def _page(
    services: Services, community: Community, where: tuple[int, int], numbers: tuple[int, ...], paged_at: datetime
) -> int:
    """One page, in the queue channel, pinging the on-call role (`where`); 1 if Discord took it."""
    channel, role = where
    lang = community.language
    if len(numbers) == 1:
        incident = await usecases.incident(services.storage, community.id, numbers[0])
        text = t(lang, "escalation.ping", role=f"<@&{role}>", number=numbers[0],
                 place=words.place_of(incident.place, lang), minutes=community.escalate_after_minutes)  # fmt: skip
        card = await usecases.card_message(services.storage, community.id, numbers[0])
    else:
        named = []
        for number in numbers[:GATHERED_SHOWN]:
            incident = await usecases.incident(services.storage, community.id, number)
            named.append(t(lang, "escalation.gathered.item", number=number, place=words.place_of(incident.place, lang)))
        if len(numbers) > GATHERED_SHOWN:
            named.append(tn(lang, "escalation.gathered.more", len(numbers) - GATHERED_SHOWN))
        text = tn(lang, "escalation.gathered", len(numbers), role=f"<@&{role}>", incidents=", ".join(named),
                  minutes=community.escalate_after_minutes, pages=PAGES_PER_HOUR)  # fmt: skip
        card = None
    try:
        await services.outgoing.send(
            channel, text[:2000], reply_to=(channel, card) if card is not None else None, roles=[role]
        )
        return 1
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("on-call page not sent", extra={"guild": community.id, "incidents": list(numbers),
                                                    "error": str(exc)})  # fmt: skip
        if isinstance(exc, discord.HTTPException) and exc.status < 500:
            await usecases.page_refused(services.storage, services.clock.now(), community.id, numbers, paged_at)
        return 0
