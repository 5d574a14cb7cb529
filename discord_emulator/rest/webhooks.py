"""Interaction callbacks and the interaction webhook: follow-ups and @original, authenticated by URL token.

These routes need no bot token and are exempt from the global rate limit, as Discord documents.
"""

from __future__ import annotations

from .. import payloads
from ..world import World
from .router import Call, Handler, Reply, Router

MESSAGE_BUCKET = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"


def register(router: Router, services: World) -> None:
    world = services.world
    interactions = services.interactions

    async def callback(call: Call) -> Reply:
        interaction_id = call.snowflake("interaction_id")
        answer = interactions.callback(
            interaction_id, call.params["interaction_token"], call.json_object(), call.uploads
        )
        if call.query.get("with_response", "").lower() in ("1", "true"):
            return Reply(body=answer)
        return Reply(status=204)

    async def execute(call: Call) -> Reply:
        record = interactions.for_webhook(call.snowflake("webhook_id"), call.params["webhook_token"])
        created = interactions.followup(record, call.json_object(), call.uploads)
        if call.query.get("wait", "").lower() in ("1", "true"):
            return Reply(body=payloads.message(created, world))
        return Reply(status=204)

    async def get_message(call: Call) -> Reply:
        record = interactions.for_webhook(call.snowflake("webhook_id"), call.params["webhook_token"])
        found = interactions.webhook_message(record, call.params.get("message_id", "@original"))
        return Reply(body=payloads.message(found, world))

    async def edit_message(call: Call) -> Reply:
        record = interactions.for_webhook(call.snowflake("webhook_id"), call.params["webhook_token"])
        found = interactions.webhook_message(record, call.params.get("message_id", "@original"))
        edited = services.messages.edit(found, call.json_object(), call.uploads)
        return Reply(body=payloads.message(edited, world))

    async def delete_message(call: Call) -> Reply:
        record = interactions.for_webhook(call.snowflake("webhook_id"), call.params["webhook_token"])
        services.messages.delete(interactions.webhook_message(record, call.params.get("message_id", "@original")))
        return Reply(status=204)

    def add(method: str, template: str, handler: Handler, bucket: str | None = None) -> None:
        router.add(method, template, handler, auth=False, global_limit=False, bucket=bucket)

    add("POST", "/interactions/{interaction_id}/{interaction_token}/callback", callback)
    add("POST", "/webhooks/{webhook_id}/{webhook_token}", execute)
    for template in (
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ):
        add("GET", template, get_message, MESSAGE_BUCKET)
        add("PATCH", template, edit_message, MESSAGE_BUCKET)
        add("DELETE", template, delete_message, MESSAGE_BUCKET)
