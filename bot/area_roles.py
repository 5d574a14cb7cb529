"""Area roles on Discord: the permissions they need, making a role, granting and removing it.

Every request takes a slot from the shared pacer. The domain keeps the ledger (`usecases.area_roles`):
a grant is written there before it is made, so a failed ledger write never leaves a holder unrecorded.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from verification import usecases
from verification.community import AreaRole, Community, area_role_name
from verification.errors import RuleViolation
from verification.model import Language
from verification.ports import UnitOfWork

from .clock import Clock
from .i18n import t
from .outgoing import Outgoing

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
    def __init__(self, client: discord.Client, outgoing: Outgoing, clock: Clock, storage: UnitOfWork) -> None:
        self._client = client
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
        await self._outgoing.pacer.slot()
        try:
            # Not mentionable, no permissions: only Veraz (with Mention Everyone) can ping it. Discord
            # puts a new role just above @everyone, so below Veraz's own role.
            made = await guild.create_role(name=name, mentionable=False, permissions=discord.Permissions.none(),
                                           reason="Veraz area role")  # fmt: skip
        except discord.HTTPException as exc:
            if exc.code == TOO_MANY_ROLES:
                raise RuleViolation("too_many_roles") from exc
            raise RuleViolation("role_not_made") from exc
        role = AreaRole(wanted.area, language, made.id)
        kept = await usecases.remember_area_role(self._storage, community.id, role, self._clock.now())
        if kept.role != made.id:
            # Another process recorded its role first: that one is the area's, this one goes.
            await self._outgoing.pacer.slot()
            try:
                await made.delete(reason="Veraz: a duplicate area role")
            except discord.HTTPException as exc:
                log.warning("could not delete a duplicate area role", extra={"guild": guild.id, "error": str(exc)})
        return kept

    async def grant(self, guild_id: int, user_id: int, role: int) -> None:
        await self._outgoing.pacer.slot()
        await self._client.http.add_role(guild_id, user_id, role, reason="Veraz: /subscribe")

    async def remove(self, guild_id: int, user_id: int, roles: tuple[int, ...]) -> bool:
        """Take the roles away; False if Discord refused any (the ledger has them removed anyway: someone
        still holding one gets the reply's ping and, for a correction, a DM too, never nothing)."""
        ok = True
        for role in roles:
            await self._outgoing.pacer.slot()
            try:
                await self._client.http.remove_role(guild_id, user_id, role, reason="Veraz: /unsubscribe")
            except discord.NotFound:
                continue  # the role or the member is gone already
            except discord.HTTPException as exc:
                log.warning("could not remove an area role", extra={"guild": guild_id, "error": str(exc)})
                ok = False
        return ok
