"""A shared pace for the bot's own REST requests, below Discord's global limit of 50 per second.

Every request Veraz makes on its own initiative (alert deliveries, queue cards, opening DM channels)
takes a slot first. At most `rate` slots are handed out in any one-second window, sliding, so the bot
stays under the limit without ever needing a 429 to find it; the difference to 50 is left for what
discord.py sends by itself. Interaction replies are exempt from the global limit and are not paced.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Pacer:
    def __init__(self, rate: int = 48, window: float = 1.0) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting for a slot, for the operators' figures

    async def slot(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return
                pause = self.window - (now - self._sent[0]) + 0.001
                self.waited += pause
                await asyncio.sleep(pause)
