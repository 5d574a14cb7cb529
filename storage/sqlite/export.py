"""`veraz export`: a community's data as JSON, for its admins (docs/SECURITY.md lists what is in it).

Everything about the incidents is there, including what reporters wrote while it is retained. What
identifies people is not: no pseudonyms, no subscriber ids (only how many subscribe to each area).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from . import sql
from .database import Database
from .timestamps import ts

FORMAT_VERSION = 1


async def export_community(database: Database, community: int, now: datetime) -> dict[str, Any]:
    async with database.transaction() as uow:
        db = uow.db
        settings = await uow.communities.get(community)
        if settings is None:
            raise LookupError(f"no community {community} in this database")
        query = "SELECT name, area, kind, aliases FROM places WHERE community = ? ORDER BY name"
        places = [dict(r) for r in await sql.rows(db, query, (community,))]
        for place in places:
            place["aliases"] = json.loads(place["aliases"])
        incidents = []
        for row in await sql.rows(db, "SELECT * FROM incidents WHERE community = ? ORDER BY number", (community,)):
            # sqlite3.Row iterates over values, not names: .keys() is needed here.
            incident = {k: row[k] for k in row.keys() if k not in ("community", "words", "card_message")}  # noqa: SIM118
            events = await sql.rows(
                db, "SELECT payload FROM incident_events WHERE community = ? AND number = ? ORDER BY seq",
                (community, row["number"]),
            )  # fmt: skip
            incident["history"] = [json.loads(e[0]) for e in events]
            incidents.append(incident)
        reports = [dict(r) for r in await sql.rows(
            db,
            "SELECT number, ordinal AS reporter, where_text AS 'where', what, markings, observed_at, received_at, "
            "agency, people, language, low_trust, purged_at FROM reports WHERE community = ? ORDER BY id",
            (community,),
        )]  # fmt: skip
        alerts = []
        for row in await sql.rows(
            db, "SELECT id, number, seq, kind, created_at, payload FROM alerts WHERE community = ? ORDER BY id",
            (community,),
        ):  # fmt: skip
            counts = await sql.rows(db, "SELECT state, COUNT(*) FROM deliveries WHERE alert_id = ? GROUP BY state",
                                    (row["id"],))  # fmt: skip
            alerts.append({"number": row["number"], "seq": row["seq"], "kind": row["kind"],
                           "created_at": row["created_at"], "facts": json.loads(row["payload"])["facts"],
                           "deliveries": {c[0]: c[1] for c in counts}})  # fmt: skip
        areas = await sql.rows(
            db, "SELECT area, COUNT(*) FROM subscriptions WHERE community = ? GROUP BY area ORDER BY area", (community,)
        )
        subscribers = await sql.value(db, "SELECT COUNT(*) FROM subscribers WHERE community = ?", (community,))
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
