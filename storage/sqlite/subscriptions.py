"""Subscribers (Discord user ids: delivery needs them), their areas and their language."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from verification.community import Recipient, RecipientKind, Subscription, Via
from verification.deliveries import Subscriber
from verification.model import Language

from . import sql
from .connection import SqliteConnection
from .timestamps import ts


class SqliteSubscriptions:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def subscribe(self, community: int, user: int, area: str, language: Language, via: Via = Via.DM) -> None:
        # Subscribing again is how someone whose DMs were closed says "try me again".
        await sql.run(
            self.db,
            "INSERT INTO subscribers (community, user_id, language) VALUES (?, ?, ?) "
            "ON CONFLICT (community, user_id) DO UPDATE SET language = excluded.language, "
            "unreachable_at = NULL, failures = 0",
            (community, user, language.value),
        )
        await sql.run(
            self.db,
            "INSERT INTO subscriptions (community, user_id, area, area_key, created_at, via) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (community, user_id, area_key) DO UPDATE SET via = excluded.via",
            (community, user, area, area.casefold(), ts(datetime.now(UTC)), via.value),
        )

    async def unsubscribe(self, community: int, user: int, area: str | None) -> int:
        if area is None:
            removed = await sql.run(
                self.db, "DELETE FROM subscriptions WHERE community = ? AND user_id = ?", (community, user)
            )
        else:
            removed = await sql.run(
                self.db,
                "DELETE FROM subscriptions WHERE community = ? AND user_id = ? AND area_key = ?",
                (community, user, area.casefold()),
            )
        # Someone subscribed to nothing is not kept: corrections they are owed go by the delivery log.
        await sql.run(
            self.db,
            "DELETE FROM subscribers WHERE community = ? AND user_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.community = ? AND s.user_id = ?)",
            (community, user, community, user),
        )
        return removed

    async def of(self, community: int, user: int) -> list[Subscription]:
        found = await sql.rows(
            self.db,
            "SELECT s.area, b.language, s.via FROM subscriptions s JOIN subscribers b USING (community, user_id) "
            "WHERE s.community = ? AND s.user_id = ? ORDER BY s.area_key, s.via",
            (community, user),
        )
        return [Subscription(user, r[0], Language(r[1]), Via(r[2])) for r in found]

    async def matching(self, community: int, area: str) -> list[Subscriber]:
        found = await sql.rows(
            self.db,
            "SELECT DISTINCT b.user_id, b.language, "
            "(SELECT json_group_array(l.role_id) FROM role_ledger l WHERE l.community = b.community "
            "AND l.user_id = b.user_id AND l.removed_at IS NULL) AS wearing "
            "FROM subscriptions s JOIN subscribers b USING (community, user_id) "
            "WHERE s.community = ?1 AND s.area_key IN ('', ?2) AND b.unreachable_at IS NULL ORDER BY b.user_id",
            (community, area.casefold()),
        )
        return [
            Subscriber(Recipient(RecipientKind.DM, r[0], Language(r[1])), frozenset(json.loads(r[2]))) for r in found
        ]
