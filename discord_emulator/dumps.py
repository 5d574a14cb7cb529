"""The emulator's own JSON views of its state, for the /_emulator control API (not Discord shapes)."""

from __future__ import annotations

from typing import Any

from .payloads import iso
from .results import InteractionResult
from .state import Guild, Message, Ping, RequestRecord

Json = dict[str, Any]


def message(entry: Message) -> Json:
    return {
        "id": str(entry.id),
        "channel_id": str(entry.channel_id),
        "guild_id": str(entry.guild_id) if entry.guild_id else None,
        "author": {"id": str(entry.author.id), "username": entry.author.username, "bot": entry.author.bot},
        "content": entry.content,
        "embeds": entry.embeds,
        "components": entry.components,
        "attachments": [
            {"id": str(a.id), "filename": a.filename, "size": a.size, "url": a.url} for a in entry.attachments
        ],
        "flags": entry.flags,
        "ephemeral_for": str(entry.ephemeral_for) if entry.ephemeral_for else None,
        "loading": entry.loading,
        "deleted": entry.deleted,
        "nonce": entry.nonce,
        "created_at": iso(entry.created_at),
        "edited_at": iso(entry.edited_at) if entry.edited_at else None,
        "edits": [
            {"content": r.content, "embeds": r.embeds, "components": r.components, "at": iso(r.at)} for r in entry.edits
        ],
        "mentions": {
            "users": [str(u) for u in entry.mention_user_ids],
            "roles": [str(r) for r in entry.mention_role_ids],
            "everyone": entry.mention_everyone,
        },
        "ping": ping(entry.ping) if entry.ping else None,
    }


def ping(entry: Ping) -> Json:
    return {
        "message_id": str(entry.message_id),
        "channel_id": str(entry.channel_id),
        "users": sorted(str(u) for u in entry.users),
        "roles": sorted(str(r) for r in entry.roles),
        "everyone": entry.everyone,
        "here": entry.here,
        "reached": sorted(str(u) for u in entry.reached),
    }


def guild(entry: Guild) -> Json:
    return {
        "id": str(entry.id),
        "name": entry.name,
        "locale": entry.preferred_locale,
        "owner_id": str(entry.owner_id),
        "roles": [
            {"id": str(r.id), "name": r.name, "permissions": str(r.permissions), "mentionable": r.mentionable}
            for r in entry.roles.values()
        ],
        "channels": [{"id": str(c.id), "name": c.name, "messages": len(c.messages)} for c in entry.live_channels],
        "members": [
            {
                "id": str(m.id),
                "username": m.user.username,
                "bot": m.user.bot,
                "locale": m.user.locale,
                "dms_open": m.user.dms_open,
                "roles": [str(r) for r in m.role_ids],
            }
            for m in entry.members.values()
        ],
    }


def request(entry: RequestRecord) -> Json:
    return {
        "method": entry.method,
        "path": entry.path,
        "route": entry.route,
        "status": entry.status,
        "body": entry.body,
        "query": entry.query,
        "time": entry.time,
    }


def interaction(result: InteractionResult) -> Json:
    modal = result.modal
    return {
        "id": str(result.id),
        "callback_type": result.callback_type,
        "deferred": result.deferred,
        "ephemeral": result.ephemeral,
        "failed": result.failed,
        "error": result.error.body() if result.error else None,
        "message": message(result.message) if result.message else None,
        "followups": [message(m) for m in result.followups],
        "modal": modal.data if modal else None,
        "choices": [{"name": c.name, "value": c.value} for c in result.choices] if result.choices is not None else None,
    }
