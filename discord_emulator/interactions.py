"""Interactions from creation to follow-ups: the 3-second deadline, callbacks, @original and webhooks."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors, payloads
from .messages import Messages, Upload
from .registry import Registry
from .state import Channel, Guild, Message, User
from .validation import validate_choices, validate_modal

Json = dict[str, Any]

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: (MESSAGE, DEFERRED_MESSAGE, MODAL),
    MESSAGE_COMPONENT: (MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL),
    AUTOCOMPLETE: (AUTOCOMPLETE_RESULT,),
    MODAL_SUBMIT: (MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE),
}
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    user: User
    guild_id: int | None
    channel_id: int
    payload: Json
    created: float
    source_message_id: int | None = None
    callback_type: int | None = None
    callback_data: Json | None = None
    expired: bool = False
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: Json | None = None
    choices: list[Json] | None = None
    error: errors.DiscordError | None = None
    deadline: asyncio.TimerHandle | None = None

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None

    @property
    def failed(self) -> bool:
        """Discord's client shows "The application did not respond"."""
        return self.expired and not self.acknowledged


class Interactions:
    def __init__(self, world: Registry, messages: Messages) -> None:
        self.world = world
        self.messages = messages
        self.records: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}

    # Creation.

    def open(
        self,
        *,
        kind: int,
        user: User,
        guild: Guild | None,
        channel: Channel,
        data: Json,
        source: Message | None = None,
    ) -> InteractionRecord:
        """Register an interaction, start its deadline and send INTERACTION_CREATE to the bot."""
        interaction_id = self.world.snowflakes.now()
        token = f"emu-{secrets.token_urlsafe(32)}"
        payload = self._envelope(interaction_id, token, kind, user, guild, channel, data)
        if source is not None:
            payload["message"] = payloads.message(source, self.world)
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            type=kind,
            user=user,
            guild_id=guild.id if guild else None,
            channel_id=channel.id,
            payload=payload,
            created=time.monotonic(),
            source_message_id=source.id if source else None,
            original_message_id=source.id if source else None,
        )
        self.records[interaction_id] = record
        self._by_token[token] = record
        record.deadline = asyncio.get_running_loop().call_later(
            self.world.limits.interaction_deadline, self._expire, record
        )
        self.world.dispatch("INTERACTION_CREATE", payload, guild_id=record.guild_id, intent=None)
        self.world.changed()
        return record

    def _envelope(
        self, interaction_id: int, token: str, kind: int, user: User, guild: Guild | None, channel: Channel, data: Json
    ) -> Json:
        world = self.world
        app_id = world.application.id
        envelope: Json = {
            "id": str(interaction_id),
            "application_id": str(app_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": user.locale,
            "channel_id": str(channel.id),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": world.limits.attachment_size_limit,
            "app_permissions": str(world.permissions_in(channel, world.bot.id)),
        }
        if guild is None:
            envelope["user"] = payloads.user(user)
            envelope["channel"] = payloads.channel(channel, world)
            envelope["context"] = BOT_DM_CONTEXT
            envelope["authorizing_integration_owners"] = {"0": "0"}
            return envelope
        permissions = world.permissions_in(channel, user.id)
        envelope.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            guild_locale=guild.preferred_locale,
            channel={**payloads.channel(channel, world), "permissions": str(permissions)},
            member=payloads.member(guild.members[user.id], permissions=permissions),
            context=GUILD_CONTEXT,
            authorizing_integration_owners={"0": str(guild.id)},
        )
        return envelope

    def _expire(self, record: InteractionRecord) -> None:
        record.deadline = None
        if not record.acknowledged:
            record.expired = True
            self.world.changed()

    def close(self) -> None:
        """Cancel pending deadlines so nothing fires after the event loop moved on."""
        for record in self.records.values():
            if record.deadline is not None:
                record.deadline.cancel()
                record.deadline = None

    # The callback.

    def callback(self, interaction_id: int, token: str, body: Json, uploads: Sequence[Upload]) -> Json:
        """Handle POST /interactions/{id}/{token}/callback; returns the with_response body."""
        record = self.records.get(interaction_id)
        if record is None or record.token != token or record.expired:
            raise errors.unknown("interaction")
        if record.acknowledged:
            raise errors.already_acknowledged()
        try:
            return self._respond(record, body, uploads)
        except errors.DiscordError as error:
            record.error = error
            self.world.changed()
            raise

    def _respond(self, record: InteractionRecord, body: Json, uploads: Sequence[Upload]) -> Json:
        kind = body.get("type")
        allowed = ALLOWED_CALLBACKS[record.type]
        if kind not in allowed or (kind in (DEFERRED_UPDATE, UPDATE) and record.source_message_id is None):
            choices = ", ".join(str(option) for option in allowed)
            raise errors.invalid_form_body([(["type"], "BASE_TYPE_CHOICES", f"Value must be one of ({choices}).")])
        data: Json = body.get("data") or {}
        channel = self.world.channels[record.channel_id]
        resource: Json | None = None
        ephemeral = bool(int(data.get("flags") or 0) & 64)
        if kind == MESSAGE:
            message = self._create(record, channel, data, uploads, loading=False, ephemeral=ephemeral)
            resource = {"type": MESSAGE, "message": payloads.message(message, self.world)}
        elif kind == DEFERRED_MESSAGE:
            self._create(record, channel, data, uploads, loading=True, ephemeral=ephemeral)
        elif kind == UPDATE:
            source = self.world.messages[record.source_message_id or 0]
            message = self.messages.edit(source, data, uploads, error_prefix=["data"])
            ephemeral = message.ephemeral
            resource = {"type": UPDATE, "message": payloads.message(message, self.world)}
        elif kind == DEFERRED_UPDATE:
            ephemeral = self.world.messages[record.source_message_id or 0].ephemeral
        elif kind == AUTOCOMPLETE_RESULT:
            problems = validate_choices(data, self.world.limits)
            if problems:
                raise errors.invalid_form_body(problems)
            record.choices = list(data["choices"])
        elif kind == MODAL:
            problems = validate_modal(data, self.world.limits)
            if problems:
                raise errors.invalid_form_body(problems)
            record.modal = data
        record.callback_type = kind
        record.callback_data = data
        if record.deadline is not None:
            record.deadline.cancel()
            record.deadline = None
        self.world.changed()
        answer: Json = {"id": str(record.id), "type": record.type}
        if record.original_message_id is not None and kind in (MESSAGE, DEFERRED_MESSAGE, UPDATE, DEFERRED_UPDATE):
            answer["response_message_id"] = str(record.original_message_id)
            answer["response_message_loading"] = kind == DEFERRED_MESSAGE
            answer["response_message_ephemeral"] = ephemeral
        response: Json = {"interaction": answer}
        if resource is not None:
            response["resource"] = resource
        return response

    def _metadata(self, record: InteractionRecord, *, followup_of: int | None = None) -> Json:
        metadata: Json = {
            "id": str(record.id),
            "type": record.type,
            "user": payloads.user(record.user),
            "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
        }
        if record.source_message_id is not None:
            metadata["interacted_message_id"] = str(record.source_message_id)
        if followup_of is not None:
            metadata["original_response_message_id"] = str(followup_of)
        return metadata

    def _create(
        self,
        record: InteractionRecord,
        channel: Channel,
        data: Json,
        uploads: Sequence[Upload],
        *,
        loading: bool,
        ephemeral: bool,
        followup_of: int | None = None,
        prefix: Sequence[str] = ("data",),
    ) -> Message:
        message = self.messages.create(
            channel,
            self.world.bot,
            data,
            uploads,
            error_prefix=prefix,
            webhook_id=self.world.application.id,
            interaction_metadata=self._metadata(record, followup_of=followup_of),
            ephemeral_for=record.user.id if ephemeral else None,
            message_type=20 if record.type == APPLICATION_COMMAND and followup_of is None else 0,
            loading=loading,
        )
        if followup_of is None:
            record.original_message_id = message.id
        else:
            record.followup_ids.append(message.id)
        return message

    # Webhook routes, authenticated by the token in the URL.

    def for_webhook(self, webhook_id: int, token: str) -> InteractionRecord:
        if webhook_id != self.world.application.id:
            raise errors.unknown("Webhook")
        record = self._by_token.get(token)
        if record is None or time.monotonic() - record.created > self.world.limits.interaction_token_lifetime:
            raise errors.invalid_webhook_token()
        if not record.acknowledged:
            raise errors.unknown("Webhook")
        return record

    def followup(self, record: InteractionRecord, payload: Json, uploads: Sequence[Upload]) -> Message:
        original = self.world.messages.get(record.original_message_id or 0)
        if record.callback_type == DEFERRED_MESSAGE and original is not None and original.loading:
            # The first follow-up after a "thinking" deferral replaces the loading message, keeping its
            # ephemerality, as Discord does.
            return self.messages.edit(original, payload, uploads)
        channel = self.world.channels[record.channel_id]
        ephemeral = bool(int(payload.get("flags") or 0) & 64)
        return self._create(
            record,
            channel,
            payload,
            uploads,
            loading=False,
            ephemeral=ephemeral,
            followup_of=record.original_message_id or 0,
            prefix=(),
        )

    def webhook_message(self, record: InteractionRecord, message_id: str) -> Message:
        if message_id == "@original":
            found = record.original_message_id
        else:
            found = int(message_id) if message_id.isdigit() else None
            if found not in (record.original_message_id, *record.followup_ids):
                found = None
        message = self.world.messages.get(found or 0)
        if message is None or message.deleted:
            raise errors.unknown("Message")
        return message
