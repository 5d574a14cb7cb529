"""Guilds a test populates: roles, channels (public or private), members and the bot's invitation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from .actors import MemberActor
from .permissions import SEND_MESSAGES, VIEW_CHANNEL
from .state import Channel, Guild, Member, Overwrite, Role
from .world import World


def overwrite(target: Role | MemberActor, *, allow: int = 0, deny: int = 0) -> Overwrite:
    """A channel permission overwrite for a role or a member."""
    if isinstance(target, Role):
        return Overwrite(target_id=target.id, kind=0, allow=allow, deny=deny)
    return Overwrite(target_id=target.id, kind=1, allow=allow, deny=deny)


class GuildHandle:
    """A guild as a test builds it; changes reach a connected bot as gateway events."""

    def __init__(self, services: World, guild: Guild) -> None:
        self._services = services
        self.guild = guild

    def __repr__(self) -> str:
        return f"<GuildHandle {self.name!r} id={self.id}>"

    @property
    def id(self) -> int:
        return self.guild.id

    @property
    def name(self) -> str:
        return self.guild.name

    @property
    def everyone(self) -> Role:
        return self.guild.everyone

    @property
    def owner(self) -> MemberActor:
        return MemberActor(self._services, self.guild, self.guild.members[self.guild.owner_id])

    @property
    def members(self) -> list[MemberActor]:
        return [MemberActor(self._services, self.guild, m) for m in self.guild.members.values() if not m.user.bot]

    @property
    def bot_member(self) -> Member | None:
        return self.guild.members.get(self._services.world.bot.id)

    @property
    def channels(self) -> list[Channel]:
        return self.guild.live_channels

    def create_role(
        self, name: str, *, permissions: int = 0, mentionable: bool = False, color: int = 0, hoist: bool = False
    ) -> Role:
        return self._services.world.create_role(
            self.guild, name, permissions=permissions, mentionable=mentionable, color=color, hoist=hoist
        )

    def create_text_channel(
        self, name: str, *, topic: str | None = None, private: bool = False, overwrites: Iterable[Overwrite] = ()
    ) -> Channel:
        """A text channel; `private` hides it from @everyone (add overwrites to let roles in)."""
        rules = list(overwrites)
        if private:
            rules.insert(0, Overwrite(target_id=self.guild.id, kind=0, deny=VIEW_CHANNEL))
            bot = self.bot_member
            if bot is not None:
                rules.append(Overwrite(target_id=bot.id, kind=1, allow=VIEW_CHANNEL | SEND_MESSAGES))
        return self._services.world.create_channel(self.guild, name, topic=topic, overwrites=rules)

    def delete_channel(self, channel: Channel) -> None:
        self._services.world.delete_channel(channel)

    def add_member(
        self,
        name: str,
        *,
        roles: Sequence[Role] = (),
        locale: str = "en-US",
        created_at: datetime | None = None,
        joined_at: datetime | None = None,
        dms_open: bool = True,
        permissions: int | None = None,
        global_name: str | None = None,
        nick: str | None = None,
    ) -> MemberActor:
        """A new user who joins the guild. `permissions` becomes a role of their own, as on Discord."""
        world = self._services.world
        account = world.create_user(
            name, created_at=created_at, locale=locale, global_name=global_name, dms_open=dms_open
        )
        granted = list(roles)
        if permissions:
            granted.append(world.create_role(self.guild, f"{name} permissions", permissions=permissions))
        member = world.add_member(self.guild, account, roles=granted, joined_at=joined_at, nick=nick)
        return MemberActor(self._services, self.guild, member)

    def add_existing(self, other: MemberActor, *, roles: Sequence[Role] = ()) -> MemberActor:
        """The same user joins this guild too."""
        member = self._services.world.add_member(self.guild, other.user, roles=roles)
        return MemberActor(self._services, self.guild, member)

    def remove_member(self, member: MemberActor) -> None:
        self._services.world.remove_member(self.guild, member.id)

    def channel(self, name: str) -> Channel:
        for candidate in self.guild.live_channels:
            if candidate.name == name.lstrip("#"):
                return candidate
        raise KeyError(f"{self.name} has no channel #{name}")

    def role(self, name: str) -> Role:
        for candidate in self.guild.roles.values():
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no role {name!r}")

    def member(self, name: str) -> MemberActor:
        for candidate in self.guild.members.values():
            if candidate.user.username == name:
                return MemberActor(self._services, self.guild, candidate)
        raise KeyError(f"{self.name} has no member {name!r}")
