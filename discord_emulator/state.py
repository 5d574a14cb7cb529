"""The emulated world as plain dataclasses: users, guilds, roles, members, channels, messages and pings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .snowflakes import snowflake_time

Json = dict[str, Any]

TEXT_CHANNEL = 0
DM_CHANNEL = 1

EPHEMERAL_FLAG = 1 << 6
LOADING_FLAG = 1 << 7


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    dms_open: bool = True

    @property
    def created_at(self) -> datetime:
        return snowflake_time(self.id)

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (kind 0) or a member (kind 1)."""

    target_id: int
    kind: int
    allow: int = 0
    deny: int = 0


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int]
    joined_at: datetime
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None
    ephemeral: bool = False
    width: int | None = None  # images only, as Discord measures them
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Revision:
    """One version of a message: the first is the original, each later one an edit."""

    content: str
    embeds: list[Json]
    components: list[Json]
    attachment_names: tuple[str, ...]
    flags: int
    at: datetime


@dataclass(frozen=True)
class Ping:
    """The notifications one message caused, after allowed_mentions and permissions were applied."""

    message_id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    users: frozenset[int]
    roles: frozenset[int]
    everyone: bool
    here: bool
    reached: frozenset[int]
    at: datetime


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str
    created_at: datetime
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    edited_at: datetime | None = None
    nonce: str | int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: Json | None = None
    message_reference: Json | None = None
    mention_user_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    ephemeral_for: int | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False
    ping: Ping | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def loading(self) -> bool:
        """True while a deferred ("thinking") response has not been filled in yet."""
        return bool(self.flags & LOADING_FLAG)

    @property
    def edits(self) -> list[Revision]:
        """The versions this message went through after it was first posted."""
        return self.history[1:]

    @property
    def embed(self) -> Json | None:
        return self.embeds[0] if self.embeds else None

    def walk_components(self) -> Iterator[Json]:
        """Every component in the message, depth first (rows, containers, sections, accessories)."""
        yield from walk_components(self.components)

    @property
    def buttons(self) -> list[Json]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    def button(self, label: str | None = None, *, custom_id: str | None = None) -> Json:
        """The one button with this label or custom_id (KeyError when there is none)."""
        for candidate in self.buttons:
            if (custom_id is not None and candidate.get("custom_id") == custom_id) or (
                label is not None and candidate.get("label") == label
            ):
                return candidate
        raise KeyError(f"message {self.id} has no button {label or custom_id!r}")

    @property
    def text(self) -> str:
        """Content plus every embed's title, description and fields: handy for "the user was told X"."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [str(embed.get(key, "")) for key in ("title", "description")]
            for embed_field in embed.get("fields", []):
                parts += [str(embed_field.get("name", "")), str(embed_field.get("value", ""))]
            parts.append(str((embed.get("footer") or {}).get("text", "")))
        for component in self.walk_components():
            if component.get("type") == 10:
                parts.append(str(component.get("content", "")))
        return "\n".join(part for part in parts if part)


def walk_components(components: list[Json]) -> Iterator[Json]:
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


@dataclass
class Channel:
    id: int
    type: int
    name: str | None
    guild_id: int | None
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_id: int | None = None
    nsfw: bool = False
    deleted: bool = False
    all_messages: list[Message] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        """Messages still in the channel, oldest first."""
        return [message for message in self.all_messages if not message.deleted]

    @property
    def last_message(self) -> Message | None:
        live = self.messages
        return live[-1] if live else None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    description: str | None = None
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def live_channels(self) -> list[Channel]:
        return [channel for channel in self.channels.values() if not channel.deleted]


@dataclass
class Application:
    id: int
    name: str
    owner: User
    bot: User
    description: str = ""
    flags: int = 0
    verify_key: str = "0" * 64


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the emulator answered; `route` is None when no emulated route matched."""

    method: str
    path: str
    route: str | None
    status: int
    body: Any
    response: Any
    query: dict[str, str]
    time: float
