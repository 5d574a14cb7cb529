"""What the adapter's handlers work with, built once by the composition root (`VerazBot.setup_hook`).

Cogs, buttons and modals are given a `Services`; none of them imports the bot class to reach one.
The only thing that is looked up instead of given is the `Services` of a button press: discord.py
builds persistent buttons itself from their custom id, so `services_of` finds them on the client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import discord

from bot.core.area_roles import RoleKeeper
from bot.core.clock import Clock
from bot.core.communities import CommunityCache
from bot.core.outgoing import Outgoing
from bot.core.relay_book import RelayBook
from verification import usecases
from verification.community import Community
from verification.model import Language, Moderator
from verification.ports import Pseudonyms, UnitOfWork


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    deduplicated: int = 0  # found already delivered after a crash


@dataclass(frozen=True, slots=True)
class SentPhotos:
    """The photos attached to a report that was just filed (issue 24), for the photos feature to take in
    after the reply. `tell` sends the reporter a private follow-up (the interaction's, valid 15 minutes)."""

    community: int
    number: int
    report_id: int
    reporter: str  # the pseudonym
    lang: Language
    photos: tuple[discord.Attachment, ...]
    tell: Callable[[str], Awaitable[None]]


@dataclass
class Hooks:
    """What one feature offers another without either importing the other; set by the features' `setup`."""

    # Post the "Get alerts for..." menu in the alerts channel once (subscriptions); admin's /settings calls it.
    post_area_menu: Callable[[Community], Awaitable[Community]] | None = None
    # Show the areas of today in the menu, once posted (subscriptions); admin's /places calls it.
    refresh_area_menu: Callable[[Community], Awaitable[None]] | None = None
    # Take in a report's photos (photos); /report calls it after its reply. Returns at once.
    photos_sent: Callable[[SentPhotos], None] | None = None
    # Photos were removed (retention, /forget-me): delete their queue posts (photos). Returns at once.
    photo_posts_removed: Callable[[], None] | None = None


class QueueCards(Protocol):
    """The moderators' queue (bot/features/queue): one card per incident, edited in place."""

    def refresh(self, community: int, number: int) -> None: ...
    async def redraw(self, community: int, *, all_open: bool = False) -> None: ...
    async def settle(self) -> None: ...
    async def close(self) -> None: ...


class Deliveries(Protocol):
    """The delivery worker (bot/features/delivery): sends what the outbox owes."""

    def start(self) -> None: ...
    def wake(self) -> None: ...
    async def idle(self) -> None: ...
    async def close(self) -> None: ...
    async def open_dm_channel(self, community: int, user: int) -> int: ...
    def stats_for(self, community: int) -> DeliveryStats: ...


@dataclass(frozen=True, slots=True)
class Services:
    storage: UnitOfWork
    clock: Clock
    communities: CommunityCache
    pseudonyms: Pseudonyms
    relay: RelayBook
    cards: QueueCards
    delivery: Deliveries
    outgoing: Outgoing
    checkpoint: Callable[[], Awaitable[None]]  # empty the write-ahead log after deleting personal data
    rate_limited: Callable[[], int]  # how many 429s discord.py has waited out since start
    roles: RoleKeeper  # area roles on Discord (issue 14)
    feed_url: str | None = None  # the public feeds' base URL, when this process serves them (issue 15)
    # Messages posted since may belong to a history that a restore from backup dropped (issue 26).
    restored_horizon: datetime | None = None
    hooks: Hooks = field(default_factory=Hooks)

    def moderator(self, user: discord.abc.User, community: int) -> Moderator:
        """A moderator as the domain sees them: their id for the record, and the reporter pseudonym
        the same person would have, which stops them confirming their own report."""
        return Moderator(str(user.id), self.pseudonyms(community, user.id), getattr(user, "display_name", ""))

    async def post_to_queue(self, community: Community, number: int, text: str) -> None:
        """A note for moderators, as a reply to the incident's card (or on its own if there is none)."""
        if community.queue_channel is None:
            return
        card = await usecases.card_message(self.storage, community.id, number)
        reply_to = (community.queue_channel, card) if card is not None else None
        await self.outgoing.send(community.queue_channel, text, reply_to=reply_to)


def services_of(client: discord.Client) -> Services:
    """The services of the bot a button was pressed on (see the module doc)."""
    found = getattr(client, "services", None)
    if not isinstance(found, Services):
        raise RuntimeError("Veraz is still starting: its services are not ready")
    return found
