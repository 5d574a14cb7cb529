"""What keeps the feed's HTTP port from being held (issue 23): the rate limit counts only whole requests, so
connections need limits of their own.

- A cap on open connections, in all and per client address (an IPv6 client's /64): one over either is
  closed as soon as it is accepted, so file descriptors never run out, and one client cannot take every
  slot.
- Deadlines: a request's headers must be in within `header_timeout` of connecting (a slow-headers client,
  "slowloris", is cut off), and the next request's within `idle_timeout` of the last response (an idle
  keep-alive connection, or a client reading a response very slowly, is cut off too).
- Log lines are rate-limited per kind: a flood of failing connections cannot fill the disk.
- The soft open-files limit is raised to the hard one at start (systemd's default soft limit is 1,024).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

log = logging.getLogger(__name__)

RESERVED_FILES = 64  # kept for the database, the logs and the process itself, whatever the connections do


@dataclass(frozen=True, slots=True)
class Limits:
    max_connections: int = 1000
    max_per_client: int = 64  # behind a reverse proxy every connection is the proxy's: it limits per client
    header_timeout: float = 10.0
    idle_timeout: float = 15.0

    def within(self, open_files: int) -> Limits:
        """These limits, with the connections capped below the open-files limit."""
        cap = max(1, min(self.max_connections, open_files - RESERVED_FILES))
        return Limits(cap, min(self.max_per_client, cap), self.header_timeout, self.idle_timeout)


def client_of(host: str) -> str:
    """Who a connection or a request counts against: its IPv4 address, or its IPv6 address's /64. One host
    is given a whole /64 to pick addresses from, so counted by address it would have no limit at all."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address.ipv4_mapped or address) if isinstance(address, ipaddress.IPv6Address) else str(address)


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard one; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft == resource.RLIM_INFINITY or wanted <= soft:
        return soft if soft != resource.RLIM_INFINITY else wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as exc:  # a platform that caps it lower (macOS's OPEN_MAX): keep the soft one
        log.warning("could not raise the open-files limit from %d to %d: %s", soft, wanted, exc)
        return soft
    return wanted


class ConnectionGuard:
    """Admits connections under the caps and cuts off those that are slow or idle too long."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open = 0
        self.per_client: Counter[str] = Counter()
        self.refused = 0
        self.timed_out = 0
        self._by_transport: dict[asyncio.BaseTransport, _Guarded] = {}

    def protocol(self, make: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for `loop.create_server` around `make` (aiohttp's request handler)."""
        return lambda: _Guarded(self, make)

    def request_started(self, transport: asyncio.BaseTransport | None) -> None:
        connection = self._by_transport.get(transport) if transport is not None else None
        if connection is not None:
            connection.active += 1
            connection.disarm()

    def request_finished(self, transport: asyncio.BaseTransport | None) -> None:
        connection = self._by_transport.get(transport) if transport is not None else None
        if connection is not None:
            connection.active -= 1
            if connection.active == 0:
                connection.arm(self.limits.idle_timeout)

    def _admit(self, connection: _Guarded) -> bool:
        if self.open >= self.limits.max_connections or self.per_client[connection.client] >= self.limits.max_per_client:
            self.refused += 1
            from_there = self.per_client[connection.client]
            log.warning("connection refused: %d open, %d from its address", self.open, from_there)
            return False
        self.open += 1
        self.per_client[connection.client] += 1
        assert connection.transport is not None
        self._by_transport[connection.transport] = connection
        return True

    def _release(self, connection: _Guarded) -> None:
        self.open -= 1
        self.per_client[connection.client] -= 1
        if self.per_client[connection.client] <= 0:
            del self.per_client[connection.client]
        if connection.transport is not None:
            self._by_transport.pop(connection.transport, None)


class _Guarded(asyncio.Protocol):
    """aiohttp's handler for one connection, behind the guard: admitted or closed at once, and timed."""

    def __init__(self, guard: ConnectionGuard, make: Callable[[], asyncio.Protocol]) -> None:
        self.guard = guard
        self.make = make
        self.inner: asyncio.Protocol | None = None
        self.transport: asyncio.Transport | None = None
        self.client = "?"
        self.active = 0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a TCP server's connections are streams
        peer = transport.get_extra_info("peername")
        self.client = client_of(str(peer[0])) if isinstance(peer, tuple) and peer else "?"
        if not self.guard._admit(self):
            self.transport.abort()
            return
        self.inner = self.make()
        self.inner.connection_made(transport)
        self.arm(self.guard.limits.header_timeout)

    def data_received(self, data: bytes) -> None:
        if self.inner is not None:
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        if self.inner is not None:
            self.guard._release(self)
            self.inner.connection_lost(exc)
            self.inner = None

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def arm(self, seconds: float) -> None:
        self.disarm()
        self._timer = asyncio.get_running_loop().call_later(seconds, self._too_slow)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.transport is not None and self.active == 0:
            self.guard.timed_out += 1
            self.transport.abort()  # not close(): a client that reads nothing would keep it open


class RepeatedLines(logging.Filter):
    """At most `burst` lines of one kind (logger and message template) per `every` seconds; the next one
    let through says how many were left out."""

    def __init__(self, every: float = 10.0, burst: int = 5, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every = every
        self.burst = burst
        self.clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int, int]] = {}  # since, let through, left out

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self.clock()
        since, passed, dropped = self._seen.get(key, (now, 0, 0))
        if now - since >= self.every:
            since, passed = now, 0
        if passed >= self.burst:
            self._seen[key] = (since, passed, dropped + 1)
            return False
        if dropped:
            record.msg = f"{record.msg} ({dropped} more like it left out)"
        self._seen[key] = (since, passed + 1, 0)
        if len(self._seen) > 1000:  # kinds are few; a bound all the same
            self._seen.pop(next(iter(self._seen)))
        return True
