"""The registry of everything the emulator knows, and the mutations that tell the bot about changes."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from . import cdn_links, intents, payloads
from .feed import ChangeFeed
from .limits import Limits
from .permissions import DEFAULT_BOT, DEFAULT_EVERYONE, channel_permissions
from .snowflakes import SnowflakeFactory
from .state import (
    DM_CHANNEL,
    TEXT_CHANNEL,
    Application,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Overwrite,
    Ping,
    RequestRecord,
    Role,
    User,
)

Json = dict[str, Any]

# Deterministic defaults: established accounts and long-standing members unless a test says otherwise.
DEFAULT_CREATED_AT = datetime(2020, 1, 1, tzinfo=UTC)
DEFAULT_JOINED_AT = datetime(2021, 1, 1, tzinfo=UTC)


class Dispatcher(Protocol):
    def dispatch(
        self, event: str, data: Json, *, guild_id: int | None, intent: int | None, private_content: bool
    ) -> None: ...


class _Nobody:
    def dispatch(
        self, event: str, data: Json, *, guild_id: int | None, intent: int | None, private_content: bool
    ) -> None:
        return None


class Registry:
    def __init__(self, *, token: str, limits: Limits, bot_name: str = "Veraz") -> None:
        self.token = token
        self.limits = limits
        self.snowflakes = SnowflakeFactory()
        self.feed = ChangeFeed()
        self.dispatcher: Dispatcher = _Nobody()
        self.cdn_base = "http://127.0.0.1:0"
        self.cdn_secret = secrets.token_bytes(16)  # signs CDN links, as Discord's hm= does
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channel_ids: dict[int, int] = {}
        self.pings: list[Ping] = []
        self.requests: list[RequestRecord] = []
        self.rate_limited_count = 0
        owner = self.create_user(f"{bot_name.lower()}-developer")
        bot = self.create_user(bot_name, bot=True)
        self.application = Application(id=bot.id, name=bot_name, owner=owner, bot=bot)

    @property
    def bot(self) -> User:
        return self.application.bot

    def changed(self) -> None:
        self.feed.bump()

    def dispatch(
        self,
        event: str,
        data: Json,
        *,
        guild_id: int | None,
        intent: int | None,
        private_content: bool = False,
    ) -> None:
        """Send a gateway event, but only about guilds the bot is in."""
        if guild_id is not None and not self.bot_in(self.guilds[guild_id]):
            return
        self.dispatcher.dispatch(event, data, guild_id=guild_id, intent=intent, private_content=private_content)

    # Users and guilds.

    def create_user(
        self,
        username: str,
        *,
        created_at: datetime | None = None,
        locale: str = "en-US",
        global_name: str | None = None,
        bot: bool = False,
        dms_open: bool = True,
    ) -> User:
        moment = created_at or DEFAULT_CREATED_AT + timedelta(minutes=len(self.users))
        account = User(
            id=self.snowflakes.at(moment),
            username=username,
            global_name=global_name,
            bot=bot,
            locale=locale,
            dms_open=dms_open,
        )
        self.users[account.id] = account
        self.changed()
        return account

    def create_guild(self, name: str, *, locale: str = "en-US", owner: User | None = None) -> Guild:
        """A guild like Discord makes one: owner, @everyone (id = guild id) and a #general channel."""
        owner = owner or self.create_user(f"{name.split()[0].lower()}-owner")
        guild_id = self.snowflakes.now()
        guild = Guild(id=guild_id, name=name, owner_id=owner.id, preferred_locale=locale)
        guild.roles[guild_id] = Role(id=guild_id, guild_id=guild_id, name="@everyone", permissions=DEFAULT_EVERYONE)
        self.guilds[guild_id] = guild
        guild.members[owner.id] = Member(user=owner, guild_id=guild_id, role_ids=[], joined_at=DEFAULT_JOINED_AT)
        self.create_channel(guild, "general")
        return guild

    def create_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = False,
        color: int = 0,
        hoist: bool = False,
        bot_id: int | None = None,
        position: int | None = None,
    ) -> Role:
        """A role at `position`, default the top. Discord's own create route puts new roles at 1, just
        above @everyone, moving the others up: pass `position=1` for that."""
        if position is None:
            position = max(r.position for r in guild.roles.values()) + 1
        else:
            for other in guild.roles.values():
                if other.id != guild.id and other.position >= position:
                    other.position += 1
        entry = Role(
            id=self.snowflakes.now(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=position,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
            managed=bot_id is not None,
            bot_id=bot_id,
        )
        guild.roles[entry.id] = entry
        self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": payloads.role(entry)},
            guild_id=guild.id,
            intent=intents.GUILDS,
        )
        self.changed()
        return entry

    def update_role(self, guild: Guild, entry: Role, changes: Json) -> Role:
        """Apply a role edit (name, permissions, color, hoist, mentionable) and tell the bot."""
        for key in ("name", "color", "hoist", "mentionable"):
            if key in changes and changes[key] is not None:
                setattr(entry, key, changes[key])
        if changes.get("permissions") is not None:
            entry.permissions = int(changes["permissions"])
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": payloads.role(entry)},
            guild_id=guild.id,
            intent=intents.GUILDS,
        )
        self.changed()
        return entry

    def delete_role(self, guild: Guild, entry: Role) -> None:
        """Delete a role: its holders lose it (without a member update event, as on Discord)."""
        del guild.roles[entry.id]
        for member in guild.members.values():
            if entry.id in member.role_ids:
                member.role_ids = [r for r in member.role_ids if r != entry.id]
        for other in guild.roles.values():
            if other.id != guild.id and other.position > entry.position:
                other.position -= 1
        self.dispatch(
            "GUILD_ROLE_DELETE",
            {"guild_id": str(guild.id), "role_id": str(entry.id)},
            guild_id=guild.id,
            intent=intents.GUILDS,
        )
        self.changed()

    def create_channel(
        self,
        guild: Guild,
        name: str,
        *,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
    ) -> Channel:
        entry = Channel(
            id=self.snowflakes.now(),
            type=TEXT_CHANNEL,
            name=name,
            guild_id=guild.id,
            position=len(guild.channels),
            topic=topic,
            overwrites=list(overwrites),
        )
        guild.channels[entry.id] = entry
        self.channels[entry.id] = entry
        self.dispatch("CHANNEL_CREATE", payloads.channel(entry, self), guild_id=guild.id, intent=intents.GUILDS)
        self.changed()
        return entry

    def delete_channel(self, entry: Channel) -> None:
        entry.deleted = True
        if entry.guild_id is not None:
            self.dispatch(
                "CHANNEL_DELETE", payloads.channel(entry, self), guild_id=entry.guild_id, intent=intents.GUILDS
            )
        self.changed()

    def add_member(
        self,
        guild: Guild,
        account: User,
        *,
        roles: Iterable[Role] = (),
        joined_at: datetime | None = None,
        nick: str | None = None,
    ) -> Member:
        entry = Member(
            user=account,
            guild_id=guild.id,
            role_ids=[r.id for r in roles],
            joined_at=joined_at or DEFAULT_JOINED_AT,
            nick=nick,
        )
        guild.members[account.id] = entry
        if account.id != self.bot.id:
            data = {**payloads.member(entry), "guild_id": str(guild.id)}
            self.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild.id, intent=intents.GUILD_MEMBERS)
        self.changed()
        return entry

    def remove_member(self, guild: Guild, user_id: int) -> None:
        entry = guild.members.pop(user_id)
        self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": payloads.user(entry.user)},
            guild_id=guild.id,
            intent=intents.GUILD_MEMBERS,
        )
        self.changed()

    def set_roles(self, entry: Member, role_ids: Iterable[int]) -> None:
        entry.role_ids = list(dict.fromkeys(role_ids))
        data = {**payloads.member(entry), "guild_id": str(entry.guild_id)}
        self.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=entry.guild_id, intent=intents.GUILD_MEMBERS)
        self.changed()

    def add_bot(self, guild: Guild, *, permissions: int = DEFAULT_BOT, joined_at: datetime | None = None) -> Member:
        """Invite the bot: a managed role named after it, its member, and GUILD_CREATE if it is online."""
        if self.bot_in(guild):
            raise ValueError(f"the bot is already in {guild.name}")
        bot_role = self.create_role(guild, self.bot.username, permissions=permissions, bot_id=self.bot.id)
        entry = self.add_member(guild, self.bot, roles=[bot_role], joined_at=joined_at or datetime.now(UTC))
        self.dispatch(
            "GUILD_CREATE",
            payloads.guild_create(guild, self, all_members=False, joined=True),
            guild_id=guild.id,
            intent=intents.GUILDS,
        )
        return entry

    # Lookups.

    def bot_in(self, guild: Guild) -> bool:
        return self.bot.id in guild.members

    def bot_guilds(self) -> list[Guild]:
        return [g for g in self.guilds.values() if self.bot_in(g)]

    def guild_of(self, entry: Channel) -> Guild | None:
        return self.guilds[entry.guild_id] if entry.guild_id is not None else None

    def permissions_in(self, entry: Channel, user_id: int) -> int:
        """A user's permissions in a guild channel (0 when not a member); DMs are not permission-based."""
        guild = self.guild_of(entry)
        if guild is None:
            return 0
        found = guild.members.get(user_id)
        return channel_permissions(guild, found, entry) if found else 0

    def dm_channel(self, account: User) -> Channel:
        """The one DM channel between the bot and this user, created on first use."""
        channel_id = self.dm_channel_ids.get(account.id)
        if channel_id is not None:
            return self.channels[channel_id]
        entry = Channel(id=self.snowflakes.now(), type=DM_CHANNEL, name=None, guild_id=None, recipient_id=account.id)
        self.channels[entry.id] = entry
        self.dm_channel_ids[account.id] = entry.id
        self.changed()
        return entry

    def shares_guild_with_bot(self, account: User) -> bool:
        return any(account.id in g.members for g in self.bot_guilds())

    def find_channel(self, name_or_id: str) -> Channel | None:
        if name_or_id.isdigit() and int(name_or_id) in self.channels:
            return self.channels[int(name_or_id)]
        matches = [c for c in self.channels.values() if c.name == name_or_id.lstrip("#") and not c.deleted]
        return matches[0] if len(matches) == 1 else None

    # Messages.

    def store_message(self, entry: Message) -> None:
        self.messages[entry.id] = entry
        if not entry.ephemeral:
            self.channels[entry.channel_id].all_messages.append(entry)
        if entry.ping is not None:
            self.pings.append(entry.ping)
        self.changed()

    def new_attachment(
        self,
        filename: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        description: str | None = None,
        ephemeral: bool = False,
        scope: int,
    ) -> Attachment:
        attachment_id = self.snowflakes.now()
        folder = "ephemeral-attachments" if ephemeral else "attachments"
        path = f"/cdn/{folder}/{scope}/{attachment_id}/{filename}"
        query = cdn_links.sign(path, self.cdn_secret, datetime.now(UTC), self.limits.cdn_link_seconds)
        url = f"{self.cdn_base}{path}?{query}"
        width, height = cdn_links.dimensions(data) if content_type.startswith("image/") else (None, None)
        entry = Attachment(
            id=attachment_id,
            filename=filename,
            data=data,
            content_type=content_type,
            url=url,
            description=description,
            ephemeral=ephemeral,
            width=width,
            height=height,
        )
        self.attachments[attachment_id] = entry
        return entry
