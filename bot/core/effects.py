"""Shows what each committed change did: the one place cards are redrawn and the delivery worker woken.

The unit of work hands every commit's `Effects` here (see `verification.effects`), so no handler has to
remember to refresh a card after a use case. Removed photos go to the photos feature's hook, which deletes
their queue posts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.core import fanout_log
from bot.core.services import Hooks
from verification.effects import Effects


class Cards(Protocol):
    def refresh(self, community: int, number: int) -> None: ...


class Worker(Protocol):
    def wake(self) -> None: ...


class ShowEffects:
    """The dispatcher; its card publisher and worker are connected once the composition root built them."""

    def __init__(self, served: Callable[[int], object | None]) -> None:
        self._served = served  # a card is drawn only in a server the bot is in
        self._cards: Cards | None = None
        self._worker: Worker | None = None
        self._hooks: Hooks | None = None

    def connect(self, cards: Cards, worker: Worker, hooks: Hooks | None = None) -> None:
        self._cards, self._worker, self._hooks = cards, worker, hooks

    def __call__(self, effects: Effects) -> None:
        for owed in effects.queued:
            fanout_log.queued(owed)
        if self._cards is not None:
            for community, number in sorted(effects.cards):
                if self._served(community) is not None:
                    self._cards.refresh(community, number)
        if effects.deliveries and self._worker is not None:
            self._worker.wake()
        if effects.photo_posts and self._hooks is not None and self._hooks.photo_posts_removed is not None:
            self._hooks.photo_posts_removed()
