"""Members who act the way Discord's client lets them, and what each of them saw."""

# ruff: noqa: ASYNC109 - the wait helpers take `timeout=` by design: tests read better than with asyncio.timeout

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from . import interactions as kinds
from .commands import Resolved
from .errors import ActorError, InteractionFailed
from .modals import ModalFiller
from .options import OptionBuilder
from .permissions import ADMINISTRATOR, SEND_MESSAGES, USE_APPLICATION_COMMANDS, VIEW_CHANNEL, guild_permissions
from .results import Choice, InteractionResult, ModalView
from .state import DM_CHANNEL, Channel, Guild, Member, Message, Ping, Role, User, walk_components
from .world import World

Json = dict[str, Any]


class MemberActor:
    """A guild member: their view of Discord, and the actions Discord's client offers them."""

    def __init__(self, services: World, guild: Guild, member: Member) -> None:
        self._services = services
        self.guild = guild
        self.member = member

    def __repr__(self) -> str:
        return f"<MemberActor {self.name!r} id={self.id}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemberActor) and other.id == self.id and other.guild.id == self.guild.id

    def __hash__(self) -> int:
        return hash((self.id, self.guild.id))

    @property
    def user(self) -> User:
        return self.member.user

    @property
    def id(self) -> int:
        return self.member.user.id

    @property
    def name(self) -> str:
        return self.member.user.username

    @property
    def mention(self) -> str:
        return self.member.user.mention

    @property
    def created_at(self) -> datetime:
        return self.member.user.created_at

    @property
    def dms_open(self) -> bool:
        return self.member.user.dms_open

    @dms_open.setter
    def dms_open(self, value: bool) -> None:
        self.member.user.dms_open = value
        self._services.world.changed()

    @property
    def roles(self) -> list[Role]:
        return [self.guild.roles[r] for r in self.member.role_ids if r in self.guild.roles]

    @property
    def permissions(self) -> int:
        return guild_permissions(self.guild, self.member)

    def add_role(self, role: Role) -> None:
        self._services.world.set_roles(self.member, [*self.member.role_ids, role.id])

    def remove_role(self, role: Role) -> None:
        self._services.world.set_roles(self.member, [r for r in self.member.role_ids if r != role.id])

    # What the member sees.

    def can_see(self, channel: Channel) -> bool:
        if channel.type == DM_CHANNEL:
            return channel.recipient_id == self.id
        return bool(self._services.world.permissions_in(channel, self.id) & VIEW_CHANNEL)

    def visible_messages(self, channel: Channel) -> list[Message]:
        return channel.messages if self.can_see(channel) else []

    @property
    def dm_channel(self) -> Channel | None:
        channel_id = self._services.world.dm_channel_ids.get(self.id)
        return self._services.world.channels[channel_id] if channel_id else None

    def open_dm(self) -> Channel:
        return self._services.world.dm_channel(self.user)

    @property
    def dms(self) -> list[Message]:
        """Messages the bot sent this member in DMs, oldest first."""
        channel = self.dm_channel
        bot_id = self._services.world.bot.id
        return [m for m in channel.messages if m.author.id == bot_id] if channel else []

    @property
    def ephemerals(self) -> list[Message]:
        """Ephemeral ("only you can see this") messages shown to this member."""
        return [m for m in self._services.world.messages.values() if m.ephemeral_for == self.id and not m.deleted]

    @property
    def interactions(self) -> list[InteractionResult]:
        records = self._services.interactions.records.values()
        return [InteractionResult(self._services, r) for r in records if r.user.id == self.id]

    @property
    def pings(self) -> list[Ping]:
        """Notifications that reached this member."""
        return [p for p in self._services.world.pings if self.id in p.reached]

    async def wait_for_dm(
        self, predicate: Callable[[Message], bool] | None = None, *, timeout: float = 5.0, after: int = 0
    ) -> Message:
        """The first DM from the bot with an id above `after` that matches `predicate`."""
        return await self._services.world.feed.wait_for(
            lambda: next((m for m in self.dms if m.id > after and (predicate is None or predicate(m))), None),
            timeout,
            f"a DM to {self.name}",
        )

    # Actions.

    def _check_still_member(self) -> None:
        if self.id not in self.guild.members:
            raise ActorError(f"{self.name} is no longer a member of {self.guild.name}")

    def _default_channel(self) -> Channel:
        live = self.guild.live_channels
        for candidate in live:
            if candidate.name == "general" and self.can_see(candidate):
                return candidate
        for candidate in live:
            if self.can_see(candidate):
                return candidate
        raise ActorError(f"{self.name} cannot see any channel in {self.guild.name}")

    def _where(self, channel: Channel | None) -> tuple[Guild | None, Channel]:
        if channel is None or channel.type != DM_CHANNEL:
            self._check_still_member()
        target = channel or self._default_channel()
        if target.deleted:
            raise ActorError(f"#{target.name} was deleted")
        if not self.can_see(target):
            raise ActorError(f"{self.name} cannot see #{target.name}")
        return (None if target.type == DM_CHANNEL else self.guild), target

    def _command(self, path: str, guild: Guild | None, channel: Channel) -> tuple[Resolved, Json]:
        services = self._services
        found = services.commands.resolve(guild.id if guild else None, path, self.user.locale)
        if found is None:
            synced = [
                c["name"] for scope in (guild.id if guild else None, None) for c in services.commands.listing(scope)
            ]
            raise ActorError(f"no synced command /{path} here (synced: {sorted(set(synced))})")
        command = found.command
        if guild is not None:
            if "guild_id" not in command and command.get("contexts") is not None and 0 not in command["contexts"]:
                raise ActorError(f"/{path} is not available in guilds")
            perms = services.world.permissions_in(channel, self.id)
            if not perms & USE_APPLICATION_COMMANDS:
                raise ActorError(f"{self.name} may not use application commands in #{channel.name}")
            required = command.get("default_member_permissions")
            # "0" means administrators only; any other value needs every bit it names.
            if required is not None and not self.permissions & ADMINISTRATOR:
                needed = int(required)
                if needed == 0 or needed & ~perms:
                    raise ActorError(f"/{path} is hidden from {self.name} (needs permissions {required})")
        elif (command.get("contexts") is not None and 1 not in command["contexts"]) or not command.get(
            "dm_permission", True
        ):
            raise ActorError(f"/{path} is not available in DMs")
        return found, command

    async def _run(self, result: InteractionResult, *, settle: bool) -> InteractionResult:
        await result.wait_acknowledged()
        if settle:
            await result.settle(self._services.settle_timeout)
        return result

    def _open(
        self, kind: int, guild: Guild | None, channel: Channel, data: Json, source: Message | None
    ) -> InteractionResult:
        record = self._services.interactions.open(
            kind=kind, user=self.user, guild=guild, channel=channel, data=data, source=source
        )
        return InteractionResult(self._services, record)

    async def slash(self, command: str, channel: Channel | None = None, /, **options: Any) -> InteractionResult:
        """Run /command (a path like "incident confirm") with options typed from the synced schema.

        Returns once the bot acknowledged (or failed to within the deadline); after a "thinking" deferral it
        also waits for the first visible reply.
        """
        guild, where = self._where(channel)
        found, schema = self._command(command, guild, where)
        builder = OptionBuilder(self._services.world, guild=guild, channel=where, actor=self.user)
        built, resolved = builder.build(found, options)
        data: Json = {"id": schema["id"], "name": schema["name"], "type": 1, "options": built}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        if resolved:
            data["resolved"] = resolved
        result = self._open(kinds.APPLICATION_COMMAND, guild, where, data, None)
        return await self._run(result, settle=True)

    async def autocomplete(
        self, command: str, channel: Channel | None = None, /, *, focused: str, value: str = "", **options: Any
    ) -> list[Choice]:
        """The choices the bot offers while the member types `value` into option `focused`."""
        guild, where = self._where(channel)
        found, schema = self._command(command, guild, where)
        builder = OptionBuilder(self._services.world, guild=guild, channel=where, actor=self.user)
        built, _ = builder.build(found, {**options, focused: value}, focused=focused)
        data: Json = {"id": schema["id"], "name": schema["name"], "type": 1, "options": built}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        result = await self._run(self._open(kinds.AUTOCOMPLETE, guild, where, data, None), settle=False)
        if result.failed or result.choices is None:
            raise InteractionFailed(f"the bot did not answer autocomplete for /{command} {focused}")
        return result.choices

    def _source(self, message: Message) -> tuple[Guild | None, Channel]:
        world = self._services.world
        current = world.messages.get(message.id)
        if current is None or current.deleted:
            raise ActorError(f"message {message.id} no longer exists")
        channel = world.channels[current.channel_id]
        if channel.type != DM_CHANNEL:
            self._check_still_member()
        if current.ephemeral and current.ephemeral_for != self.id:
            raise ActorError(f"{self.name} cannot see someone else's ephemeral message")
        if not current.ephemeral and not self.can_see(channel):
            raise ActorError(f"{self.name} cannot see #{channel.name}")
        return (None if channel.type == DM_CHANNEL else self.guild), channel

    async def click(
        self, message: Message, label: str | None = None, *, custom_id: str | None = None
    ) -> InteractionResult:
        """Press a button on a message, found by its label or custom_id."""
        guild, channel = self._source(message)
        if label is None and custom_id is None:
            raise ActorError("click() needs a label or a custom_id")
        matches = [
            b
            for b in message.buttons
            if (custom_id is not None and b.get("custom_id") == custom_id)
            or (label is not None and b.get("label") == label)
        ]
        if len(matches) != 1:
            labels = [b.get("label") or b.get("custom_id") for b in message.buttons]
            raise ActorError(f"{len(matches)} buttons match {label or custom_id!r} (buttons: {labels})")
        button = matches[0]
        if button.get("disabled"):
            raise ActorError(f"button {label or custom_id!r} is disabled")
        if not button.get("custom_id"):
            raise ActorError(f"button {label or custom_id!r} is a link or premium button; it sends no interaction")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._run(self._open(kinds.MESSAGE_COMPONENT, guild, channel, data, message), settle=True)

    async def select(
        self, message: Message, values: Sequence[Any], *, custom_id: str | None = None
    ) -> InteractionResult:
        """Choose `values` in a select menu (the only one on the message, or the one with custom_id).

        String selects take option values; user, role, mentionable and channel selects take those objects
        (or ids), sent with `resolved` data as Discord does.
        """
        guild, channel = self._source(message)
        menus = [
            c
            for c in walk_components(message.components)
            if c.get("type") in (3, 5, 6, 7, 8) and custom_id in (None, c.get("custom_id"))
        ]
        if len(menus) != 1:
            raise ActorError(f"{len(menus)} select menus match on message {message.id}")
        menu = menus[0]
        if menu.get("disabled"):
            raise ActorError(f"select {menu['custom_id']!r} is disabled")
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ActorError(f"select {menu['custom_id']!r} takes between {low} and {high} values")
        data: Json = {"custom_id": menu["custom_id"], "component_type": menu["type"]}
        if menu["type"] == 3:
            offered = {option["value"] for option in menu.get("options", [])}
            if not set(values) <= offered:
                raise ActorError(f"{sorted(set(values) - offered)} are not options of {menu['custom_id']!r}")
            data["values"] = list(values)
        else:
            builder = OptionBuilder(self._services.world, guild=guild, channel=channel, actor=self.user)
            data["values"] = [self._select_value(builder, menu, value) for value in values]
            data["resolved"] = {kind: entries for kind, entries in builder.resolved.items() if entries}
        return await self._run(self._open(kinds.MESSAGE_COMPONENT, guild, channel, data, message), settle=True)

    @staticmethod
    def _select_value(builder: OptionBuilder, menu: Json, value: Any) -> str:
        kind = menu["type"]
        if kind == 8:
            return builder.resolve_channel(value, menu.get("channel_types"), menu["custom_id"])
        if kind == 6 or (kind == 7 and isinstance(value, Role)):
            return builder.resolve_role(value)
        return builder.resolve_user(value)

    async def submit_modal(self, opened: InteractionResult | ModalView, values: Mapping[str, Any]) -> InteractionResult:
        """Fill the modal the bot opened (fields by custom_id or label) and press Submit."""
        parent: InteractionResult | None
        modal: ModalView | None
        if isinstance(opened, ModalView):
            parent = next((r for r in self.interactions if r.record.modal is opened.data), None)
            modal = opened
        else:
            parent, modal = opened, opened.modal
        if parent is None or modal is None:
            raise ActorError("there is no modal open for this interaction")
        if parent.record.user.id != self.id:
            raise ActorError(f"{self.name} cannot submit a modal opened for someone else")
        world = self._services.world
        channel = world.channels[parent.record.channel_id]
        source = world.messages.get(parent.record.source_message_id or 0)
        guild = self.guild if parent.record.guild_id is not None else None
        filler = ModalFiller(self._services, dict(values))
        data: Json = {"custom_id": modal.custom_id, "components": filler.fill(modal.components)}
        if filler.resolved:
            data["resolved"] = filler.resolved
        filler.check_all_used()
        return await self._run(self._open(kinds.MODAL_SUBMIT, guild, channel, data, source), settle=True)

    async def send_dm_to_bot(self, content: str, *, reply_to: Message | None = None) -> Message:
        """Write to the bot in DMs, optionally as a reply to one of its DMs; the bot gets MESSAGE_CREATE
        (with the direct-messages intent)."""
        channel = self.open_dm()
        payload: Json = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to.id)}
        return self._services.messages.create(channel, self.user, payload)

    async def say(self, channel: Channel, content: str, *, reply_to: Message | None = None) -> Message:
        """Post in a guild channel as this member."""
        self._check_still_member()
        if not self._services.world.permissions_in(channel, self.id) & SEND_MESSAGES:
            raise ActorError(f"{self.name} cannot send messages in #{channel.name}")
        payload: Json = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to.id)}
        return self._services.messages.create(channel, self.user, payload)
