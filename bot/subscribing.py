"""Subscribing a member, by DM or by area role: shared by /subscribe and the alerts channel's menu."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import discord

from verification import usecases
from verification.community import Community, Subscription, Via
from verification.errors import RuleViolation
from verification.model import Language

from .area_roles import missing_permissions
from .i18n import t
from .render import replies
from .services import Services


@dataclass(frozen=True, slots=True)
class Subscribed:
    subscription: Subscription
    lines: list[str]  # the reply: what was done, then any warning


async def subscribe_member(
    services: Services,
    guild: discord.Guild | None,
    community: Community,
    user: int,
    area: str | None,
    language: Language,
    asked: Via | None,
    lang: Language,
) -> Subscribed:
    choice = usecases.choose_delivery(community, asked)
    warnings: list[str] = []
    if choice.fell_back:
        warnings.append(t(lang, "subscribe.roles_off"))
    via = choice.via
    missing = missing_permissions(guild) if via is Via.ROLE else []
    if missing:
        # Without them a role could not be made, or its post would ping nobody: DMs always arrive.
        via = Via.DM
        names = ", ".join(t(lang, f"permission.{name}") for name in missing)
        warnings.append(t(lang, "subscribe.roles_unavailable", permissions=names))
    if via is Via.ROLE and guild is not None:
        sub = await _by_role(services, guild, community, user, area, language)
        return Subscribed(sub, [replies.subscribed(sub, lang), *warnings])
    # One way per area: subscribing by DM takes back the area's role, if Veraz gave one.
    chosen = (area or "").strip()
    held = await usecases.held_roles(services.storage, community.id, user)
    if any(r.area.casefold() == chosen.casefold() for r in held):
        ended = await usecases.end_subscriptions(
            services.storage, community.id, user, chosen or None, services.clock.now()
        )
        if ended.roles and guild is not None:
            await services.roles.remove(guild.id, user, ended.roles)
    sub = await usecases.subscribe(services.storage, community.id, user, area, language)
    return Subscribed(sub, [replies.subscribed(sub, lang), *warnings])


async def _by_role(
    services: Services,
    guild: discord.Guild,
    community: Community,
    user: int,
    area: str | None,
    language: Language,
) -> Subscription:
    role = await services.roles.role_for(guild, community, area, language)
    before = await usecases.held_roles(services.storage, community.id, user)
    now = services.clock.now()
    sub = await usecases.subscribe_by_role(services.storage, community.id, user, role, now)
    try:
        await services.roles.grant(guild.id, user, role.role)
    except discord.HTTPException as exc:
        await usecases.role_not_granted(services.storage, community.id, user, role, services.clock.now())
        raise RuleViolation("role_not_granted") from exc
    replaced = tuple(r.role for r in before if r.area.casefold() == role.area.casefold() and r.role != role.role)
    if replaced:
        await services.roles.remove(guild.id, user, replaced)
    # Opened now, at a calm moment, and kept: a correction owed after they leave the role costs one
    # request, not a channel opening under Discord's tight limit for those. Nothing is sent.
    with contextlib.suppress(discord.HTTPException):  # the worker opens it if a correction is ever owed
        await services.delivery.open_dm_channel(community.id, user)
    return sub


async def unsubscribe_member(
    services: Services, guild_id: int, community: Community, user: int, area: str | None
) -> int:
    ended = await usecases.end_subscriptions(services.storage, community.id, user, area, services.clock.now())
    if ended.roles:
        await services.roles.remove(guild_id, user, ended.roles)
    return ended.count
