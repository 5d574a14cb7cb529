"""`GET /healthz` and `GET /metrics` on VERAZ_HEALTH_ADDRESS, for load balancers, monitors and people.

/healthz says this process's role (active or standby), whether its gateway is connected, the delivery
queue's depth and the age of its oldest due delivery, as JSON. It answers 200, or 503 when the active
process is unhealthy: no gateway session, or a due delivery waiting longer than STUCK_AFTER. A standby
is healthy while it can read the database. /metrics gives the same figures and this process's counters
(bot.core.metrics) in Prometheus' text format. Both read the database read-only; keep the address private
(loopback, or a network only monitors reach).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.core import metrics

STUCK_AFTER = timedelta(minutes=5)


class QueueFigures(Protocol):
    @property
    def depth(self) -> int: ...
    @property
    def in_doubt(self) -> int: ...
    @property
    def oldest_due(self) -> datetime | None: ...


@dataclass
class Probe:
    """Where the figures come from: this process's state, and the queue's figures read from the database
    (storage.queue_health, given by the composition root)."""

    queue: Callable[[datetime], Awaitable[QueueFigures]]
    active: Callable[[], bool]
    gateway: Callable[[], bool]
    process: str = ""
    epoch: Callable[[], int | None] = lambda: None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)  # on PostgreSQL, the database's (bot.standby)

    async def figures(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, what /healthz says)."""
        now = self.now()
        active, gateway = self.active(), self.gateway()
        body: dict[str, Any] = {"role": "active" if active else "standby", "gateway_connected": gateway,
                                "process": self.process, "epoch": self.epoch()}  # fmt: skip
        healthy = gateway or not active
        try:
            queue = await self.queue(now)
        except (OSError, TimeoutError, RuntimeError) as exc:
            body["database"] = f"unreachable: {type(exc).__name__}"
            return False, body
        except Exception as exc:  # a driver error of either backend: the database is not answering well
            body["database"] = f"error: {type(exc).__name__}"
            return False, body
        age = (now - queue.oldest_due).total_seconds() if queue.oldest_due is not None else 0.0
        body |= {"database": "ok", "queue_depth": queue.depth, "in_doubt": queue.in_doubt,
                 "oldest_due_seconds": round(max(age, 0.0), 1)}  # fmt: skip
        if active and age > STUCK_AFTER.total_seconds():
            healthy = False
        metrics.ACTIVE.set(1 if active else 0)
        metrics.GATEWAY.set(1 if gateway else 0)
        metrics.QUEUE_DEPTH.set(queue.depth)
        metrics.QUEUE_IN_DOUBT.set(queue.in_doubt)
        metrics.OLDEST_DUE.set(max(age, 0.0))
        return healthy, body


class HealthServer:
    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def healthz(self, request: web.Request) -> web.Response:
        healthy, body = await self.probe.figures()
        body["healthy"] = healthy
        return web.json_response(body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    async def metrics(self, request: web.Request) -> web.Response:
        await self.probe.figures()
        return web.Response(body=generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_health(address: tuple[str, int] | None, probe: Probe) -> HealthServer | None:
    if address is None:
        return None
    server = HealthServer(probe)
    await server.start(*address)
    return server
