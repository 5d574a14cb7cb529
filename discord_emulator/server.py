"""DiscordEmulator: the aiohttp app on 127.0.0.1 that wires REST, gateway, CDN and control API together."""

# ruff: noqa: ASYNC109 - the wait helpers take `timeout=` by design: tests read better than with asyncio.timeout

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from aiohttp import web

from . import cdn, control
from .gateway import CLOSE_UNKNOWN_ERROR
from .guilds import GuildHandle
from .intents import PRIVILEGED
from .limits import Limits
from .permissions import DEFAULT_BOT
from .rest import build_router
from .state import Channel, Member, Message, Ping, RequestRecord, User
from .world import Fault, FaultMode, World

T = TypeVar("T")


class DiscordEmulator:
    """A loopback Discord for one bot application. Use `async with DiscordEmulator() as emu:` or start/stop."""

    def __init__(
        self,
        token: str = "test-token",
        *,
        limits: Limits | None = None,
        bot_name: str = "Veraz",
        host: str = "127.0.0.1",
        port: int = 0,
        enabled_privileged_intents: int = PRIVILEGED,
        settle_timeout: float = 5.0,
    ) -> None:
        self.limits = limits or Limits()
        self.services = World.create(token=token, limits=self.limits, bot_name=bot_name)
        self.services.gateway.enabled_privileged_intents = enabled_privileged_intents
        self.services.settle_timeout = settle_timeout
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    # Lifecycle.

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        router = build_router(self.services)
        app.router.add_route("*", "/api/v10/{tail:.*}", router.handle)
        app.router.add_get("/gateway", self.services.gateway.handle)
        cdn.register(app, self.services.world)
        control.register(app, self.services)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Bind the socket ourselves so port 0 tells us which free port we got.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.services.world.cdn_base = self.base_url
        self.services.gateway.url = self.gateway_url

    async def stop(self) -> None:
        self.services.interactions.close()
        await self.services.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    # Addresses.

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def settle_timeout(self) -> float:
        """Seconds slash()/click() wait after a "thinking" deferral for the first visible reply."""
        return self.services.settle_timeout

    @settle_timeout.setter
    def settle_timeout(self, value: float) -> None:
        self.services.settle_timeout = value

    @property
    def token(self) -> str:
        return self.services.world.token

    @property
    def application_id(self) -> int:
        return self.services.world.application.id

    @property
    def bot_user(self) -> User:
        return self.services.world.bot

    # Building the world.

    def create_guild(self, name: str, *, locale: str = "en-US") -> GuildHandle:
        return GuildHandle(self.services, self.services.world.create_guild(name, locale=locale))

    def add_bot_to_guild(self, guild: GuildHandle, *, permissions: int = DEFAULT_BOT) -> Member:
        """Invite the bot with a managed role carrying `permissions`."""
        return self.services.world.add_bot(guild.guild, permissions=permissions)

    def guild(self, name: str) -> GuildHandle:
        for candidate in self.services.world.guilds.values():
            if candidate.name == name:
                return GuildHandle(self.services, candidate)
        raise KeyError(f"no guild named {name!r}")

    @property
    def guilds(self) -> list[GuildHandle]:
        return [GuildHandle(self.services, g) for g in self.services.world.guilds.values()]

    # Inspection.

    @property
    def requests(self) -> list[RequestRecord]:
        return self.services.world.requests

    @property
    def unknown_requests(self) -> list[RequestRecord]:
        """Requests no emulated route matched: gaps in the emulation."""
        return [r for r in self.requests if r.route is None]

    @property
    def pings(self) -> list[Ping]:
        return self.services.world.pings

    @property
    def rate_limited_count(self) -> int:
        return self.services.world.rate_limited_count

    @property
    def errors(self) -> list[str]:
        """Crashes inside the emulator's own handlers (should stay empty)."""
        return self.services.errors

    @property
    def bot_connected(self) -> bool:
        return bool(self.services.gateway.live_sessions)

    @property
    def identify_count(self) -> int:
        return self.services.gateway.identify_count

    # Waiting, event-driven.

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "condition") -> T:
        """Return `predicate()` once it is truthy, re-checking on every change in the emulator."""
        return await self.services.world.feed.wait_for(predicate, timeout, what)

    async def wait_until_connected(self, timeout: float = 5.0, *, identify_count: int = 1) -> None:
        """Wait for a live bot connection that has identified at least `identify_count` times in all."""
        await self.wait_for(
            lambda: self.bot_connected and self.identify_count >= identify_count, timeout, "the bot to connect"
        )

    async def wait_for_message(
        self,
        channel: Channel,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Message:
        """The first message in `channel` with an id above `after` that matches `predicate`."""
        return await self.wait_for(
            lambda: next((m for m in channel.messages if m.id > after and (predicate is None or predicate(m))), None),
            timeout,
            f"a message in #{channel.name or 'dm'}",
        )

    async def wait_for_edit(self, message: Message, *, count: int = 1, timeout: float = 5.0) -> Message:
        """Wait until `message` was edited at least `count` times in all."""
        return await self.wait_for(
            lambda: message if len(message.edits) >= count else None, timeout, f"edit #{count} of message {message.id}"
        )

    # Gateway control.

    def fail_next(
        self, method: str, path: str, *, status: int = 503, times: int = 1, mode: FaultMode = FaultMode.REFUSE
    ) -> None:
        """An outage for tests: the next `times` requests of `method` whose path matches the regular
        expression `path` get `status` (a 5xx by default) instead of their answer; with `mode` AFTER the
        request is carried out first, with DROP the connection closes with no answer at all, with HOLD the
        request is carried out and never answered (for a test that kills the asking process meanwhile)."""
        self.services.faults.append(Fault(method.upper(), re.compile(path), status, times, mode))

    def fail_for(
        self,
        seconds: float,
        *,
        method: str = "*",
        path: str = "",
        status: int = 502,
        mode: FaultMode = FaultMode.REFUSE,
    ) -> Fault:
        """An outage of the next `seconds` (wall clock): every request of `method` ("*": any) whose path
        matches `path` (by default every REST request) meets it, as with `fail_next`. Two calls in a row
        make an outage in phases: `fail_for(3, mode=AFTER)` then, 3 s later, `fail_for(17)`. Returns the
        fault; `end_outage` ends it early."""
        fault = Fault(method.upper(), re.compile(path), status, sys.maxsize, mode, time.monotonic() + seconds)
        self.services.faults.append(fault)
        return fault

    def end_outage(self, fault: Fault) -> None:
        fault.times = 0

    def open_command_to_everyone(self, guild: GuildHandle, name: str) -> None:
        """What an admin does in Server Settings > Integrations: let everyone see a command whose default
        permissions would hide it. Lets tests prove the bot checks permissions itself."""
        for command in self.services.commands.listing(guild.id):
            if command["name"] == name:
                command["default_member_permissions"] = None
                return
        raise KeyError(f"no command /{name} synced in {guild.name}")

    async def disconnect_bot(self, code: int = CLOSE_UNKNOWN_ERROR) -> None:
        """Close the bot's websocket(s); discord.py reconnects and RESUMEs, replaying missed events."""
        await self.services.gateway.disconnect_bot(code)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        self.services.gateway.request_reconnect()
