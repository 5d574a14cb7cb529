"""Subscribers (Discord user ids: delivery needs them), their areas and their language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verification.community import Recipient, RecipientKind, Subscription, Via
from verification.deliveries import Subscriber
from verification.model import Language

if TYPE_CHECKING:
    from .transactions import TransactionSource


class PgSubscriptions:
    def __init__(self, uow: TransactionSource) -> None:
        self._uow = uow

    async def subscribe(self, community: int, user: int, area: str, language: Language, via: Via = Via.DM) -> None:
        conn = await self._uow.conn(community)
        # Subscribing again is how someone whose DMs were closed says "try me again".
        await conn.execute(
            "INSERT INTO subscribers (community, user_id, language) VALUES ($1, $2, $3) "
            "ON CONFLICT (community, user_id) DO UPDATE SET language = excluded.language, "
            "unreachable_at = NULL, failures = 0",
            community,
            user,
            language.value,
        )
        await conn.execute(
            "INSERT INTO subscriptions (community, user_id, area, area_key, created_at, via) "
            "VALUES ($1, $2, $3, $4, now(), $5) "  # the database's clock, as every host's (storage.postgres.clock)
            "ON CONFLICT (community, user_id, area_key) DO UPDATE SET via = excluded.via",
            community,
            user,
            area,
            area.casefold(),
            via.value,
        )

    async def unsubscribe(self, community: int, user: int, area: str | None) -> int:
        conn = await self._uow.conn(community)
        if area is None:
            removed = await conn.fetchval(
                "WITH gone AS (DELETE FROM subscriptions WHERE community = $1 AND user_id = $2 RETURNING 1) "
                "SELECT count(*) FROM gone",
                community,
                user,
            )
        else:
            removed = await conn.fetchval(
                "WITH gone AS (DELETE FROM subscriptions WHERE community = $1 AND user_id = $2 AND area_key = $3 "
                "RETURNING 1) SELECT count(*) FROM gone",
                community,
                user,
                area.casefold(),
            )
        # Someone subscribed to nothing is not kept: corrections they are owed go by the delivery log.
        await conn.execute(
            "DELETE FROM subscribers WHERE community = $1 AND user_id = $2 AND NOT EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.community = $1 AND s.user_id = $2)",
            community,
            user,
        )
        return int(removed)

    async def of(self, community: int, user: int) -> list[Subscription]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT s.area, b.language, s.via FROM subscriptions s JOIN subscribers b USING (community, user_id) "
            'WHERE s.community = $1 AND s.user_id = $2 ORDER BY s.area_key COLLATE "C", s.via COLLATE "C"',
            community,
            user,
        )
        return [Subscription(user, r[0], Language(r[1]), Via(r[2])) for r in found]

    async def matching(self, community: int, area: str) -> list[Subscriber]:
        conn = await self._uow.conn(community)
        found = await conn.fetch(
            "SELECT b.user_id, b.language, ARRAY(SELECT l.role_id FROM role_ledger l WHERE l.community = b.community "
            "AND l.user_id = b.user_id AND l.removed_at IS NULL) AS wearing "
            "FROM subscribers b WHERE b.community = $1 AND b.unreachable_at IS NULL AND EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.community = b.community AND s.user_id = b.user_id "
            "AND s.area_key IN ('', $2)) ORDER BY b.user_id",
            community,
            area.casefold(),
        )
        return [Subscriber(Recipient(RecipientKind.DM, r[0], Language(r[1])), frozenset(r[2])) for r in found]
