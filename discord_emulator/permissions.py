"""Discord permission bits and the documented algorithm that computes a member's channel permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import Channel, Guild, Member

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
MODERATE_MEMBERS_VOICE = 1 << 22
USE_VAD = 1 << 25
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40

ALL = (1 << 51) - 1

# What a new guild's @everyone role gets on Discord today.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | STREAM
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_VAD
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# A typical invite link for a slash-command bot that posts, edits and DMs.
DEFAULT_BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY


def guild_permissions(guild: Guild, member: Member) -> int:
    """Base permissions: the owner and ADMINISTRATOR get everything, others the OR of their roles."""
    if member.user.id == guild.owner_id:
        return ALL
    total = guild.everyone.permissions
    for role_id in member.role_ids:
        role = guild.roles.get(role_id)
        if role is not None:
            total |= role.permissions
    return ALL if total & ADMINISTRATOR else total


def channel_permissions(guild: Guild, member: Member, channel: Channel) -> int:
    """Base permissions with the channel's overwrites applied in Discord's order: @everyone, roles, member."""
    base = guild_permissions(guild, member)
    if base & ADMINISTRATOR:
        return ALL
    overwrites = {overwrite.target_id: overwrite for overwrite in channel.overwrites}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        base = (base & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        overwrite = overwrites.get(role_id)
        if overwrite is not None:
            allow |= overwrite.allow
            deny |= overwrite.deny
    base = (base & ~deny) | allow
    own = overwrites.get(member.user.id)
    if own is not None:
        base = (base & ~own.deny) | own.allow
    # Without VIEW_CHANNEL a member has no permissions in the channel at all.
    return base if base & VIEW_CHANNEL else 0
