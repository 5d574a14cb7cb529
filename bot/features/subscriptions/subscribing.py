"""Subscribing a member, by DM or by area role: shared by /subscribe and the alerts channel's menu."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import discord

from bot.core import replies
from bot.core.area_roles import missing_permissions
from bot.core.i18n import t
from bot.core.services import Services
from verification import usecases
from verification.community import Community, Subscription, Via
from verification.errors import RuleViolation
from verification.model import Language


@dataclass(frozen=True, slots=True)
class Subscribed:
    subscription: Subscription
    lines: list[str]  # the reply: what was done, then any warning


async def subscribe_member(
    services: Services,
    guild: discord.Guild | None,
    community: Community,
    member: discord.Member | discord.User,
    area: str | None,
    language: Language,
    asked: Via | None,
    lang: Language,
) -> Subscribed:
    user = member.id
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
    if via is Via.ROLE and guild is not None and not _reads_alerts(guild, community, member):
        # The role's posts are in a channel they cannot open: they would be pinged for nothing.
        via = Via.DM
        warnings.append(t(lang, "subscribe.cannot_read_alerts"))
    if via is Via.ROLE and guild is not None:
        by_role = await _by_role(services, guild, community, user, area, language)
        if by_role is not None:
            return Subscribed(by_role, [replies.subscribed(by_role, lang), *warnings])
        # Veraz made as many roles as the community allows, and this area has none: DMs always arrive.
        warnings.append(t(lang, "subscribe.roles_full", limit=community.area_role_limit))
    sub = await usecases.subscribe(services.storage, community.id, user, area, language)
    # One way per area: subscribing by DM takes back the area's role, if Veraz gave one. The area as the
    # community names it ("" is the every-area role, never every role), not as typed.
    taken = await usecases.take_back_roles(services.storage, community.id, user, sub.area, services.clock.now())
    if taken and guild is not None:
        await services.roles.remove(guild.id, user, taken)
        await services.roles.tidy(guild.id, community.id, taken)
    return Subscribed(sub, [replies.subscribed(sub, lang), *warnings])


def _reads_alerts(guild: discord.Guild, community: Community, member: discord.Member | discord.User) -> bool:
    channel = guild.get_channel(community.alerts_channel) if community.alerts_channel else None
    if not isinstance(channel, discord.TextChannel) or not isinstance(member, discord.Member):
        return True  # nothing to check against: the /settings warning about role holders still applies
    return channel.permissions_for(member).view_channel


async def _by_role(
    services: Services,
    guild: discord.Guild,
    community: Community,
    user: int,
    area: str | None,
    language: Language,
) -> Subscription | None:
    """The subscription by role; None when Veraz may make no more roles (the caller falls back to DMs)."""
    role = await services.roles.role_for(guild, community, area, language, user)
    if role is None:
        return None
    # Discord first: until the member holds the role, their subscription stays what it was.
    holds = await services.roles.grant(guild.id, user, role.role)
    if not holds:
        await usecases.role_not_granted(services.storage, community.id, user, role, services.clock.now())
        await services.roles.tidy(guild.id, community.id, (role.role,))  # made for them, maybe: nobody wears it
        raise RuleViolation("role_not_granted" if holds is False else "role_grant_unknown")
    done = await usecases.subscribe_by_role(services.storage, community.id, user, role, services.clock.now())
    if done.removed:
        # Exactly what the ledger now has them leaving, even a role another subscription gave a moment ago.
        await services.roles.remove(guild.id, user, done.removed)
        await services.roles.tidy(guild.id, community.id, done.removed)
    # Opened now, at a calm moment, and kept: a correction owed after they leave the role costs one
    # request, not a channel opening under Discord's tight limit for those. Nothing is sent.
    with contextlib.suppress(discord.HTTPException):  # the worker opens it if a correction is ever owed
        await services.delivery.open_dm_channel(community.id, user)
    return done.subscription


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    count: int  # subscriptions ended
    removed: int  # area roles taken away on Discord
    kept: int  # area roles Discord may not have taken away: the member may still be pinged


async def unsubscribe_member(
    services: Services, guild_id: int, community: Community, member: discord.Member | discord.User, area: str | None
) -> Unsubscribed:
    """End the subscriptions and take away Veraz's area roles that go with them: those the ledger has the
    member holding and those Discord shows on them (a lost answer, a removal refused last time)."""
    worn = tuple(r.id for r in member.roles) if isinstance(member, discord.Member) else ()
    ended = await usecases.end_subscriptions(
        services.storage, community.id, member.id, area, services.clock.now(), worn
    )
    kept = await services.roles.remove(guild_id, member.id, ended.roles) if ended.roles else ()
    deleted = await services.roles.tidy(guild_id, community.id, ended.roles)
    kept = tuple(r for r in kept if r not in deleted)  # a role deleted is taken away from everyone
    return Unsubscribed(ended.count, len(ended.roles) - len(kept), len(kept))
