"""A small client for the /_emulator control API, for tests that run the emulator in another process."""

# ruff: noqa: ASYNC109 - `timeout` here is the server-side wait passed in the query string

from __future__ import annotations

from types import TracebackType
from typing import Any

import aiohttp

Json = dict[str, Any]


class RemoteEmulatorError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class RemoteEmulator:
    """`async with RemoteEmulator("http://127.0.0.1:8765") as emu:` then the same verbs as the actor API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/").removesuffix("/_emulator")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> RemoteEmulator:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, body: Json | None = None, **query: Any) -> Any:
        if self._session is None:
            raise RuntimeError("use RemoteEmulator as an async context manager")
        params = {k: str(v) for k, v in query.items() if v is not None}
        url = f"{self.base_url}/_emulator{path}"
        async with self._session.request(method, url, json=body, params=params) as response:
            data = await response.json()
            if response.status >= 400:
                raise RemoteEmulatorError(response.status, data)
            return data

    async def state(self) -> Json:
        result: Json = await self._call("GET", "/state")
        return result

    async def messages(
        self,
        *,
        channel: str | int | None = None,
        user: int | None = None,
        guild_id: int | None = None,
        min_count: int = 0,
        timeout: float = 5.0,
    ) -> list[Json]:
        """A channel's messages (by id, or by name with guild_id), or a user's DM channel's."""
        result: list[Json] = await self._call(
            "GET", "/messages", channel=channel, user=user, guild_id=guild_id, min_count=min_count, timeout=timeout
        )
        return result

    async def wait_connected(self, timeout: float = 5.0, *, identify_count: int = 1) -> Json:
        """Wait for a live bot connection, after at least `identify_count` IDENTIFYs in all."""
        result: Json = await self._call("GET", "/bot", wait_connected=timeout, identify_count=identify_count)
        return result

    async def wait_disconnected(self, timeout: float = 5.0) -> Json:
        result: Json = await self._call("GET", "/bot", wait_disconnected=timeout)
        return result

    async def disconnect_bot(self) -> None:
        await self._call("POST", "/bot/disconnect")

    async def create_guild(self, name: str, *, locale: str = "en-US") -> Json:
        result: Json = await self._call("POST", "/guilds", {"name": name, "locale": locale})
        return result

    async def add_bot(self, guild_id: str | int, *, permissions: int | None = None) -> Json:
        body = {} if permissions is None else {"permissions": permissions}
        result: Json = await self._call("POST", f"/guilds/{guild_id}/bot", body)
        return result

    async def add_member(self, guild_id: str | int, name: str, **fields: Any) -> Json:
        result: Json = await self._call("POST", f"/guilds/{guild_id}/members", {"name": name, **fields})
        return result

    async def create_channel(self, guild_id: str | int, name: str, **fields: Any) -> Json:
        result: Json = await self._call("POST", f"/guilds/{guild_id}/channels", {"name": name, **fields})
        return result

    async def create_role(self, guild_id: str | int, name: str, **fields: Any) -> Json:
        result: Json = await self._call("POST", f"/guilds/{guild_id}/roles", {"name": name, **fields})
        return result

    async def set_dms_open(self, user_id: str | int, is_open: bool) -> Json:
        result: Json = await self._call("PATCH", f"/users/{user_id}", {"dms_open": is_open})
        return result

    async def act(self, action: str, guild_id: str | int, member: str | int, **fields: Any) -> Any:
        """Run an actor action: slash, autocomplete, click, select, submit_modal, dm or say."""
        return await self._call(
            "POST", f"/actions/{action}", {"guild_id": str(guild_id), "member": str(member), **fields}
        )

    async def slash(self, guild_id: str | int, member: str | int, command: str, **options: Any) -> Json:
        result: Json = await self.act("slash", guild_id, member, command=command, options=options)
        return result
