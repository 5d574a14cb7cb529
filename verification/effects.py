"""What a committed change must show the world: cards to redraw, deliveries to send.

A use case records its effects on the unit of work as it goes (`uow.effects`); the unit of work hands them
to one dispatcher after the commit, and drops them when the transaction is undone. No handler has to
remember to refresh a card or wake the delivery worker, and nothing is shown before it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Queued:
    """Messages an incident change made owed, for the operator's log: counts only, never a recipient."""

    community: int
    number: int
    kinds: tuple[str, ...]
    recipients: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class Effects:
    cards: frozenset[tuple[int, int]] = frozenset()  # (community, incident number) whose card changed
    deliveries: bool = False  # deliveries were queued or cancelled: the worker has work
    queued: tuple[Queued, ...] = ()
    photo_posts: bool = False  # photos were removed: their posts in the queue channel are to be deleted

    def __bool__(self) -> bool:
        return bool(self.cards) or self.deliveries or bool(self.queued) or self.photo_posts


Dispatch = Callable[[Effects], None]


@dataclass(slots=True)
class EffectsRecorder:
    """The effects of the transaction in progress (one per unit of work, emptied at each `begin`)."""

    _cards: set[tuple[int, int]] = field(default_factory=set)
    _deliveries: bool = False
    _queued: list[Queued] = field(default_factory=list)
    _photo_posts: bool = False

    def card(self, community: int, number: int) -> None:
        self._cards.add((community, number))

    def owed(self, queued: Queued) -> None:
        self._queued.append(queued)
        if queued.recipients:
            self._deliveries = True

    def photo_posts(self) -> None:
        self._photo_posts = True

    def begin(self) -> None:
        self._cards.clear()
        self._deliveries = False
        self._queued.clear()
        self._photo_posts = False

    def take(self) -> Effects:
        """The effects recorded, once: the recorder is empty afterwards."""
        taken = Effects(frozenset(self._cards), self._deliveries, tuple(self._queued), self._photo_posts)
        self.begin()
        return taken
