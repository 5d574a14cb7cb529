"""The emulated world rendered as the JSON objects Discord sends (gateway events and REST bodies)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from .state import DM_CHANNEL, Application, Attachment, Channel, Guild, Member, Message, Role, User


class PayloadSource(Protocol):
    """What a payload needs from the registry: payloads are built from it, never the other way round."""

    @property
    def application(self) -> Application: ...
    @property
    def users(self) -> Mapping[int, User]: ...
    @property
    def messages(self) -> Mapping[int, Message]: ...


Json = dict[str, Any]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def user(account: User) -> Json:
    return {
        "id": str(account.id),
        "username": account.username,
        "discriminator": "0",
        "global_name": account.global_name,
        "avatar": None,
        "bot": account.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }


def current_user(account: User) -> Json:
    """The /users/@me shape, which adds the private fields."""
    return {**user(account), "mfa_enabled": True, "locale": account.locale, "verified": True, "email": None}


def role(entry: Role) -> Json:
    payload: Json = {
        "id": str(entry.id),
        "name": entry.name,
        "description": None,
        "permissions": str(entry.permissions),
        "position": entry.position,
        "color": entry.color,
        "colors": {"primary_color": entry.color, "secondary_color": None, "tertiary_color": None},
        "hoist": entry.hoist,
        "managed": entry.managed,
        "mentionable": entry.mentionable,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }
    if entry.bot_id is not None:
        payload["tags"] = {"bot_id": str(entry.bot_id)}
    return payload


def member(entry: Member, *, permissions: int | None = None, with_user: bool = True) -> Json:
    payload: Json = {
        "roles": [str(role_id) for role_id in entry.role_ids],
        "joined_at": iso(entry.joined_at),
        "nick": entry.nick,
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
        "flags": 0,
        "pending": False,
        "premium_since": None,
        "mute": False,
        "deaf": False,
    }
    if with_user:
        payload["user"] = user(entry.user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def channel(entry: Channel, world: PayloadSource) -> Json:
    last = entry.last_message
    common: Json = {
        "id": str(entry.id),
        "type": entry.type,
        "flags": 0,
        "last_message_id": str(last.id) if last else None,
        "last_pin_timestamp": None,
    }
    if entry.type == DM_CHANNEL:
        recipient = world.users[entry.recipient_id] if entry.recipient_id else None
        return {**common, "recipients": [user(recipient)] if recipient else []}
    return {
        **common,
        "guild_id": str(entry.guild_id),
        "name": entry.name,
        "position": entry.position,
        "topic": entry.topic,
        "nsfw": entry.nsfw,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "permission_overwrites": [
            {"id": str(o.target_id), "type": o.kind, "allow": str(o.allow), "deny": str(o.deny)}
            for o in entry.overwrites
        ],
    }


def guild(entry: Guild, world: PayloadSource) -> Json:
    """The REST guild object (GET /guilds/{id})."""
    return {
        "id": str(entry.id),
        "name": entry.name,
        "icon": None,
        "description": entry.description,
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "features": [],
        "banner": None,
        "owner_id": str(entry.owner_id),
        "application_id": None,
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "roles": [role(r) for r in sorted(entry.roles.values(), key=lambda r: r.position)],
        "default_message_notifications": 1,
        "mfa_level": 0,
        "explicit_content_filter": 0,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": entry.preferred_locale,
        "rules_channel_id": None,
        "safety_alerts_channel_id": None,
        "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False,
        "nsfw": False,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": None,
        "approximate_member_count": len(entry.members),
        "approximate_presence_count": 0,
    }


def guild_create(entry: Guild, world: PayloadSource, *, all_members: bool, joined: bool = False) -> Json:
    """The GUILD_CREATE event; without the members intent Discord only sends the bot's own member.

    A guild the bot has just joined comes without `unavailable` (clients such as discord.py tell a
    join from a guild becoming available by that: `false` means "available again").
    """
    bot_id = world.application.bot.id
    members = [m for m in entry.members.values() if all_members or m.id == bot_id]
    bot_member = entry.members[bot_id]
    availability = {} if joined else {"unavailable": False}
    return {
        **guild(entry, world),
        "joined_at": iso(bot_member.joined_at),
        "large": False,
        **availability,
        "member_count": len(entry.members),
        "channels": [channel(c, world) for c in entry.live_channels],
        "members": [member(m) for m in members],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def attachment(entry: Attachment) -> Json:
    payload: Json = {
        "id": str(entry.id),
        "filename": entry.filename,
        "size": entry.size,
        "url": entry.url,
        "proxy_url": entry.url,
        "content_type": entry.content_type,
    }
    if entry.description is not None:
        payload["description"] = entry.description
    if entry.width is not None and entry.height is not None:
        payload["width"], payload["height"] = entry.width, entry.height
    if entry.ephemeral:
        payload["ephemeral"] = True
    return payload


def message(entry: Message, world: PayloadSource, *, include_nonce: bool = False, depth: int = 0) -> Json:
    payload: Json = {
        "id": str(entry.id),
        "channel_id": str(entry.channel_id),
        "author": user(entry.author),
        "content": entry.content,
        "timestamp": iso(entry.created_at),
        "edited_timestamp": iso(entry.edited_at) if entry.edited_at else None,
        "tts": entry.tts,
        "mention_everyone": entry.mention_everyone,
        "mentions": [user(world.users[uid]) for uid in entry.mention_user_ids if uid in world.users],
        "mention_roles": [str(role_id) for role_id in entry.mention_role_ids],
        "attachments": [attachment(a) for a in entry.attachments],
        "embeds": entry.embeds,
        "components": entry.components,
        "pinned": False,
        "type": entry.type,
        "flags": entry.flags,
    }
    if include_nonce and entry.nonce is not None:
        payload["nonce"] = entry.nonce
    if entry.webhook_id is not None:
        payload["webhook_id"] = str(entry.webhook_id)
    if entry.application_id is not None:
        payload["application_id"] = str(entry.application_id)
    if entry.interaction_metadata is not None:
        payload["interaction_metadata"] = entry.interaction_metadata
    if entry.message_reference is not None:
        payload["message_reference"] = entry.message_reference
        referenced_id = entry.message_reference.get("message_id")
        referenced = world.messages.get(int(referenced_id)) if referenced_id else None
        if depth == 0:
            payload["referenced_message"] = (
                message(referenced, world, depth=1) if referenced and not referenced.deleted else None
            )
    return payload


def application(app: Application) -> Json:
    """GET /oauth2/applications/@me: the fields discord.py's AppInfo reads plus what the spec requires."""
    return {
        "id": str(app.id),
        "name": app.name,
        "icon": None,
        "description": app.description,
        "type": None,
        "bot": user(app.bot),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": app.verify_key,
        "flags": app.flags,
        "flags_new": str(app.flags),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": user(app.owner),
        "approximate_guild_count": 0,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": None,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "rpc_origins": [],
        "tags": [],
        "integration_types_config": {"0": {}},
    }
