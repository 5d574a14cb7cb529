"""Creating, editing and deleting messages: validation, mentions and pings, nonces, gateway events."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import errors, intents, mentions, payloads
from .limits import COMPONENTS_V2_FLAG
from .permissions import MENTION_EVERYONE, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL
from .registry import Registry
from .state import EPHEMERAL_FLAG, LOADING_FLAG, Attachment, Channel, Message, Revision, User
from .validation import validate_message_fields

Json = dict[str, Any]

SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
# Flags a sender may set; anything else in `flags` is ignored, as Discord ignores it.
SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2_FLAG


@dataclass(frozen=True)
class Upload:
    """One `files[n]` part of a multipart request."""

    index: int
    filename: str
    data: bytes
    content_type: str


def _normalise_embeds(embeds: list[Json]) -> list[Json]:
    """Discord stores embeds as "rich" and fills in each field's `inline`."""
    normalised = []
    for embed in embeds:
        copy = {"type": "rich", **embed}
        if isinstance(copy.get("fields"), list):
            copy["fields"] = [{"inline": False, **field} for field in copy["fields"]]
        normalised.append(copy)
    return normalised


def _number_components(components: list[Json]) -> list[Json]:
    """Give every component a numeric `id`, as Discord does, keeping ids the sender chose."""
    used: set[int] = set()

    def collect(items: list[Json]) -> None:
        for item in items:
            if isinstance(item.get("id"), int):
                used.add(item["id"])
            collect(item.get("components", []))
            collect([item[key] for key in ("accessory", "component") if isinstance(item.get(key), dict)])

    next_id = 0

    def assign(items: list[Json]) -> list[Json]:
        nonlocal next_id
        numbered = []
        for item in items:
            copy = dict(item)
            if not isinstance(copy.get("id"), int):
                next_id += 1
                while next_id in used:
                    next_id += 1
                copy["id"] = next_id
            if isinstance(copy.get("components"), list):
                copy["components"] = assign(copy["components"])
            for key in ("accessory", "component"):
                if isinstance(copy.get(key), dict):
                    copy[key] = assign([copy[key]])[0]
            numbered.append(copy)
        return numbered

    collect(components)
    return assign(components)


class Messages:
    def __init__(self, world: Registry) -> None:
        self.world = world
        self._nonces: dict[tuple[int, int, str], tuple[int, float]] = {}

    # Access checks for the bot's own REST calls.

    def channel_for_bot(self, channel_id: int, *, needs: int = VIEW_CHANNEL) -> Channel:
        """The channel, or the 404/403 Discord gives a bot that cannot reach it."""
        channel = self.world.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise errors.unknown("Channel")
        if channel.recipient_id is not None:
            return channel
        perms = self.world.permissions_in(channel, self.world.bot.id)
        if not perms & VIEW_CHANNEL:
            raise errors.missing_access()
        if perms & needs != needs:
            raise errors.missing_permissions()
        return channel

    def check_bot_can_post(self, channel: Channel) -> None:
        if channel.recipient_id is not None:
            recipient = self.world.users[channel.recipient_id]
            if not recipient.dms_open or not self.world.shares_guild_with_bot(recipient):
                raise errors.cannot_dm()
            return
        self.channel_for_bot(channel.id, needs=VIEW_CHANNEL | SEND_MESSAGES)

    def readable_message(self, channel: Channel, message_id: int) -> Message:
        if channel.recipient_id is None:
            self.channel_for_bot(channel.id, needs=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        message = self.world.messages.get(message_id)
        if message is None or message.deleted or message.ephemeral or message.channel_id != channel.id:
            raise errors.unknown("Message")
        return message

    # Nonces.

    def nonce_hit(self, channel: Channel, author: User, payload: Json) -> Message | None:
        """The earlier message when enforce_nonce repeats a nonce inside the window, else None."""
        nonce = payload.get("nonce")
        if nonce is None or not payload.get("enforce_nonce"):
            return None
        found = self._nonces.get((channel.id, author.id, str(nonce)))
        if found is None:
            return None
        message_id, at = found
        if time.monotonic() - at > self.world.limits.nonce_window:
            return None
        return self.world.messages.get(message_id)

    # Create, edit, delete.

    def create(
        self,
        channel: Channel,
        author: User,
        payload: Json,
        uploads: Sequence[Upload] = (),
        *,
        error_prefix: Sequence[str] = (),
        webhook_id: int | None = None,
        interaction_metadata: Json | None = None,
        ephemeral_for: int | None = None,
        message_type: int = 0,
        loading: bool = False,
    ) -> Message:
        problems = validate_message_fields(payload, self.world.limits, error_prefix)
        if problems:
            raise errors.invalid_form_body(problems)
        flags = int(payload.get("flags") or 0) & SETTABLE_FLAGS
        if ephemeral_for is not None:
            flags |= EPHEMERAL_FLAG
        if loading:
            flags |= LOADING_FLAG
        reference = self._reference(channel, payload.get("message_reference"), error_prefix)
        now = datetime.now(UTC)
        message = Message(
            id=self.world.snowflakes.now(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=str(payload.get("content") or ""),
            created_at=now,
            embeds=_normalise_embeds(payload.get("embeds") or []),
            components=_number_components(payload.get("components") or []),
            flags=flags,
            type=19 if reference is not None and message_type == 0 else message_type,
            tts=bool(payload.get("tts")),
            nonce=payload.get("nonce"),
            webhook_id=webhook_id,
            application_id=webhook_id,
            interaction_metadata=interaction_metadata,
            message_reference=reference,
            ephemeral_for=ephemeral_for,
        )
        message.attachments = self._attachments(message, payload, uploads, existing=[])
        if not loading and self._is_empty(message):
            raise errors.empty_message()
        self._apply_mentions(message, payload.get("allowed_mentions"), notify=not loading)
        message.history.append(self._revision(message))
        self.world.store_message(message)
        if payload.get("nonce") is not None:
            self._nonces[(channel.id, author.id, str(payload["nonce"]))] = (message.id, time.monotonic())
        if not message.ephemeral:
            self._dispatch("MESSAGE_CREATE", message)
        return message

    def edit(
        self, message: Message, payload: Json, uploads: Sequence[Upload] = (), *, error_prefix: Sequence[str] = ()
    ) -> Message:
        problems = validate_message_fields(payload, self.world.limits, error_prefix)
        if problems:
            raise errors.invalid_form_body(problems)
        was_loading = message.loading
        # Work out the new version first, so a refused edit leaves the message untouched.
        content = str(payload["content"] or "") if "content" in payload else message.content
        embeds = _normalise_embeds(payload["embeds"] or []) if "embeds" in payload else message.embeds
        components = _number_components(payload["components"] or []) if "components" in payload else message.components
        flags = message.flags & ~LOADING_FLAG
        if payload.get("flags") is not None:
            flags = (flags & ~SUPPRESS_EMBEDS) | (int(payload["flags"]) & (SUPPRESS_EMBEDS | COMPONENTS_V2_FLAG))
        attachments = message.attachments
        if "attachments" in payload or uploads:
            attachments = self._attachments(message, payload, uploads, existing=message.attachments)
        if not (content.strip() or embeds or components or attachments):
            raise errors.empty_message()
        message.content, message.embeds, message.components = content, embeds, components
        message.flags, message.attachments = flags, attachments
        # Filling in a "thinking" response is the moment the user first sees it: it pings, and is no edit.
        self._apply_mentions(message, payload.get("allowed_mentions"), notify=was_loading)
        if was_loading:
            message.history[-1:] = [self._revision(message)]
        else:
            message.edited_at = datetime.now(UTC)
            message.history.append(self._revision(message))
        if message.ping is not None and was_loading:
            self.world.pings.append(message.ping)
        self.world.changed()
        if not message.ephemeral:
            self._dispatch("MESSAGE_UPDATE", message)
        return message

    def delete(self, message: Message) -> None:
        message.deleted = True
        self.world.changed()
        if not message.ephemeral:
            data: Json = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            intent = intents.GUILD_MESSAGES if message.guild_id else intents.DIRECT_MESSAGES
            self.world.dispatch("MESSAGE_DELETE", data, guild_id=message.guild_id, intent=intent)

    # Helpers.

    @staticmethod
    def _is_empty(message: Message) -> bool:
        return not (message.content.strip() or message.embeds or message.components or message.attachments)

    @staticmethod
    def _revision(message: Message) -> Revision:
        return Revision(
            content=message.content,
            embeds=message.embeds,
            components=message.components,
            attachment_names=tuple(a.filename for a in message.attachments),
            flags=message.flags,
            at=message.edited_at or message.created_at,
        )

    def _reference(self, channel: Channel, reference: Json | None, prefix: Sequence[str]) -> Json | None:
        if not reference or reference.get("message_id") is None:
            return None
        target = self.world.messages.get(int(reference["message_id"]))
        if target is None or target.deleted or target.channel_id != channel.id:
            if reference.get("fail_if_not_exists", True):
                raise errors.invalid_form_body(
                    [([*prefix, "message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")]
                )
            return None
        found: Json = {"type": 0, "message_id": str(target.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            found["guild_id"] = str(channel.guild_id)
        return found

    def _attachments(
        self, message: Message, payload: Json, uploads: Sequence[Upload], *, existing: list[Attachment]
    ) -> list[Attachment]:
        limit = self.world.limits.attachment_size_limit
        if any(len(upload.data) > limit for upload in uploads):
            raise errors.entity_too_large()
        listed = payload.get("attachments")
        by_index = {upload.index: upload for upload in uploads}
        kept: list[Attachment] = []
        fresh: list[tuple[Upload, str | None]] = []
        if isinstance(listed, list):
            existing_ids = {a.id: a for a in existing}
            for item in listed:
                item_id = int(item.get("id", -1))
                if item_id in existing_ids:
                    kept.append(existing_ids[item_id])
                elif item_id in by_index:
                    fresh.append((by_index.pop(item_id), item.get("description")))
            fresh += [(upload, None) for upload in by_index.values()]
        else:
            kept = list(existing)
            fresh = [(upload, None) for upload in uploads]
        for upload, description in fresh:
            kept.append(
                self.world.new_attachment(
                    upload.filename,
                    upload.data,
                    content_type=upload.content_type,
                    description=description,
                    ephemeral=message.ephemeral,
                    scope=message.channel_id,
                )
            )
        return kept

    def _apply_mentions(self, message: Message, allowed_mentions: Json | None, *, notify: bool) -> None:
        channel = self.world.channels[message.channel_id]
        guild = self.world.guild_of(channel)
        reply_author = None
        if message.message_reference is not None:
            replied = self.world.messages[int(message.message_reference["message_id"])]
            reply_author = replied.author.id
        can_everyone = bool(self.world.permissions_in(channel, message.author.id) & MENTION_EVERYONE)
        wanted = mentions.allowed(mentions.parse_content(message.content), allowed_mentions, reply_author)
        pinged = mentions.effective(wanted, guild=guild, can_mention_everyone=can_everyone)
        message.mention_user_ids = list(pinged.users)
        message.mention_role_ids = list(pinged.roles)
        message.mention_everyone = pinged.everyone or pinged.here
        silent = bool(message.flags & SUPPRESS_NOTIFICATIONS)
        message.ping = None
        if notify and not silent:
            message.ping = mentions.ping_record(
                pinged,
                message_id=message.id,
                guild=guild,
                channel=channel,
                author_id=message.author.id,
                at=datetime.now(UTC),
            )

    def _dispatch(self, event: str, message: Message) -> None:
        data = payloads.message(message, self.world, include_nonce=event == "MESSAGE_CREATE")
        bot_id = self.world.bot.id
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            guild = self.world.guilds[message.guild_id]
            author = guild.members.get(message.author.id)
            if author is not None:
                data["member"] = payloads.member(author, with_user=False)
        self.world.dispatch(
            event,
            data,
            guild_id=message.guild_id,
            intent=intents.GUILD_MESSAGES if message.guild_id else intents.DIRECT_MESSAGES,
            # Discord hides other people's guild message content from bots without the intent.
            private_content=message.guild_id is not None
            and message.author.id != bot_id
            and bot_id not in message.mention_user_ids,
        )
