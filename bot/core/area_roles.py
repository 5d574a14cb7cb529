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

log = logging.getLogger(__name__)
TOO_MANY_ROLES = 30005
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
        # One maker per (server, area, language): two members subscribing at once share one new role.
        self._making: dict[tuple[int, str, Language], asyncio.Lock] = {}

    async def role_for(
        self, guild: discord.Guild, community: Community, area: str | None, language: Language
    ) -> AreaRole:
        """The area's role in `language`, made now if Veraz has none (or an admin deleted it)."""
        wanted = await usecases.role_wanted(self._storage, community.id, area, language)
        key = (community.id, wanted.area.casefold(), language)
        async with self._making.setdefault(key, asyncio.Lock()):
            return await self._role_for(guild, community, wanted.area, language)

    async def _role_for(self, guild: discord.Guild, community: Community, area: str, language: Language) -> AreaRole:
        wanted = await usecases.role_wanted(self._storage, community.id, area, language)  # again, in the lock
        if wanted.role is not None and guild.get_role(wanted.role) is not None:
            return AreaRole(wanted.area, language, wanted.role)
        if wanted.role is not None:
            await usecases.forget_area_role(self._storage, community.id, wanted.role, self._clock.now())
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
            try:
                await self._outgoing.delete_role(made, reason="Veraz: a duplicate area role")
            except discord.HTTPException as exc:
                log.warning("could not delete a duplicate area role", extra={"guild": guild.id, "error": str(exc)})
        return kept

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
