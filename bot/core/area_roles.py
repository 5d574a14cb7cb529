"""Area roles on Discord: the permissions they need, making a role, granting and removing it.

Every request takes a slot from the shared pacer. The domain keeps the ledger (`usecases.area_roles`):
a grant is written there once Discord confirmed it, a removal before it is made, so the ledger never has
someone holding a role Discord did not give them (role posts would leave them out of the DMs).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.outgoing import Outgoing
from verification import usecases
from verification.community import AreaRole, Community, area_role_name
from verification.errors import RuleViolation
from verification.model import Language
from verification.ports import UnitOfWork
from verification.usecases import RoleWanted

log = logging.getLogger(__name__)
TOO_MANY_ROLES = 30005
DISCORD_ROLE_LIMIT = 250  # a server's roles in all, @everyone included
# Roles Veraz never takes of those Discord allows: a server near its limit keeps room for its admins' own.
ROLES_LEFT_TO_ADMINS = 25
NEEDED = ("manage_roles", "mention_everyone")  # in the order /settings explains them


def missing_permissions(guild: discord.Guild | None) -> list[str]:
    """What area roles need and the bot lacks: Manage Roles to make and hand out the roles, Mention
    Everyone to mention roles members cannot mention (that is how nobody else can ping them)."""
    me = guild.me if guild is not None else None
    if me is None:
        return list(NEEDED)
    granted = me.guild_permissions
    return [name for name in NEEDED if not getattr(granted, name)]


def unable_to_read(guild: discord.Guild, community: Community, roles: list[AreaRole]) -> list[discord.Role]:
    """Veraz's area roles whose holders cannot read the alerts channel (they would be pinged for nothing)."""
    channel = guild.get_channel(community.alerts_channel) if community.alerts_channel else None
    if not isinstance(channel, discord.TextChannel):
        return []
    found = [guild.get_role(r.role) for r in roles]
    return [role for role in found if role is not None and not channel.permissions_for(role).view_channel]


class RoleKeeper:
    def __init__(self, outgoing: Outgoing, clock: Clock, storage: UnitOfWork) -> None:
        self._outgoing = outgoing
        self._clock = clock
        self._storage = storage
        # One maker per server: two members subscribing at once share one new role, Veraz's limit of roles
        # holds, and a role is never deleted while a grant of it is being asked for.
        self._making: dict[int, asyncio.Lock] = {}
        # Grants asked before this moment are not this process's: a crash cut them short (`settle_unsettled`).
        self.started = clock.now()

    def _lock(self, community: int) -> asyncio.Lock:
        return self._making.setdefault(community, asyncio.Lock())

    async def role_for(
        self, guild: discord.Guild, community: Community, area: str | None, language: Language, user: int
    ) -> AreaRole | None:
        """The area's role in `language` for `user` to be given, made now if Veraz has none (or an admin
        deleted it); None when Veraz has made as many roles as the community allows. The grant is recorded
        as asked before this returns: from then on the role is not deleted as unworn."""
        async with self._lock(community.id):
            now = self._clock.now()
            wanted = await usecases.role_wanted(self._storage, community.id, area, language, user=user, now=now)
            role = await self._role_for(guild, community, wanted)
            if role is not None:
                await usecases.grant_asked(self._storage, community.id, user, role, now)
            return role

    async def _role_for(self, guild: discord.Guild, community: Community, wanted: RoleWanted) -> AreaRole | None:
        language = wanted.language
        if wanted.role is not None and guild.get_role(wanted.role) is not None:
            return AreaRole(wanted.area, language, wanted.role)
        if wanted.role is not None:
            await usecases.forget_area_role(self._storage, community.id, wanted.role, self._clock.now())
        elif not wanted.room:
            return None
        if len(guild.roles) >= DISCORD_ROLE_LIMIT - ROLES_LEFT_TO_ADMINS:
            # Veraz's own limit counts only its roles: on a server that has many already, its last ones
            # would take the server to Discord's limit, and then admins could make no role at all.
            raise RuleViolation("server_roles_nearly_full", count=len(guild.roles), limit=DISCORD_ROLE_LIMIT)
        label = wanted.area or t(community.language, "roles.every_area")
        name = area_role_name(label, language, community.language)
        try:
            # Discord puts a new role just above @everyone, so below Veraz's own role.
            made = await self._outgoing.create_role(guild, name, reason="Veraz area role")
        except discord.HTTPException as exc:
            if exc.code == TOO_MANY_ROLES:
                raise RuleViolation("too_many_roles") from exc
            raise RuleViolation("role_not_made") from exc
        role = AreaRole(wanted.area, language, made.id)
        kept = await usecases.remember_area_role(self._storage, community.id, role, self._clock.now())
        if kept.role != made.id:
            # Another process recorded its role first: that one is the area's, this one goes.
            await self._delete(guild.id, made.id, "Veraz: a duplicate area role")
        return kept

    async def tidy(self, guild_id: int, community: int, roles: tuple[int, ...]) -> tuple[int, ...]:
        """Delete those of `roles` nobody wears any more (by the ledger, with no grant on its way): Veraz
        keeps roles only for areas with subscribers, so no member can fill the server's roles. Returns the
        roles deleted."""
        deleted: list[int] = []
        if not roles:
            return ()
        async with self._lock(community):
            for role in await usecases.unworn(self._storage, community, roles):
                if await self._delete(guild_id, role, "Veraz: an area role nobody wears"):
                    await usecases.forget_area_role(self._storage, community, role, self._clock.now())
                    deleted.append(role)
        return tuple(deleted)

    async def delete_all(self, guild_id: int, community: int) -> tuple[int, int]:
        """Area roles were turned off: every role Veraz made goes, its holders' subscriptions by DM from now
        on. Returns how many were deleted, and how many Discord would not delete (still in the ledger's
        past, no longer pinged: an admin may delete them by hand)."""
        deleted = failed = 0
        async with self._lock(community):
            for role in await usecases.area_roles_of(self._storage, community):
                # Forgotten first: no post mentions a role that is going.
                await usecases.forget_area_role(self._storage, community, role.role, self._clock.now())
                if await self._delete(guild_id, role.role, "Veraz: area roles were turned off"):
                    deleted += 1
                else:
                    failed += 1
        return deleted, failed

    async def _delete(self, guild_id: int, role: int, reason: str) -> bool:
        try:
            await self._outgoing.delete_role(guild_id, role, reason=reason)
        except discord.NotFound:
            return True  # gone already
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not delete an area role", extra={"guild": guild_id, "error": str(exc)})
            return False
        return True

    async def settle_unsettled(self, guild_id: int, community: int) -> int:
        """Grants an earlier process asked for and never learnt the answer to (it crashed in between):
        Discord's look at the member decides. Held: the subscription they asked for is recorded, so the
        ledger knows the holder; not held: the ledger has them not holding it. Returns how many settled."""
        settled = 0
        for asked in await usecases.unsettled_grants(self._storage, community, self.started):
            holds = await self.holds(guild_id, asked.user, asked.role.role)
            now = self._clock.now()
            if holds is None:
                continue  # Discord does not say: the next start looks again
            if holds:
                done = await usecases.subscribe_by_role(self._storage, community, asked.user, asked.role, now)
                await self.remove(guild_id, asked.user, done.removed)
                await self.tidy(guild_id, community, done.removed)
            else:
                await usecases.role_not_granted(self._storage, community, asked.user, asked.role, now)
                await self.tidy(guild_id, community, (asked.role.role,))
            settled += 1
        return settled

    async def grant(self, guild_id: int, user_id: int, role: int) -> bool | None:
        """Give the role. True: the member holds it; False: they do not (Discord refused); None: nobody
        can tell (Discord and the look at the member both failed). A lost or 5xx answer may hide a grant
        Discord applied, so the member's roles are looked at before calling it refused."""
        try:
            await self._outgoing.add_role(guild_id, user_id, role, reason="Veraz: /subscribe")
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("an area role grant failed", extra={"guild": guild_id, "error": str(exc)})
            return await self.holds(guild_id, user_id, role)
        return True

    async def holds(self, guild_id: int, user_id: int, role: int) -> bool | None:
        """Whether Discord has the member holding the role now; None if it does not say."""
        try:
            held = await self._outgoing.member_roles(guild_id, user_id)
        except discord.NotFound:
            return False  # they left the server: they hold nothing
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not look at a member's roles", extra={"guild": guild_id, "error": str(exc)})
            return None
        return role in held

    async def remove(self, guild_id: int, user_id: int, roles: tuple[int, ...]) -> tuple[int, ...]:
        """Take the roles away. Returns those Discord may not have taken away (refused, or its answer was
        lost): the member may still be pinged, and /unsubscribe again takes away any it finds on them."""
        kept = []
        for role in roles:
            try:
                await self._outgoing.remove_role(guild_id, user_id, role, reason="Veraz: /unsubscribe")
            except discord.NotFound:
                continue  # the role or the member is gone already
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("could not remove an area role", extra={"guild": guild_id, "error": str(exc)})
                kept.append(role)
        return tuple(kept)
