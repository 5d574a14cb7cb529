"""The delivery worker keeps going when its database hiccups (found in review: one error stopped it)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime

import discord
import pytest

from bot.core.clock import SystemClock
from bot.core.communities import CommunityCache
from bot.core.outgoing import Outgoing
from bot.core.pacing import Pacer
from bot.features.delivery import worker as delivery
from bot.features.delivery.worker import DeliveryWorker


class FlakyQueue:
    """A delivery queue whose database is locked for the first two calls."""

    def __init__(self) -> None:
        self.recovered = self.due_asked = 0

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        self.recovered += 1
        if self.recovered == 1:
            raise sqlite3.OperationalError("database is locked")
        return 0

    async def claim(self, now: datetime, limit: int) -> list:
        return []

    async def next_due(self) -> datetime | None:
        self.due_asked += 1
        if self.due_asked == 1:
            raise sqlite3.OperationalError("database is locked")
        return None


async def test_the_worker_survives_database_errors_and_carries_on(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(delivery, "ERROR_PAUSE", 0.01)
    queue = FlakyQueue()
    outgoing = Outgoing(discord.Client(intents=discord.Intents.none()), Pacer(10))
    communities = CommunityCache(None)  # type: ignore[arg-type]  # never asked: nothing is claimed
    worker = DeliveryWorker(queue, outgoing, communities, SystemClock())  # type: ignore[arg-type]
    worker.start()
    await asyncio.wait_for(worker.idle(), 5)  # survived the failed recovery
    await asyncio.wait_for(worker.idle(), 5)  # and the failed next_due after that round
    await asyncio.wait_for(worker.idle(), 5)
    assert queue.recovered == 2
    assert queue.due_asked >= 2
    assert worker._task is not None
    assert not worker._task.done()
    await worker.close()
