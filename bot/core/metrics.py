"""This process's counters for `GET /metrics` (Prometheus text format, prometheus-client).

Counted where they happen: deliveries sent, failed and left in doubt (by a wrapper around the delivery
queue, storage's side of the worker), 429s discord.py waited out, how long interactions took to be
acknowledged, and leadership changes. The gauges (role, gateway, queue depth, oldest due delivery) are
read afresh at each scrape by bot.health.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from verification.ports import DeliveryQueue

REGISTRY = CollectorRegistry(auto_describe=True)

SENT = Counter("veraz_deliveries_sent", "Deliveries recorded as sent by this process", registry=REGISTRY)
FAILED = Counter("veraz_deliveries_failed", "Deliveries given up by this process", registry=REGISTRY)
IN_DOUBT = Counter(
    "veraz_deliveries_in_doubt",
    "Attempts that may have reached Discord without an answer (timeouts)",
    registry=REGISTRY,
)
RATE_LIMITED = Counter("veraz_discord_429", "429 answers discord.py waited out", registry=REGISTRY)
ACK_SECONDS = Histogram(
    "veraz_interaction_ack_seconds",
    "From an interaction's creation to Veraz acknowledging it",
    buckets=(0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0),
    registry=REGISTRY,
)
LEADERSHIP_CHANGES = Counter(
    "veraz_leadership_changes", "Times this process became active or stopped being so", registry=REGISTRY
)
ACTIVE = Gauge("veraz_active", "1 if this process is the active one, 0 if a standby", registry=REGISTRY)
GATEWAY = Gauge("veraz_gateway_connected", "1 if this process holds a connected gateway session", registry=REGISTRY)
QUEUE_DEPTH = Gauge("veraz_delivery_queue_depth", "Deliveries queued or in flight", registry=REGISTRY)
QUEUE_IN_DOUBT = Gauge("veraz_delivery_queue_in_doubt", "Deliveries queued or in flight, in doubt", registry=REGISTRY)
OLDEST_DUE = Gauge(
    "veraz_oldest_due_delivery_seconds", "Age of the oldest delivery due now (0: none)", registry=REGISTRY
)


def acknowledged(interaction: discord.Interaction) -> None:
    """An interaction was acknowledged just now."""
    ACK_SECONDS.observe(max(0.0, (datetime.now(UTC) - interaction.created_at).total_seconds()))


class CountingQueue:
    """The delivery queue, counting what the worker records: sent, given up, left in doubt."""

    def __init__(self, queue: DeliveryQueue) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:  # every other step goes straight through
        return getattr(self._queue, name)

    async def sent(self, delivery: int, channel_id: int, message_id: int, now: datetime) -> None:
        await self._queue.sent(delivery, channel_id, message_id, now)
        SENT.inc()

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        await self._queue.failed(delivery, error, now, in_doubt=in_doubt)
        FAILED.inc()
        if in_doubt:
            IN_DOUBT.inc()

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        await self._queue.retry(delivery, error, at, now, in_doubt=in_doubt)
        if in_doubt:
            IN_DOUBT.inc()
