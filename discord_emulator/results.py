"""What an actor sees after an interaction: the bot's answer, its messages, modal or choices, or failure."""

# ruff: noqa: ASYNC109 - the wait helpers take `timeout=` by design: tests read better than with asyncio.timeout

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import DiscordError, EmulatorTimeout
from .interactions import DEFERRED_MESSAGE, DEFERRED_UPDATE, MODAL_SUBMIT, InteractionRecord
from .state import Message, walk_components
from .world import World

Json = dict[str, Any]


@dataclass(frozen=True)
class Choice:
    name: str
    value: str | int | float
    name_localizations: dict[str, str] | None = None


class ModalView:
    """The modal the bot opened; `fields` are its inputs, each with the label the user saw."""

    def __init__(self, data: Json) -> None:
        self.data = data
        self.custom_id: str = data["custom_id"]
        self.title: str = data["title"]
        self.components: list[Json] = data["components"]

    @property
    def fields(self) -> list[Json]:
        found: list[Json] = []
        for top in self.components:
            if top.get("type") == 18:
                found.append({**top["component"], "label": top.get("label"), "description": top.get("description")})
            else:
                found += [c for c in walk_components([top]) if c.get("custom_id")]
        return found

    def field(self, key: str) -> Json:
        for candidate in self.fields:
            if key in (candidate.get("custom_id"), candidate.get("label")):
                return candidate
        raise KeyError(f"modal {self.custom_id!r} has no field {key!r}")


class InteractionResult:
    """A live view of one interaction; properties read the emulator's current state."""

    def __init__(self, services: World, record: InteractionRecord) -> None:
        self._services = services
        self.record = record

    def __repr__(self) -> str:
        return f"<InteractionResult id={self.id} callback={self.callback_type} failed={self.failed}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def payload(self) -> Json:
        """The INTERACTION_CREATE data the bot received."""
        return self.record.payload

    @property
    def callback_type(self) -> int | None:
        return self.record.callback_type

    @property
    def deferred(self) -> bool:
        return self.record.callback_type in (DEFERRED_MESSAGE, DEFERRED_UPDATE)

    @property
    def failed(self) -> bool:
        """True when the bot did not acknowledge in time: "The application did not respond"."""
        return self.record.failed

    @property
    def error(self) -> DiscordError | None:
        """The last error the bot's callback got back, if any (it then still has to answer in time)."""
        return self.record.error

    def _message(self, message_id: int | None) -> Message | None:
        found = self._services.world.messages.get(message_id or 0)
        return found if found is not None and not found.deleted else None

    @property
    def original(self) -> Message | None:
        """The @original message, even while it is still "thinking"."""
        if self.record.callback_type is None:
            return None
        return self._message(self.record.original_message_id)

    @property
    def message(self) -> Message | None:
        """The response message once the user can read it (type 4, 7, or a filled deferral)."""
        original = self.original
        return original if original is not None and not original.loading else None

    @property
    def ephemeral(self) -> bool:
        original = self.original
        return original.ephemeral if original is not None else False

    @property
    def followups(self) -> list[Message]:
        return [m for m in (self._message(i) for i in self.record.followup_ids) if m is not None]

    @property
    def messages(self) -> list[Message]:
        """Everything this interaction showed the user, in order."""
        first = [self.message] if self.message is not None else []
        return first + self.followups

    @property
    def content(self) -> str:
        return self.message.content if self.message is not None else ""

    @property
    def modal(self) -> ModalView | None:
        return ModalView(self.record.modal) if self.record.modal is not None else None

    @property
    def choices(self) -> list[Choice] | None:
        if self.record.choices is None:
            return None
        return [Choice(c["name"], c["value"], c.get("name_localizations")) for c in self.record.choices]

    @property
    def is_modal_submit(self) -> bool:
        return self.record.type == MODAL_SUBMIT

    async def wait_acknowledged(self) -> None:
        """Wait until the bot answers or the deadline passes (then `failed` is True)."""
        timeout = self._services.world.limits.interaction_deadline + 1.0
        await self._services.world.feed.wait_for(
            lambda: self.record.acknowledged or self.record.expired, timeout, f"interaction {self.id} to settle"
        )

    async def wait_for_message(self, timeout: float = 5.0) -> Message:
        """The first message the user can read: the filled deferral or the first follow-up."""
        return await self._services.world.feed.wait_for(
            lambda: self.messages[0] if self.messages else None, timeout, f"a visible reply to interaction {self.id}"
        )

    async def wait_for_followup(self, timeout: float = 5.0, *, count: int = 1) -> Message:
        """Wait until at least `count` follow-ups exist and return the count-th one."""
        return await self._services.world.feed.wait_for(
            lambda: self.followups[count - 1] if len(self.followups) >= count else None,
            timeout,
            f"follow-up #{count} to interaction {self.id}",
        )

    async def settle(self, timeout: float) -> None:
        """Wait for the acknowledgement and, after a "thinking" deferral, for the first visible reply."""
        await self.wait_acknowledged()
        if self.record.callback_type == DEFERRED_MESSAGE:
            try:
                await self.wait_for_message(timeout)
            except EmulatorTimeout:
                # The bot may legitimately stay "thinking"; `original.loading` tells the test so.
                return
