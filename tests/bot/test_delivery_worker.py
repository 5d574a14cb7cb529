"""The delivery worker keeps going when its database hiccups (found in review: one error stopped it)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest

from bot.core.clock import ScriptedClock, SystemClock
from bot.core.communities import CommunityCache
from bot.core.outgoing import Outgoing
from bot.core.pacing import Pacer
from bot.features.delivery import worker as delivery
from bot.features.delivery.worker import MAX_ATTEMPTS, OUTAGE_PATIENCE, DeliveryWorker
from verification.alerts import AlertKind
from verification.community import Recipient, RecipientKind
from verification.model import Language
from verification.ports import ClaimedDelivery


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


class RecordingQueue:
    def __init__(self) -> None:
        self.outcomes: list[tuple[str, str]] = []

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        self.outcomes.append(("retry", error))

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        self.outcomes.append(("failed", error))


@pytest.mark.parametrize(
    ("error", "owed_for", "outcome"),
    [
        ("outage: http 502", timedelta(minutes=2), "retry"),  # Discord's trouble: minutes, not a count
        ("outage: http 502", OUTAGE_PATIENCE, "failed"),  # ...but never forever
        ("dms_closed", timedelta(minutes=2), "failed"),  # the recipient's own cause: the count
    ],
)
async def test_discords_own_failures_get_minutes_where_other_causes_get_a_count(error, owed_for, outcome):
    """Issue 23: the worker's sends fail fast, one request an attempt, so MAX_ATTEMPTS alone would give up
    a send whose endpoint is down (while the probes get answers) in about a minute instead of minutes."""
    now = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
    queue = RecordingQueue()
    outgoing = Outgoing(discord.Client(intents=discord.Intents.none()), Pacer(10))
    worker = DeliveryWorker(queue, outgoing, None, ScriptedClock(now))  # type: ignore[arg-type]
    message = SimpleNamespace(number=1, seq=1)
    recipient = Recipient(RecipientKind.DM, 501, Language.EN)
    d = ClaimedDelivery(7, 1, AlertKind.ALERT, message, recipient, "vz", MAX_ATTEMPTS, 9, now - owed_for, None)  # type: ignore[arg-type]
    await worker._retry(d, error, in_doubt=True)
    assert queue.outcomes[0][0] == outcome
