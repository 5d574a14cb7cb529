"""Community settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from verification.community import Community, Via
from verification.model import Language

if TYPE_CHECKING:
    from .transactions import TransactionSource

COLUMNS = (
    "id, timezone, language, moderator_role, queue_channel, alerts_channel, retention_days, stale_hours, "
    "cluster_window_minutes, report_limit, report_window_minutes, new_account_days, new_member_hours, "
    "relay_hours, area_roles, default_delivery, area_menu, on_call_role, escalate_after_minutes, verifier_role, "
    "verifier_channel, feed, feed_slug, area_role_limit"
)
READ = COLUMNS + ", places_stamp"


def community_of(row: asyncpg.Record) -> Community:
    values = dict(row)
    values["language"] = Language(values["language"])
    values["default_delivery"] = Via(values["default_delivery"])
    return Community(**values)


class PgCommunities:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def get(self, community: int) -> Community | None:
        conn = await self._uow.conn(community)
        found = await conn.fetchrow(f"SELECT {READ} FROM communities WHERE id = $1", community)
        if found is None:
            return None
        self._uow.tx().stamps[community] = int(found["places_stamp"] or 0)
        return community_of(found)

    async def all(self) -> list[Community]:
        conn = await self._uow.conn()
        return [community_of(r) for r in await conn.fetch(f"SELECT {READ} FROM communities ORDER BY id")]

    async def save(self, community: Community) -> None:
        conn = await self._uow.conn(community.id)
        names = COLUMNS.split(", ")
        values = [getattr(community, n) for n in names]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        marks = ", ".join(f"${i}" for i in range(1, len(names) + 1))
        await conn.execute(
            f"INSERT INTO communities ({COLUMNS}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
            *[v.value if isinstance(v, Language | Via) else v for v in values],
        )
