"""The roles Veraz made for areas, and its ledger of the grants and removals it made (with times)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from verification.community import AreaRole, Recipient, RecipientKind
from verification.model import Language

if TYPE_CHECKING:
    from .transactions import TransactionSource

# Who held a role the post mentioned at some moment between its queueing and its (possible) sending, by
# the ledger, and holds it no more. Only a post that is sent, or may have been, told anyone anything.
_LEFT = """
SELECT DISTINCT l.user_id, d.language FROM deliveries d
JOIN role_ledger l ON l.community = d.community AND l.role_id = ANY(d.roles)
WHERE d.community = $1 AND d.id = $2 AND d.recipient_kind = 'role_post' AND (d.state = 'sent' OR d.in_doubt)
  AND l.granted_at <= d.updated_at AND l.removed_at IS NOT NULL AND l.removed_at >= d.created_at
  AND NOT EXISTS (SELECT 1 FROM role_ledger n WHERE n.community = l.community AND n.user_id = l.user_id
                  AND n.role_id = l.role_id AND n.removed_at IS NULL)
ORDER BY l.user_id
"""


class PgAreaRoles:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def get(self, community: int, area: str, language: Language) -> AreaRole | None:
        conn = await self._uow.conn(community)
        found = await conn.fetchrow(
            "SELECT area, language, role_id FROM area_roles WHERE community = $1 AND area_key = $2 AND language = $3",
            community,
            area.casefold(),
            language.value,
        )
        return None if found is None else AreaRole(found[0], Language(found[1]), found[2])

    async def all(self, community: int) -> list[AreaRole]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT area, language, role_id FROM area_roles WHERE community = $1 "
            'ORDER BY area_key COLLATE "C", language COLLATE "C"',
            community,
        )
        return [AreaRole(r[0], Language(r[1]), r[2]) for r in found]

    async def remember(self, community: int, role: AreaRole, at: datetime) -> None:
        conn = await self._uow.conn(community)
        await conn.execute(
            "INSERT INTO area_roles (community, area, area_key, language, role_id, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            community,
            role.area,
            role.area.casefold(),
            role.language.value,
            role.role,
            at,
        )

    async def forget(self, community: int, role: int, at: datetime) -> None:
        conn = await self._uow.conn(community)
        # Its holders' subscriptions to its area go by DM: with no role, a post can never reach them.
        await conn.execute(
            "UPDATE subscriptions SET via = 'dm' WHERE community = $1 AND via = 'role' "
            "AND area_key IN (SELECT area_key FROM area_roles WHERE community = $1 AND role_id = $2) "
            "AND user_id IN (SELECT user_id FROM role_ledger WHERE community = $1 AND role_id = $2 "
            "AND removed_at IS NULL)",
            community,
            role,
        )
        await conn.execute("DELETE FROM area_roles WHERE community = $1 AND role_id = $2", community, role)
        await conn.execute(
            "UPDATE role_ledger SET removed_at = $1 WHERE community = $2 AND role_id = $3 AND removed_at IS NULL",
            at,
            community,
            role,
        )

    async def granted(self, community: int, user: int, role: int, at: datetime) -> None:
        conn = await self._uow.conn(community)
        holding = await conn.fetchval(
            "SELECT COUNT(*) FROM role_ledger "
            "WHERE community = $1 AND user_id = $2 AND role_id = $3 AND removed_at IS NULL",
            community,
            user,
            role,
        )
        if not holding:
            await conn.execute(
                "INSERT INTO role_ledger (community, user_id, role_id, granted_at, dm_channel) VALUES ($1, $2, $3, $4, "
                "(SELECT dm_channel FROM subscribers WHERE community = $1 AND user_id = $2))",
                community,
                user,
                role,
                at,
            )

    async def removed(self, community: int, user: int, role: int, at: datetime) -> bool:
        conn = await self._uow.conn(community)
        changed = await conn.fetchval(
            "WITH changed AS (UPDATE role_ledger SET removed_at = $1 WHERE community = $2 AND user_id = $3 "
            "AND role_id = $4 AND removed_at IS NULL RETURNING 1) SELECT count(*) FROM changed",
            at,
            community,
            user,
            role,
        )
        return bool(changed)

    async def held(self, community: int, user: int) -> list[AreaRole]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT r.area, r.language, r.role_id FROM role_ledger l "
            "JOIN area_roles r ON r.community = l.community AND r.role_id = l.role_id "
            "WHERE l.community = $1 AND l.user_id = $2 AND l.removed_at IS NULL "
            'ORDER BY r.area_key COLLATE "C", r.language COLLATE "C"',
            community,
            user,
        )
        return [AreaRole(r[0], Language(r[1]), r[2]) for r in found]

    async def left_since(self, community: int, post_delivery: int) -> list[Recipient]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(_LEFT, community, post_delivery)
        return [Recipient(RecipientKind.DM, r[0], Language(r[1])) for r in found]
