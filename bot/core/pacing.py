"""A shared pace for the bot's own REST requests, below Discord's global limit of 50 per second.

Every request Veraz makes on its own initiative (alert deliveries, queue cards, opening DM channels)
takes a slot first. Slots are evenly spaced, `1 / rate` seconds apart, with no bursts and no catching
up after a pause: a request that is delayed on its way (a busy event loop, a slow write) can then only
crowd a neighbour, never a whole second's worth, so the bot stays under the limit without needing a
429 to find it. The difference to 50 is headroom for that jitter and for what discord.py sends by
itself. Interaction replies are exempt from the global limit and are not paced.
"""

from __future__ import annotations

import asyncio
import time


class Pacer:
    def __init__(self, rate: float = 47.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def slot(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
