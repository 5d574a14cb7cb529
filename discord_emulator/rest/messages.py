"""Channel messages and DM channels: create (with nonces), read, list, edit, delete, typing."""

from __future__ import annotations

from .. import errors, payloads
from ..permissions import MANAGE_MESSAGES, READ_MESSAGE_HISTORY, VIEW_CHANNEL
from ..state import Channel, Message
from ..world import World
from .router import Call, Reply, Router


def register(router: Router, services: World) -> None:
    world = services.world
    messages = services.messages

    def channel(call: Call) -> Channel:
        return messages.channel_for_bot(call.snowflake("channel_id"))

    def message(call: Call) -> Message:
        return messages.readable_message(channel(call), call.snowflake("message_id"))

    async def open_dm(call: Call) -> Reply:
        body = call.json_object()
        recipient_id = str(body.get("recipient_id", ""))
        recipient = world.users.get(int(recipient_id)) if recipient_id.isdigit() else None
        if recipient is None or recipient.id == world.bot.id:
            raise errors.invalid_recipient()
        return Reply(body=payloads.channel(world.dm_channel(recipient), world))

    async def create(call: Call) -> Reply:
        target = channel(call)
        body = call.json_object()
        messages.check_bot_can_post(target)
        repeat = messages.nonce_hit(target, world.bot, body)
        if repeat is not None:
            return Reply(body=payloads.message(repeat, world, include_nonce=True))
        created = messages.create(target, world.bot, body, call.uploads)
        return Reply(body=payloads.message(created, world, include_nonce=True))

    async def listing(call: Call) -> Reply:
        target = messages.channel_for_bot(call.snowflake("channel_id"), needs=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        try:
            limit = int(call.query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise errors.invalid_form_body([(["limit"], "NUMBER_TYPE_MAX", "int value should be <= 100 and >= 1.")])
        live = target.messages
        if "before" in call.query:
            before = int(call.query["before"])
            picked = [m for m in live if m.id < before][-limit:]
        elif "after" in call.query:
            after = int(call.query["after"])
            picked = [m for m in live if m.id > after][:limit]
        elif "around" in call.query:
            around = int(call.query["around"])
            older = [m for m in live if m.id < around][-(limit // 2) :] if limit > 1 else []
            newer = [m for m in live if m.id >= around][: limit - len(older)]
            picked = older + newer
        else:
            picked = live[-limit:]
        # Discord always answers newest first, whichever way the window was chosen.
        return Reply(body=[payloads.message(m, world) for m in reversed(picked)])

    async def get_one(call: Call) -> Reply:
        return Reply(body=payloads.message(message(call), world))

    async def edit(call: Call) -> Reply:
        target = message(call)
        if target.author.id != world.bot.id:
            raise errors.cannot_edit_others()
        return Reply(body=payloads.message(messages.edit(target, call.json_object(), call.uploads), world))

    async def delete(call: Call) -> Reply:
        target = message(call)
        where = world.channels[target.channel_id]
        if target.author.id != world.bot.id and not world.permissions_in(where, world.bot.id) & MANAGE_MESSAGES:
            raise errors.missing_permissions()
        messages.delete(target)
        return Reply(status=204)

    async def typing(call: Call) -> Reply:
        messages.check_bot_can_post(channel(call))
        return Reply(status=204)

    router.add("POST", "/users/@me/channels", open_dm)
    router.add("GET", "/channels/{channel_id}/messages", listing)
    router.add("POST", "/channels/{channel_id}/messages", create)
    router.add("GET", "/channels/{channel_id}/messages/{message_id}", get_one)
    router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit)
    router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete)
    router.add("POST", "/channels/{channel_id}/typing", typing)
