"""Community settings."""

from __future__ import annotations

import sqlite3

from verification.community import Community, Via
from verification.model import Language

from . import sql
from .connection import SqliteConnection

_COLUMNS = (
    "id, timezone, language, moderator_role, queue_channel, alerts_channel, retention_days, stale_hours, "
    "cluster_window_minutes, report_limit, report_window_minutes, new_account_days, new_member_hours, "
    "relay_hours, area_roles, default_delivery, area_menu, on_call_role, escalate_after_minutes, verifier_role, "
    "verifier_channel, feed, feed_slug, area_role_limit"
)
_READ = _COLUMNS + ", places_stamp"


def _community(row: sqlite3.Row) -> Community:
    values = dict(row)
    values["language"] = Language(values["language"])
    values["area_roles"] = bool(values["area_roles"])
    values["feed"] = bool(values["feed"])
    values["default_delivery"] = Via(values["default_delivery"])
    return Community(**values)


class SqliteCommunities:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def get(self, community: int) -> Community | None:
        found = await sql.row(self.db, f"SELECT {_READ} FROM communities WHERE id = ?", (community,))
        return None if found is None else _community(found)

    async def all(self) -> list[Community]:
        return [_community(r) for r in await sql.rows(self.db, f"SELECT {_READ} FROM communities ORDER BY id")]

    async def save(self, community: Community) -> None:
        names = _COLUMNS.split(", ")
        values = [getattr(community, n) for n in names]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        await sql.run(
            self.db,
            f"INSERT INTO communities ({_COLUMNS}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [_stored(v) for v in values],
        )


def _stored(value: object) -> object:
    if isinstance(value, Language | Via):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value
