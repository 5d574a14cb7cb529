"""The moderators' queue: one card per incident, posted once and edited in place.

Edits are coalesced: the first change to a card is shown at once, later ones within `interval`
seconds are folded into a single edit at the end of it. A flood of reports about one place therefore
costs one request every few seconds, not one per report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import discord

from bot.core.clock import Clock
from bot.core.communities import CommunityCache
from bot.core.incident_card import Card, card
from bot.core.outgoing import Outgoing
from bot.features.queue.view import card_view
from verification import usecases
from verification.errors import RuleViolation
from verification.ports import UnitOfWork

log = logging.getLogger(__name__)
MAX_CARD_TRIES = 8  # about four minutes of trying; the next change to the incident tries again


@dataclass
class _CardState:
    dirty: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


def to_embed(view: Card) -> discord.Embed:
    embed = discord.Embed(title=view.title[:256], description=view.description[:4096], colour=view.colour)
    for name, value in view.fields[:25]:
        embed.add_field(name=name[:256], value=value[:1024] or "—", inline=False)
    if view.footer:
        embed.set_footer(text=view.footer[:2048])
    return embed


class CardPublisher:
    def __init__(
        self,
        client: discord.Client,
        storage: UnitOfWork,
        communities: CommunityCache,
        clock: Clock,
        outgoing: Outgoing,
        *,
        interval: float = 3.0,
    ) -> None:
        self._client = client
        self._storage = storage
        self._communities = communities
        self._clock = clock
        self._outgoing = outgoing
        self.interval = interval
        self._cards: dict[tuple[int, int], _CardState] = {}
        self.on_published: Callable[[int, int], None] | None = None

    def refresh(self, community: int, number: int) -> None:
        """Ask for the card to show the incident as it now stands (returns at once)."""
        state = self._cards.setdefault((community, number), _CardState())
        state.dirty.set()
        if state.task is None or state.task.done():
            state.task = asyncio.create_task(self._run(community, number, state))

    async def redraw(self, community: int, *, all_open: bool = False) -> None:
        """Post the card of every open incident that has none (a crash between a report and its card,
        posts that kept failing); `all_open` redraws every open card (the queue channel changed)."""
        try:
            if await self._communities.get(community) is None:
                return
            for summary in await usecases.queue(self._storage, community):
                if all_open or summary.card_message is None:
                    self.refresh(community, summary.number)
        except Exception:  # a nicety at start-up and after /setup: it must never stop either
            log.exception("could not redraw the queue cards", extra={"guild": community})

    async def settle(self) -> None:
        """Wait until every card shows its incident's latest state (used by tests and the demo)."""
        while True:
            tasks = [s.task for s in self._cards.values() if s.task is not None and not s.task.done()]
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        for state in self._cards.values():
            if state.task is not None:
                state.task.cancel()
        await asyncio.gather(*(s.task for s in self._cards.values() if s.task), return_exceptions=True)

    async def _run(self, community: int, number: int, state: _CardState) -> None:
        failures = 0
        while state.dirty.is_set():
            state.dirty.clear()
            try:
                await self._publish(community, number)
                failures = 0
            except RuleViolation:
                pass  # the incident is gone (merged away and forgotten): nothing to show
            except Exception as exc:  # a card nobody sees hides an incident: keep it dirty and try again
                failures += 1
                log.warning("queue card not updated", extra={"guild": community, "incident": number,
                                                             "error": f"{type(exc).__name__}: {exc}"})  # fmt: skip
                if failures <= MAX_CARD_TRIES:
                    state.dirty.set()
                    await asyncio.sleep(min(60.0, 2.0**failures))
            if self.interval:
                await asyncio.sleep(self.interval)  # changes arriving meanwhile make one edit, next round

    async def _publish(self, community_id: int, number: int) -> None:
        community = await self._communities.get(community_id)
        if community is None or community.queue_channel is None:
            return
        view = await usecases.incident_view(self._storage, community_id, number)
        shown = card(view.incident, view.reports, community.language, community.zone, self._clock.now(), view.photos)
        embed = to_embed(shown)
        buttons = card_view(view.incident, community.language, verifiers=community.verifiers)
        if not isinstance(self._client.get_channel(community.queue_channel), discord.TextChannel):
            log.warning("queue channel missing", extra={"guild": community_id})
            return
        if view.card_message is not None:
            try:
                await self._outgoing.edit(community.queue_channel, view.card_message, embed=embed, view=buttons)
                self._published(community_id, number)
                return
            except discord.NotFound:
                pass  # the card was deleted: post a new one
        message = await self._outgoing.send(community.queue_channel, embed=embed, view=buttons)
        await usecases.set_card(self._storage, community_id, number, message.id)
        self._published(community_id, number)

    def _published(self, community: int, number: int) -> None:
        if self.on_published is not None:
            self.on_published(community, number)
