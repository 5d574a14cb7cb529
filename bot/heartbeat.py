"""The running bot's heartbeat: alive, and whether connected to Discord, written to the database every
half minute (storage.sqlite.heartbeat), so `veraz status` can tell from another process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from discord.ext import commands

log = logging.getLogger(__name__)
Beat = Callable[[datetime, bool], Awaitable[None]]  # (now, connected)


class Heartbeat:
    def __init__(self, client: commands.Bot, beat: Beat, every: float) -> None:
        self._beat_with = beat
        self.every = every
        self.connected = False
        self.stopped = False
        # discord.py says when the gateway connection comes and goes; a resume is a connection too.
        client.add_listener(self._up, "on_ready")
        client.add_listener(self._up, "on_resumed")
        client.add_listener(self._down, "on_disconnect")

    async def _up(self) -> None:
        self.connected = True
        await self.beat()

    async def _down(self) -> None:
        self.connected = False
        await self.beat()

    async def run(self) -> None:
        while True:
            await self.beat()
            await asyncio.sleep(self.every)

    def stop(self) -> None:
        """No beat after this: the bot is closing, and says it stopped (a late beat would say it runs)."""
        self.stopped = True

    async def beat(self) -> None:
        """On the wall clock, whatever clock the bot's use cases run on: it is compared with another
        process's."""
        if self.stopped:
            return
        try:
            await self._beat_with(datetime.now(UTC), self.connected)
        except Exception as exc:  # a heartbeat must never stop the bot; the next one tries again
            log.warning("heartbeat not written", extra={"error": f"{type(exc).__name__}: {exc}"})
