"""`veraz export` on PostgreSQL: the same JSON as storage.sqlite.export, read in one transaction."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from ..sqlite.export import FORMAT_VERSION
from ..sqlite.timestamps import maybe_ts, ts
from .database import PostgresDatabase

_TIMES = ("first_observed", "last_observed", "last_news_at", "opened_at", "updated_at", "closed_at")


def _stored(value: Any) -> Any:
    """As SQLite stores it: moments as text, flags as 0/1, lists as lists."""
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, bool):
        return int(value)
    return value


async def export_community(database: PostgresDatabase, community: int, now: datetime) -> dict[str, Any]:
    uow = database.transaction()
    async with uow:
        db = uow.db
        settings = await uow.communities.get(community)
        if settings is None:
            raise LookupError(f"no community {community} in this database")
        places = [
            {"name": r["name"], "area": r["area"], "kind": r["kind"], "aliases": list(r["aliases"])}
            for r in await db.fetch(
                'SELECT name, area, kind, aliases FROM places WHERE community = $1 ORDER BY name COLLATE "C"', community
            )
        ]
        incidents = []
        for row in await db.fetch("SELECT * FROM incidents WHERE community = $1 ORDER BY number", community):
            incident = {k: _stored(v) for k, v in row.items() if k not in ("community", "words", "card_message")}
            events = await db.fetch(
                "SELECT payload FROM incident_events WHERE community = $1 AND number = $2 ORDER BY seq",
                community,
                row["number"],
            )
            incident["history"] = [json.loads(e[0]) for e in events]
            incidents.append(incident)
        reports = [
            {k: _stored(v) for k, v in r.items()}
            for r in await db.fetch(
                'SELECT number, ordinal AS reporter, where_text AS "where", what, markings, observed_at, received_at, '
                "agency, people, language, low_trust, purged_at FROM reports WHERE community = $1 ORDER BY id",
                community,
            )
        ]
        alerts = []
        for row in await db.fetch(
            "SELECT id, number, seq, kind, created_at, payload FROM alerts WHERE community = $1 ORDER BY id", community
        ):
            counts = await db.fetch(
                "SELECT state, COUNT(*) FROM deliveries WHERE alert_id = $1 GROUP BY state", row["id"]
            )
            alerts.append({"number": row["number"], "seq": row["seq"], "kind": row["kind"],
                           "created_at": maybe_ts(row["created_at"]), "facts": json.loads(row["payload"])["facts"],
                           "deliveries": {c[0]: c[1] for c in counts}})  # fmt: skip
        areas = await db.fetch(
            'SELECT area, COUNT(*) FROM subscriptions WHERE community = $1 GROUP BY area ORDER BY area COLLATE "C"',
            community,
        )
        subscribers = await db.fetchval("SELECT COUNT(*) FROM subscribers WHERE community = $1", community)
    return {
        "format": FORMAT_VERSION,
        "exported_at": ts(now),
        "community": {k: getattr(v, "value", v) for k, v in asdict(settings).items()},
        "places": places,
        "incidents": incidents,
        "reports": reports,
        "alerts": alerts,
        "subscriptions": {"subscribers": subscribers, "by_area": {(a[0] or "(every area)"): a[1] for a in areas}},
    }
