"""Wake waiters whenever the emulated world changes, so tests wait on events instead of sleeping."""

# ruff: noqa: ASYNC109 - the wait helpers take `timeout=` by design: tests read better than with asyncio.timeout

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from .errors import EmulatorTimeout

T = TypeVar("T")


class ChangeFeed:
    """A generation counter plus an Event that is swapped out each time something changes.

    Synchronous code (route handlers, world mutations) calls bump(); waiters re-check their predicate
    after every bump. An asyncio.Condition would need its lock held to notify, which sync code cannot do.
    """

    def __init__(self) -> None:
        self.generation = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.generation += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str = "condition") -> T:
        """Return the predicate's first truthy result; raise EmulatorTimeout after `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    # Take the event before evaluating so a change between the two cannot be missed.
                    event = self._event
                    result = predicate()
                    if result:
                        return result
                    await event.wait()
        except TimeoutError:
            raise EmulatorTimeout(f"timed out after {timeout:g}s waiting for {what}") from None
