"""/healthz and /metrics: role, gateway, the queue's depth and oldest due delivery; 503 when the active
process is unhealthy; Prometheus text that a parser reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

import storage
from bot.health import HealthServer, Probe
from tests import raw_sql
from tests.storage.test_delivery_queue import _one_subscriber_alert


async def _get(probe: Probe, path: str) -> tuple[int, str]:
    async with TestClient(TestServer(HealthServer(probe).app())) as client:
        response = await client.get(path)
        return response.status, await response.text()


async def test_healthz_says_role_gateway_and_queue_and_503_when_the_active_one_is_unhealthy(any_database):
    await _one_subscriber_alert(any_database)  # a delivery queued for the subscriber
    await _due(any_database, datetime.now(UTC) + timedelta(seconds=30))  # due soon, not yet

    def probe(active: bool, gateway: bool) -> Probe:
        return Probe(lambda now: storage.queue_health(any_database, now), lambda: active, lambda: gateway, "p1")

    status, body = await _get(probe(active=False, gateway=False), "/healthz")
    assert status == 200  # a standby has no gateway, by design
    assert '"role": "standby"' in body
    assert '"queue_depth": 1' in body
    status, body = await _get(probe(active=True, gateway=False), "/healthz")
    assert (status, '"gateway_connected": false' in body) == (503, True)
    status, body = await _get(probe(active=True, gateway=True), "/healthz")
    assert status == 200

    # A due delivery that has waited ten minutes: the active process is not delivering.
    await _due(any_database, datetime.now(UTC) - timedelta(minutes=10))
    status, body = await _get(probe(active=True, gateway=True), "/healthz")
    assert status == 503
    assert '"oldest_due_seconds": 6' in body


async def test_metrics_are_prometheus_text_with_the_queue_and_the_counters(any_database):
    await _one_subscriber_alert(any_database)
    probe = Probe(lambda now: storage.queue_health(any_database, now), lambda: True, lambda: True, "p1")
    status, text = await _get(probe, "/metrics")
    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text)}
    for name in ("veraz_delivery_queue_depth", "veraz_oldest_due_delivery_seconds", "veraz_active",
                 "veraz_gateway_connected", "veraz_deliveries_sent", "veraz_deliveries_failed",
                 "veraz_deliveries_in_doubt", "veraz_discord_429", "veraz_interaction_ack_seconds",
                 "veraz_leadership_changes"):  # fmt: skip
        assert name in names, name
    assert "veraz_delivery_queue_depth 1.0" in text


async def _due(database: storage.AnyDatabase, at: datetime) -> None:
    uow = database.transaction()
    async with uow:
        await raw_sql.execute(uow, "UPDATE deliveries SET next_attempt_at = ?", at)
        await uow.commit()
