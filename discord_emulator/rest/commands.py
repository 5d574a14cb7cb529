"""Application command sync: global and guild commands, bulk overwrite, create, get, edit, delete."""

from __future__ import annotations

from .. import errors
from ..world import World
from .router import Call, Reply, Router


def register(router: Router, services: World) -> None:
    world = services.world
    store = services.commands

    def scope(call: Call) -> int | None:
        if call.snowflake("application_id") != world.application.id:
            raise errors.missing_access()
        if "guild_id" not in call.params:
            return None
        guild = world.guilds.get(call.snowflake("guild_id"))
        if guild is None:
            raise errors.unknown("Guild")
        # Without the bot (and its applications.commands scope) in the guild, Discord says Missing Access.
        if not world.bot_in(guild):
            raise errors.missing_access()
        return guild.id

    async def listing(call: Call) -> Reply:
        return Reply(body=store.listing(scope(call)))

    async def overwrite(call: Call) -> Reply:
        where = scope(call)
        if not isinstance(call.body, list):
            raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.")
        return Reply(body=store.bulk_overwrite(where, call.body))

    async def create(call: Call) -> Reply:
        command, created = store.upsert(scope(call), call.json_object())
        return Reply(status=201 if created else 200, body=command)

    async def get_one(call: Call) -> Reply:
        return Reply(body=store.get(scope(call), call.snowflake("command_id")))

    async def edit(call: Call) -> Reply:
        where = scope(call)
        return Reply(body=store.edit(where, call.snowflake("command_id"), call.json_object()))

    async def delete(call: Call) -> Reply:
        store.delete(scope(call), call.snowflake("command_id"))
        return Reply(status=204)

    for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
        router.add("GET", f"{prefix}/commands", listing)
        router.add("PUT", f"{prefix}/commands", overwrite)
        router.add("POST", f"{prefix}/commands", create)
        router.add("GET", f"{prefix}/commands/{{command_id}}", get_one)
        router.add("PATCH", f"{prefix}/commands/{{command_id}}", edit)
        router.add("DELETE", f"{prefix}/commands/{{command_id}}", delete)
