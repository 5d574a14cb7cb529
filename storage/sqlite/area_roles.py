"""The roles Veraz made for areas, and its ledger of the grants and removals it made (with times)."""

from __future__ import annotations

from datetime import datetime, timedelta

from verification.community import AreaRole, AskedGrant, Recipient, RecipientKind
from verification.model import Language

from . import sql
from .connection import SqliteConnection
from .timestamps import from_ts, ts

KEEP_GRANTS = timedelta(days=1)  # settled grants kept for the rate limit (which needs an hour)

# Who held a role the post mentioned at some moment between its queueing and its (possible) sending, by
# the ledger, and holds it no more. Only a post that is sent, or may have been, told anyone anything.
_LEFT = """
SELECT DISTINCT l.user_id, d.language FROM deliveries d
JOIN json_each(d.roles) j
JOIN role_ledger l ON l.community = d.community AND l.role_id = j.value
WHERE d.community = ? AND d.id = ? AND d.recipient_kind = 'role_post' AND (d.state = 'sent' OR d.in_doubt = 1)
  AND l.granted_at <= d.updated_at AND l.removed_at IS NOT NULL AND l.removed_at >= d.created_at
  AND NOT EXISTS (SELECT 1 FROM role_ledger n WHERE n.community = l.community AND n.user_id = l.user_id
                  AND n.role_id = l.role_id AND n.removed_at IS NULL)
ORDER BY l.user_id
"""


class SqliteAreaRoles:
    def __init__(self, db: SqliteConnection) -> None:
        self.db = db

    async def get(self, community: int, area: str, language: Language) -> AreaRole | None:
        found = await sql.row(
            self.db,
            "SELECT area, language, role_id FROM area_roles WHERE community = ? AND area_key = ? AND language = ?",
            (community, area.casefold(), language.value),
        )
        return None if found is None else AreaRole(found[0], Language(found[1]), found[2])

    async def all(self, community: int) -> list[AreaRole]:
        found = await sql.rows(
            self.db,
            "SELECT area, language, role_id FROM area_roles WHERE community = ? ORDER BY area_key, language",
            (community,),
        )
        return [AreaRole(r[0], Language(r[1]), r[2]) for r in found]

    async def remember(self, community: int, role: AreaRole, at: datetime) -> None:
        await sql.run(
            self.db,
            "INSERT INTO area_roles (community, area, area_key, language, role_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (community, role.area, role.area.casefold(), role.language.value, role.role, ts(at)),
        )

    async def forget(self, community: int, role: int, at: datetime) -> None:
        # Its holders' subscriptions to its area go by DM: with no role, a post can never reach them.
        await sql.run(
            self.db,
            "UPDATE subscriptions SET via = 'dm' WHERE community = ?1 AND via = 'role' "
            "AND area_key IN (SELECT area_key FROM area_roles WHERE community = ?1 AND role_id = ?2) "
            "AND user_id IN (SELECT user_id FROM role_ledger WHERE community = ?1 AND role_id = ?2 "
            "AND removed_at IS NULL)",
            (community, role),
        )
        await sql.run(self.db, "DELETE FROM area_roles WHERE community = ? AND role_id = ?", (community, role))
        await sql.run(
            self.db,
            "UPDATE role_ledger SET removed_at = ? WHERE community = ? AND role_id = ? AND removed_at IS NULL",
            (ts(at), community, role),
        )

    async def granted(self, community: int, user: int, role: int, at: datetime) -> None:
        holding = await sql.value(
            self.db,
            "SELECT COUNT(*) FROM role_ledger "
            "WHERE community = ? AND user_id = ? AND role_id = ? AND removed_at IS NULL",
            (community, user, role),
        )
        if not holding:
            await sql.run(
                self.db,
                "INSERT INTO role_ledger (community, user_id, role_id, granted_at, dm_channel) VALUES (?, ?, ?, ?, "
                "(SELECT dm_channel FROM subscribers WHERE community = ? AND user_id = ?))",
                (community, user, role, ts(at), community, user),
            )

    async def removed(self, community: int, user: int, role: int, at: datetime) -> bool:
        changed = await sql.run(
            self.db,
            "UPDATE role_ledger SET removed_at = ? WHERE community = ? AND user_id = ? AND role_id = ? "
            "AND removed_at IS NULL",
            (ts(at), community, user, role),
        )
        return changed > 0

    async def held(self, community: int, user: int) -> list[AreaRole]:
        found = await sql.rows(
            self.db,
            "SELECT r.area, r.language, r.role_id FROM role_ledger l "
            "JOIN area_roles r ON r.community = l.community AND r.role_id = l.role_id "
            "WHERE l.community = ? AND l.user_id = ? AND l.removed_at IS NULL ORDER BY r.area_key, r.language",
            (community, user),
        )
        return [AreaRole(r[0], Language(r[1]), r[2]) for r in found]

    async def worn(self, community: int, role: int) -> bool:
        found = await sql.value(
            self.db,
            "SELECT EXISTS (SELECT 1 FROM role_ledger WHERE community = ?1 AND role_id = ?2 AND removed_at IS NULL) "
            "OR EXISTS (SELECT 1 FROM role_grants WHERE community = ?1 AND role_id = ?2 AND settled_at IS NULL)",
            (community, role),
        )
        return bool(found)

    async def ask_grant(self, community: int, user: int, role: AreaRole, at: datetime) -> None:
        # Rows older than a day say nothing the rate limit needs: a member's id is kept no longer than that.
        await sql.run(
            self.db,
            "DELETE FROM role_grants WHERE community = ? AND settled_at IS NOT NULL AND asked_at < ?",
            (community, ts(at - KEEP_GRANTS)),
        )
        await sql.run(
            self.db,
            "INSERT INTO role_grants (community, user_id, role_id, area, language, asked_at) VALUES (?, ?, ?, ?, ?, ?)",
            (community, user, role.role, role.area, role.language.value, ts(at)),
        )

    async def settle_grants(self, community: int, user: int, role: int, at: datetime) -> None:
        await sql.run(
            self.db,
            "UPDATE role_grants SET settled_at = ? "
            "WHERE community = ? AND user_id = ? AND role_id = ? AND settled_at IS NULL",
            (ts(at), community, user, role),
        )

    async def grants_asked(self, community: int, user: int, since: datetime) -> int:
        found = await sql.value(
            self.db,
            "SELECT COUNT(*) FROM role_grants WHERE community = ? AND user_id = ? AND asked_at >= ?",
            (community, user, ts(since)),
        )
        return int(found or 0)

    async def unsettled(self, community: int, asked_before: datetime) -> list[AskedGrant]:
        found = await sql.rows(
            self.db,
            "SELECT user_id, area, language, role_id, asked_at FROM role_grants "
            "WHERE community = ? AND settled_at IS NULL AND asked_at < ? ORDER BY id",
            (community, ts(asked_before)),
        )
        return [AskedGrant(r[0], AreaRole(r[1], Language(r[2]), r[3]), from_ts(r[4])) for r in found]

    async def left_since(self, community: int, post_delivery: int) -> list[Recipient]:
        found = await sql.rows(self.db, _LEFT, (community, post_delivery))
        return [Recipient(RecipientKind.DM, r[0], Language(r[1])) for r in found]
