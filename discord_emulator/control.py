"""The /_emulator HTTP API: inspect state and drive actors from another process (crash tests, demos).

Answers use the emulator's own JSON (see dumps.py). Actor refusals answer 409, timeouts 408, bad input 400.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from . import dumps
from .actors import MemberActor
from .errors import ActorError, DiscordError, EmulatorTimeout
from .guilds import GuildHandle
from .permissions import DEFAULT_BOT
from .results import InteractionResult
from .state import Channel, Message
from .world import World

Json = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/_emulator"


def _reply(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json")


def _guarded(handler: Handler) -> Handler:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ActorError as error:
            return _reply({"error": str(error)}, 409)
        except DiscordError as error:
            return _reply({"error": error.message, "discord": error.body()}, error.status)
        except EmulatorTimeout as error:
            return _reply({"error": str(error)}, 408)
        except (KeyError, ValueError, TypeError) as error:
            return _reply({"error": f"bad request: {error!r}"}, 400)

    return run


def register(app: web.Application, services: World) -> None:
    world = services.world

    def guild(request: web.Request, body: Json | None = None) -> GuildHandle:
        raw = request.match_info.get("guild_id") or (body or {}).get("guild_id") or ""
        found = world.guilds.get(int(raw)) if str(raw).isdigit() else None
        if found is None:
            matches = [g for g in world.guilds.values() if g.name == raw]
            if len(matches) != 1:
                raise KeyError(f"guild {raw!r}")
            found = matches[0]
        return GuildHandle(services, found)

    def member(handle: GuildHandle, key: Any) -> MemberActor:
        key = str(key)
        if key.isdigit() and int(key) in handle.guild.members:
            return MemberActor(services, handle.guild, handle.guild.members[int(key)])
        return handle.member(key)

    def channel(handle: GuildHandle | None, key: Any) -> Channel:
        key = str(key)
        if key.isdigit() and int(key) in world.channels:
            return world.channels[int(key)]
        if handle is None:
            raise KeyError(f"channel {key!r}")
        return handle.channel(key)

    def message(key: Any) -> Message:
        return world.messages[int(key)]

    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    async def state(request: web.Request) -> web.StreamResponse:
        gateway = services.gateway
        return _reply(
            {
                "application_id": str(world.application.id),
                "bot": {"id": str(world.bot.id), "username": world.bot.username},
                "bot_connected": bool(gateway.live_sessions),
                "identify_count": gateway.identify_count,
                "resume_count": gateway.resume_count,
                "live_sessions": len(gateway.live_sessions),
                "max_live_sessions": gateway.max_live_sessions,
                "guilds": [dumps.guild(g) for g in world.guilds.values()],
                "request_count": len(world.requests),
                "rate_limited_count": world.rate_limited_count,
                "unknown_routes": [f"{r.method} {r.path}" for r in world.requests if r.route is None],
                "errors": services.errors,
                "pings": [dumps.ping(p) for p in world.pings],
            }
        )

    async def messages(request: web.Request) -> web.StreamResponse:
        query = request.query
        if "user" in query:
            target = world.channels.get(world.dm_channel_ids.get(int(query["user"]), 0))
        else:
            handle = guild(request, dict(query)) if "guild_id" in query else None
            target = channel(handle, query["channel"])
        minimum = int(query.get("min_count", "0"))
        if minimum:
            await world.feed.wait_for(
                lambda: target is not None and len(target.messages) >= minimum,
                float(query.get("timeout", "5")),
                f"{minimum} messages",
            )
        return _reply([dumps.message(m) for m in (target.messages if target else [])])

    async def requests(request: web.Request) -> web.StreamResponse:
        since = int(request.query.get("since", "0"))
        return _reply([dumps.request(r) for r in world.requests[since:]])

    async def interaction(request: web.Request) -> web.StreamResponse:
        record = services.interactions.records[int(request.match_info["interaction_id"])]
        return _reply(dumps.interaction(InteractionResult(services, record)))

    async def bot(request: web.Request) -> web.StreamResponse:
        """?wait_connected=S[&identify_count=N] or ?wait_disconnected=S wait (event-driven) before answering."""
        gateway = services.gateway
        connect_wait = float(request.query.get("wait_connected", "0"))
        disconnect_wait = float(request.query.get("wait_disconnected", "0"))
        identified = int(request.query.get("identify_count", "1"))
        if connect_wait:
            await world.feed.wait_for(
                lambda: bool(gateway.live_sessions) and gateway.identify_count >= identified,
                connect_wait,
                "the bot to connect",
            )
        if disconnect_wait:
            await world.feed.wait_for(lambda: not gateway.live_sessions, disconnect_wait, "the bot to disconnect")
        return _reply({"connected": bool(gateway.live_sessions), "identify_count": gateway.identify_count})

    async def disconnect(request: web.Request) -> web.StreamResponse:
        await services.gateway.disconnect_bot()
        return _reply({"disconnected": True})

    async def create_guild(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        created = world.create_guild(body["name"], locale=body.get("locale", "en-US"))
        return _reply(dumps.guild(created), 201)

    async def create_role(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        handle = guild(request)
        role = handle.create_role(
            body["name"], permissions=int(body.get("permissions", 0)), mentionable=bool(body.get("mentionable"))
        )
        return _reply({"id": str(role.id), "name": role.name}, 201)

    async def create_channel(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        created = guild(request).create_text_channel(
            body["name"], topic=body.get("topic"), private=bool(body.get("private"))
        )
        return _reply({"id": str(created.id), "name": created.name}, 201)

    async def add_member(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        handle = guild(request)
        roles = [handle.guild.roles[int(r)] if str(r).isdigit() else handle.role(r) for r in body.get("roles", [])]
        added = handle.add_member(
            body["name"],
            roles=roles,
            locale=body.get("locale", "en-US"),
            created_at=when(body.get("created_at")),
            joined_at=when(body.get("joined_at")),
            dms_open=bool(body.get("dms_open", True)),
            permissions=int(body["permissions"]) if body.get("permissions") else None,
        )
        return _reply({"id": str(added.id), "name": added.name}, 201)

    async def add_bot(request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else {}
        handle = guild(request)
        world.add_bot(handle.guild, permissions=int(body.get("permissions", DEFAULT_BOT)))
        return _reply(dumps.guild(handle.guild), 201)

    async def update_user(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        account = world.users[int(request.match_info["user_id"])]
        if "dms_open" in body:
            account.dms_open = bool(body["dms_open"])
        if "locale" in body:
            account.locale = str(body["locale"])
        world.changed()
        return _reply({"id": str(account.id), "dms_open": account.dms_open, "locale": account.locale})

    async def act(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        handle = guild(request, body)
        actor = member(handle, body["member"])
        action = request.match_info["action"]
        where = channel(handle, body["channel"]) if body.get("channel") else None
        result: InteractionResult
        if action == "slash":
            result = await actor.slash(body["command"], where, **body.get("options", {}))
        elif action == "autocomplete":
            choices = await actor.autocomplete(
                body["command"], where, focused=body["focused"], value=body.get("value", ""), **body.get("options", {})
            )
            return _reply([{"name": c.name, "value": c.value} for c in choices])
        elif action == "click":
            result = await actor.click(message(body["message_id"]), body.get("label"), custom_id=body.get("custom_id"))
        elif action == "select":
            result = await actor.select(message(body["message_id"]), body["values"], custom_id=body.get("custom_id"))
        elif action == "submit_modal":
            record = services.interactions.records[int(body["interaction_id"])]
            result = await actor.submit_modal(InteractionResult(services, record), body["values"])
        elif action == "dm":
            return _reply(dumps.message(await actor.send_dm_to_bot(body["content"])), 201)
        elif action == "say":
            if where is None:
                raise KeyError("channel")
            return _reply(dumps.message(await actor.say(where, body["content"])), 201)
        else:
            raise KeyError(f"action {action!r}")
        return _reply(dumps.interaction(result))

    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/state", state),
        ("GET", "/messages", messages),
        ("GET", "/requests", requests),
        ("GET", "/interactions/{interaction_id}", interaction),
        ("GET", "/bot", bot),
        ("POST", "/bot/disconnect", disconnect),
        ("POST", "/guilds", create_guild),
        ("POST", "/guilds/{guild_id}/roles", create_role),
        ("POST", "/guilds/{guild_id}/channels", create_channel),
        ("POST", "/guilds/{guild_id}/members", add_member),
        ("POST", "/guilds/{guild_id}/bot", add_bot),
        ("PATCH", "/users/{user_id}", update_user),
        ("POST", "/actions/{action}", act),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, PREFIX + path, _guarded(handler))
