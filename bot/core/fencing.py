"""What keeps a process that lost leadership off Discord (PostgreSQL with standbys, issue 22).

The database refuses a stale epoch for every claim and settlement of a delivery, but a request to
Discord is not a database write: a process frozen with sends in hand (a stalled VM) would, once thawed,
send them before its renewal loop noticed anything. So the active process is fenced at the two doors
between it and Discord:

- **Every REST request** (and the gateway's websocket handshake) passes `http_gate` after aiohttp has
  its connection and just before it writes the request: the leader's lease must still be fresh on this
  process's clock, and the database must confirm, in a query begun after the request got there, that
  the epoch has not moved on (a hypervisor may hide a pause from the guest's clock). Nothing of the
  request has been written when it is refused, so a refused send is certainly not sent.
- **Every gateway event** passes `gate_events` before discord.py parses it: events a frozen session
  received for its process (a command, a button) are dropped, not acted on after the thaw.

What remains is a request that passed the gate in the instant before the freeze: aiohttp writes it
after the thaw (docs/deploy.md, "A frozen VM"). It carries its delivery's nonce.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class LostLeadership(Exception):
    """This process is no longer the active one: the request was refused before any of it was written."""


@dataclass(frozen=True, slots=True)
class Fence:
    """The active process's leadership, as the bot needs it (storage.postgres.leadership.Leadership)."""

    epoch: Callable[[], int | None]  # the epoch while the lease is fresh on this process's clock, else None
    confirm: Callable[[], Awaitable[bool]]  # the database says this process still leads


class Refusals:
    """Counts what the fence refused and logs the first of each kind only: a process that lost
    leadership refuses everything until it exits, and one line says why."""

    def __init__(self) -> None:
        self.requests = 0
        self.events = 0

    def request(self, method: str, url: str) -> None:
        self.requests += 1
        if self.requests == 1:
            log.error("refused to send: this process is no longer the active one",
                      extra={"request": f"{method} {route(url)}"})  # fmt: skip

    def event(self, name: str) -> None:
        self.events += 1
        if self.events == 1:
            log.error(
                "dropped a gateway event: this process is no longer the active one", extra={"gateway_event": name}
            )


def route(url: str) -> str:
    """A request's route without its ids and tokens (a DM channel's id points at a person; an interaction's
    token answers for the bot): `POST channels/{}/messages`."""
    path = url.split("?", 1)[0].split("/api/v", 1)[-1].split("://", 1)[-1]
    segments = path.split("/")[1:]
    return "/".join(s if re.fullmatch(r"[a-z@_-]+", s) else "{}" for s in segments)


def http_gate(fence: Fence, refusals: Refusals) -> aiohttp.TraceConfig:
    """A trace aiohttp runs for every request of discord.py's session (its `http_trace`)."""
    trace = aiohttp.TraceConfig()

    async def check(method: str, url: str) -> None:
        if fence.epoch() is None or not await fence.confirm() or fence.epoch() is None:
            refusals.request(method, url)
            raise LostLeadership(f"{method} {url}")

    async def on_start(_: aiohttp.ClientSession, __: SimpleNamespace, params: aiohttp.TraceRequestStartParams) -> None:
        # A cheap first look, before a connection is taken; the database is asked at the last moment.
        if fence.epoch() is None:
            refusals.request(params.method, str(params.url))
            raise LostLeadership(f"{params.method} {params.url}")

    async def before_write(
        _: aiohttp.ClientSession, __: SimpleNamespace, params: aiohttp.TraceRequestHeadersSentParams
    ) -> None:
        # aiohttp awaits this hook before it serializes the headers and writes anything (3.10 and later).
        await check(params.method, str(params.url))

    trace.on_request_start.append(on_start)
    trace.on_request_headers_sent.append(before_write)
    return trace


def gate_events(parsers: dict[str, Callable[[Any], None]], fence: Fence, refusals: Refusals) -> None:
    """Wrap discord.py's gateway parsers (ConnectionState.parsers, which every shard's websocket reads)."""

    def gated(name: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
        def parse_if_leading(data: Any) -> None:
            if fence.epoch() is None:
                refusals.event(name)
                return
            parse(data)

        return parse_if_leading

    for name, parse in list(parsers.items()):
        parsers[name] = gated(name, parse)
