"""A shared pace for the bot's own REST requests, below Discord's global limit of 50 per second.

Every request Veraz makes on its own initiative (alert deliveries, queue cards, opening DM channels)
takes a slot first. Slots are evenly spaced, `1 / rate` seconds apart, with no bursts and no catching
up after a pause: a request that is delayed on its way (a busy event loop, a slow write) can then only
crowd a neighbour, never a whole second's worth, so the bot stays under the limit without needing a
429 to find it. The difference to 50 is headroom for that jitter and for what discord.py sends by
itself. Interaction replies are exempt from the global limit and are not paced.

Spacing alone is not enough when the event loop stalls (a long synchronous step, a busy machine):
every send whose slot fell inside the stall wakes at its end, together, and a tenth of a second of them
on top of the next second's is a 429. So each send also looks at when the last sends really went, and
waits while `rate` of them went within the last second.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque


class Pacer:
    def __init__(self, rate: float = 47.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._sent: deque[float] = deque(maxlen=max(1, math.floor(rate)))  # when the latest sends really went

    async def slot(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
        while True:  # no await between the check and the record: one send at a time passes it
            now = time.monotonic()
            full = len(self._sent) == self._sent.maxlen and now - self._sent[0] < 1.0
            if not full:
                break
            await asyncio.sleep(1.0 - (now - self._sent[0]))
        self._sent.append(now)
