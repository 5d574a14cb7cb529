"""Turning an actor's keyword arguments into typed interaction options plus `resolved` data.

Discord's client refuses input the schema forbids (missing required options, wrong types, values outside
choices or ranges), so those raise ActorError here instead of reaching the bot.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from typing import Any

from . import payloads
from .commands import Resolved
from .errors import ActorError
from .registry import Registry
from .state import Attachment, Channel, Guild, Member, Role, User

Json = dict[str, Any]

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


class OptionBuilder:
    def __init__(self, world: Registry, *, guild: Guild | None, channel: Channel, actor: User) -> None:
        self.world = world
        self.actor = actor
        self.locale = actor.locale
        self.guild = guild
        self.channel = channel
        self.resolved: dict[str, dict[str, Json]] = {}

    def build(
        self, resolved: Resolved, given: Mapping[str, Any], *, focused: str | None = None
    ) -> tuple[list[Json], Json]:
        """The nested `options` list for the interaction and its `resolved` object."""
        schemas = {self._key(schema, given): schema for schema in resolved.options}
        unknown = set(given) - set(schemas)
        if unknown:
            known = ", ".join(schema["name"] for schema in resolved.options) or "none"
            raise ActorError(f"/{resolved.qualified_name} has no option {sorted(unknown)} (options: {known})")
        leaf: list[Json] = []
        for key, schema in schemas.items():
            if key not in given:
                if schema.get("required") and focused is None:
                    raise ActorError(f"/{resolved.qualified_name} needs option {schema['name']!r}")
                continue
            if key == focused:
                if not schema.get("autocomplete"):
                    raise ActorError(f"option {schema['name']!r} of /{resolved.qualified_name} has no autocomplete")
                leaf.append({"name": schema["name"], "type": schema["type"], "value": str(given[key]), "focused": True})
                continue
            leaf.append({"name": schema["name"], "type": schema["type"], "value": self._value(schema, given[key])})
        if focused is not None and focused not in schemas:
            raise ActorError(f"/{resolved.qualified_name} has no option {focused!r} to autocomplete")
        options = leaf
        for link in reversed(resolved.chain):
            options = [{"name": link["name"], "type": link["type"], "options": options}]
        return options, {kind: entries for kind, entries in self.resolved.items() if entries}

    def _key(self, schema: Json, given: Mapping[str, Any]) -> str:
        """Accept the option's name or its localized name in the actor's locale."""
        localized = (schema.get("name_localizations") or {}).get(self.locale)
        if localized and localized in given:
            return str(localized)
        return str(schema["name"])

    def _value(self, schema: Json, value: Any) -> Any:
        kind = schema["type"]
        name = schema["name"]
        if kind in (STRING, INTEGER, NUMBER):
            value = self._choice(schema, value)
        if kind == STRING:
            if not isinstance(value, str):
                raise ActorError(f"option {name!r} takes text, not {value!r}")
            if not schema.get("min_length", 0) <= len(value) <= schema.get("max_length", 6000):
                raise ActorError(f"option {name!r}: length {len(value)} is outside the allowed range")
            return value
        if kind in (INTEGER, NUMBER):
            numeric = (int,) if kind == INTEGER else (int, float)
            if isinstance(value, bool) or not isinstance(value, numeric):
                raise ActorError(f"option {name!r} takes a number, not {value!r}")
            low, high = schema.get("min_value"), schema.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ActorError(f"option {name!r}: {value} is outside [{low}, {high}]")
            return value
        if kind == BOOLEAN:
            if not isinstance(value, bool):
                raise ActorError(f"option {name!r} takes True or False, not {value!r}")
            return value
        if kind == ATTACHMENT:
            return self._attachment(value)
        if kind == ROLE or (kind == MENTIONABLE and isinstance(value, Role)):
            return self.resolve_role(value)
        if kind in (USER, MENTIONABLE):
            return self.resolve_user(value)
        if kind == CHANNEL:
            return self.resolve_channel(value, schema.get("channel_types"), schema["name"])
        raise ActorError(f"option {name!r} has type {kind}, which the emulator does not know")

    @staticmethod
    def _choice(schema: Json, value: Any) -> Any:
        choices = schema.get("choices")
        if not choices:
            return value
        for choice in choices:
            if value == choice["value"]:
                return value
        for choice in choices:
            if value == choice["name"]:
                return choice["value"]
        allowed = ", ".join(repr(choice["value"]) for choice in choices)
        raise ActorError(f"option {schema['name']!r} only accepts {allowed}, not {value!r}")

    def _add(self, kind: str, key: int, payload: Json) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = payload

    def resolve_user(self, value: Any) -> str:
        """The user's id, adding the user (and member) to `resolved`."""
        inner = getattr(value, "member", value)
        if isinstance(inner, str) and inner.isdigit():
            inner = int(inner)
        if isinstance(inner, Member):
            account = inner.user
        elif isinstance(inner, User):
            account = inner
        elif isinstance(inner, int) and inner in self.world.users:
            account = self.world.users[inner]
        else:
            raise ActorError(f"{value!r} is not a user the emulator knows")
        self._add("users", account.id, payloads.user(account))
        member = self.guild.members.get(account.id) if self.guild else None
        if member is not None and self.guild is not None:
            permissions = self.world.permissions_in(self.channel, account.id)
            self._add("members", account.id, payloads.member(member, permissions=permissions, with_user=False))
        return str(account.id)

    def resolve_role(self, value: Any) -> str:
        """The role's id, adding the role to `resolved`."""
        role_id = value.id if isinstance(value, Role) else _snowflake(value)
        if self.guild is None or role_id not in self.guild.roles:
            raise ActorError(f"{value!r} is not a role of this guild")
        self._add("roles", role_id, payloads.role(self.guild.roles[role_id]))
        return str(role_id)

    def resolve_channel(self, value: Any, allowed_types: list[int] | None = None, name: str = "channel") -> str:
        """The channel's id, adding the partial channel to `resolved`."""
        target = value if isinstance(value, Channel) else self.world.channels.get(_snowflake(value))
        if target is None or target.deleted:
            raise ActorError(f"{value!r} is not a channel the emulator knows")
        if allowed_types and target.type not in allowed_types:
            raise ActorError(f"option {name!r} does not accept channel type {target.type}")
        self._add(
            "channels",
            target.id,
            {
                "id": str(target.id),
                "name": target.name,
                "type": target.type,
                "guild_id": str(target.guild_id) if target.guild_id else None,
                "permissions": str(self.world.permissions_in(target, self.actor.id)),
                "parent_id": None,
                "flags": 0,
            },
        )
        return str(target.id)

    def _attachment(self, value: Any) -> str:
        if isinstance(value, dict) and "filename" in value:
            # The control API's JSON form: {"filename", "text"} or {"filename", "data_base64"}.
            raw = value["text"].encode() if "text" in value else base64.b64decode(value.get("data_base64", ""))
            value = (value["filename"], raw, value.get("content_type") or _guess_type(value["filename"]))
        if isinstance(value, Attachment):
            entry = value
        elif isinstance(value, tuple) and len(value) in (2, 3):
            filename, data = value[0], value[1]
            content_type = value[2] if len(value) == 3 else _guess_type(filename)
            entry = self.world.new_attachment(
                filename, bytes(data), content_type=content_type, ephemeral=True, scope=self.world.application.id
            )
        else:
            raise ActorError(f"attachments are (filename, bytes[, content_type]) tuples, not {value!r}")
        if entry.size > self.world.limits.attachment_size_limit:
            raise ActorError(f"{entry.filename} is larger than the upload limit")
        self._add("attachments", entry.id, payloads.attachment(entry))
        return str(entry.id)


def _snowflake(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
