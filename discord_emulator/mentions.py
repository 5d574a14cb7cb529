"""Who a message pings: mentions parsed from content only, filtered by allowed_mentions and permissions.

The rules follow Discord's documentation: with no allowed_mentions everything in the content pings and a
reply pings its author; with allowed_mentions only the listed kinds or ids ping, and `replied_user`
defaults to false. Role pings also need the role to be mentionable or the author to have MENTION_EVERYONE,
and @everyone/@here always need MENTION_EVERYONE. Embeds never ping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .permissions import VIEW_CHANNEL, channel_permissions
from .state import Channel, Guild, Ping

Json = dict[str, Any]

_USER = re.compile(r"<@!?(\d{1,21})>")
_ROLE = re.compile(r"<@&(\d{1,21})>")


@dataclass(frozen=True)
class Mentions:
    users: tuple[int, ...]
    roles: tuple[int, ...]
    everyone: bool
    here: bool


def parse_content(content: str) -> Mentions:
    """Mentions written in the content, in order of appearance, without repeats."""
    return Mentions(
        users=tuple(dict.fromkeys(int(match) for match in _USER.findall(content))),
        roles=tuple(dict.fromkeys(int(match) for match in _ROLE.findall(content))),
        everyone="@everyone" in content,
        here="@here" in content,
    )


def allowed(parsed: Mentions, allowed_mentions: Json | None, reply_author: int | None) -> Mentions:
    """The subset of `parsed` (plus the replied-to author) that allowed_mentions lets through."""
    if allowed_mentions is None:
        every_user = parsed.users if reply_author is None else (*parsed.users, reply_author)
        return Mentions(tuple(dict.fromkeys(every_user)), parsed.roles, parsed.everyone, parsed.here)
    parse = set(allowed_mentions.get("parse") or [])
    listed_users = {int(user) for user in allowed_mentions.get("users") or []}
    listed_roles = {int(role) for role in allowed_mentions.get("roles") or []}
    users = [user for user in parsed.users if "users" in parse or user in listed_users]
    if reply_author is not None and allowed_mentions.get("replied_user"):
        users.append(reply_author)
    roles = tuple(role for role in parsed.roles if "roles" in parse or role in listed_roles)
    everyone_ok = "everyone" in parse
    return Mentions(tuple(dict.fromkeys(users)), roles, parsed.everyone and everyone_ok, parsed.here and everyone_ok)


def effective(wanted: Mentions, *, guild: Guild | None, can_mention_everyone: bool) -> Mentions:
    """Drop role and @everyone pings the author may not make; keep only users and roles that exist."""
    if guild is None:
        return Mentions(wanted.users, (), False, False)
    roles = tuple(
        role for role in wanted.roles if role in guild.roles and (guild.roles[role].mentionable or can_mention_everyone)
    )
    return Mentions(
        wanted.users,
        roles,
        wanted.everyone and can_mention_everyone,
        wanted.here and can_mention_everyone,
    )


def reached(pinged: Mentions, *, guild: Guild | None, channel: Channel, author_id: int) -> frozenset[int]:
    """Users who actually get a notification: they must be able to see the channel, and never the author."""
    if guild is None:
        return frozenset(user for user in pinged.users if user == channel.recipient_id)

    def can_see(user_id: int) -> bool:
        member = guild.members.get(user_id)
        return member is not None and bool(channel_permissions(guild, member, channel) & VIEW_CHANNEL)

    targets = set(pinged.users)
    if pinged.everyone or pinged.here:
        # No presence is emulated, so @here reaches the same people as @everyone.
        targets |= set(guild.members)
    for member in guild.members.values():
        if set(member.role_ids) & set(pinged.roles):
            targets.add(member.id)
    return frozenset(user for user in targets if user != author_id and can_see(user))


def ping_record(
    pinged: Mentions,
    *,
    message_id: int,
    guild: Guild | None,
    channel: Channel,
    author_id: int,
    at: datetime,
) -> Ping | None:
    """The Ping for a new message, or None when it pings nobody."""
    if not (pinged.users or pinged.roles or pinged.everyone or pinged.here):
        return None
    return Ping(
        message_id=message_id,
        channel_id=channel.id,
        guild_id=guild.id if guild else None,
        author_id=author_id,
        users=frozenset(pinged.users),
        roles=frozenset(pinged.roles),
        everyone=pinged.everyone,
        here=pinged.here,
        reached=reached(pinged, guild=guild, channel=channel, author_id=author_id),
        at=at,
    )
