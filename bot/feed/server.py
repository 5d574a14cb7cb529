"""The public feed over HTTP (aiohttp.web), in a process of its own (`bot.feed.process`).

GET only, and read-only all the way down (the source opens the database read-only). The query string
is never read; a path's slug and id are checked for shape before they are bound as SQL parameters. A
feed that is off and a slug that does not exist answer the same 404, byte for byte. Responses are
bounded (the last 100 messages; a message is at most a Discord message long). Each client address has
a token bucket; connections are capped and timed (`bot.feed.guard`). Rendered documents are kept while
nothing they show has changed, so a burst of readers costs one small query each, not a rendering each.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from bot.feed.atom import CONTENT_TYPE as ATOM_TYPE
from bot.feed.atom import atom_feed
from bot.feed.cap import CONTENT_TYPE as CAP_TYPE
from bot.feed.cap import cap_document
from bot.feed.guard import ConnectionGuard, Limits, client_of
from bot.feed.links import Links
from bot.feed.page import CONTENT_SECURITY_POLICY as PAGE_POLICY
from bot.feed.page import CONTENT_TYPE as PAGE_TYPE
from bot.feed.page import page
from verification.community import Community
from verification.public_feed import MAX_ENTRIES, PAGE_DAYS, FeedSource, FeedStamp, is_slug

log = logging.getLogger(__name__)

DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
NOT_FOUND = b"not found\n"
PAGE_FRESH = timedelta(seconds=60)  # the page also changes with time (expiry, the 7 days): redrawn this often
MAX_CLIENTS = 10_000  # token buckets kept; the least recently seen go first
MAX_CACHED = 1_000  # rendered documents kept


class RateLimiter:
    """A token bucket per client: `burst` requests at once, then `rate` a second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = self.clock()
        tokens, then = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        allowed = tokens >= 1.0
        self.buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self.buckets) > MAX_CLIENTS:
            self.buckets.popitem(last=False)
        return allowed


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime | None
    made: datetime


def _etag(body: bytes) -> str:
    """Of the body alone: what is public. A hash of anything private (the server's id) would let anyone
    holding candidate ids tell which server runs a feed."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _version(community: Community, stamp: FeedStamp) -> tuple[object, ...]:
    """All a community's documents depend on: a cached one is used only while none of it has changed."""
    return (community.id, community.feed_slug, community.language, community.timezone, stamp.newest_id, stamp.count)


class FeedServer:
    def __init__(
        self,
        source: FeedSource,
        base_url: str,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rate: float = 5.0,
        burst: int = 30,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.now = now
        self.limiter = RateLimiter(rate, burst)
        self.cache: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], Rendered]] = OrderedDict()
        self.served = 0
        self.guard: ConnectionGuard | None = None
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=1024)
        app.router.add_get("/{slug}/", self._page)
        app.router.add_get("/{slug}/alerts.atom", self._atom)
        app.router.add_get(r"/{slug}/cap/{id:[0-9]{1,12}}.xml", self._cap)
        return app

    async def start(
        self, host: str, port: int, limits: Limits | None = None, sock: socket.socket | None = None
    ) -> None:
        """Listen on host:port, or serve on `sock`, already listening there (inherited from `veraz run`)."""
        limits = limits or Limits()
        # Small request lines and headers: nothing here needs more.
        self._runner = web.AppRunner(self.app(), max_line_size=2048, max_field_size=4096, access_log=None,
                                     keepalive_timeout=limits.idle_timeout)  # fmt: skip
        await self._runner.setup()
        assert self._runner.server is not None
        self.guard = ConnectionGuard(limits)
        # aiohttp's sites take no protocol factory of ours: the listening socket is made here.
        factory = self.guard.protocol(self._runner.server)
        loop = asyncio.get_running_loop()
        if sock is not None:
            self._listener = await loop.create_server(factory, sock=sock, backlog=128)
        else:
            self._listener = await loop.create_server(factory, host, port, reuse_address=True, backlog=128)
        log.info("public feed served on %s:%s, at most %d connections", host, port, limits.max_connections)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        if self._runner is not None:
            await self._runner.cleanup()  # closes the connections still open
            self._runner = None
        if self._listener is not None:
            await self._listener.wait_closed()
            self._listener = None

    # --- the documents, for HTTP and for `veraz feed` -----------------------------------------------

    async def atom(self, community: Community) -> Rendered:
        stamp = await self.source.stamp(community.id)
        key, version = ("atom", community.id), _version(community, stamp)
        found = self._kept(key, version)
        if found is None:
            messages = await self.source.published(community.id, MAX_ENTRIES)
            body = atom_feed(messages, community, self._links(community))
            found = self._keep(key, version, Rendered(body, ATOM_TYPE, _etag(body), stamp.newest_at, self.now()))
        return found

    async def cap(self, community: Community, alert_id: int) -> Rendered | None:
        # A message never changes once published, but the community's language and time zone, which it is
        # written in, can; and a restored backup can hold other messages under the same ids.
        key, version = ("cap", community.id, alert_id), _version(community, await self.source.stamp(community.id))
        found = self._kept(key, version)
        if found is None:
            published = await self.source.one(community.id, alert_id)
            if published is None:
                return None
            body = cap_document(published, community, self._links(community))
            found = self._keep(key, version, Rendered(body, CAP_TYPE, _etag(body), published.message.at, self.now()))
        return found

    async def page(self, community: Community) -> Rendered:
        stamp = await self.source.stamp(community.id)
        key, version = ("page", community.id), _version(community, stamp)
        now = self.now()
        found = self._kept(key, version)
        if found is None or now - found.made >= PAGE_FRESH:
            incidents = await self.source.incidents(community.id, now - timedelta(days=PAGE_DAYS))
            body = page(incidents, community, self._links(community), now)
            found = self._keep(key, version, Rendered(body, PAGE_TYPE, _etag(body), None, now))
        return found

    def _links(self, community: Community) -> Links:
        return Links(self.base_url, community.feed_slug or "")

    def _kept(self, key: tuple[object, ...], version: tuple[object, ...]) -> Rendered | None:
        found = self.cache.get(key)
        return found[1] if found is not None and found[0] == version else None

    def _keep(self, key: tuple[object, ...], version: tuple[object, ...], rendered: Rendered) -> Rendered:
        # One version a document: a new one replaces the old, which nothing will ask for again (kept by
        # version, every message published left a stale Atom feed and page behind, up to a megabyte each,
        # until a thousand had piled up).
        self.cache[key] = (version, rendered)
        self.cache.move_to_end(key)
        while len(self.cache) > MAX_CACHED:
            self.cache.popitem(last=False)
        return rendered

    # --- HTTP ------------------------------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if self.guard is not None:
            self.guard.request_started(request.transport)
        try:
            return await self._answer(request, handler)
        finally:
            if self.guard is not None:
                self.guard.request_finished(request.transport)

    async def _answer(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not self.limiter.allow(client_of(request.remote or "?")):
            busy = {"Retry-After": "1"}
            response: web.StreamResponse = web.Response(
                status=429, body=b"too many requests\n", headers=busy, content_type="text/plain"
            )
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                # Every refusal (no such route, a wrong method) looks the same as a feed that is off.
                response = _not_found() if exc.status in (404, 405) else web.Response(status=exc.status)
        self.served += 1
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Server"] = "Veraz"
        response.headers.setdefault("Content-Security-Policy", DOCUMENT_POLICY)
        return response

    async def _community(self, request: web.Request) -> Community | None:
        slug = request.match_info["slug"]
        return await self.source.community(slug) if is_slug(slug) else None

    async def _page(self, request: web.Request) -> web.StreamResponse:
        community = await self._community(request)
        if community is None:
            return _not_found()
        response = _answer(request, await self.page(community))
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response

    async def _atom(self, request: web.Request) -> web.StreamResponse:
        community = await self._community(request)
        if community is None:
            return _not_found()
        return _answer(request, await self.atom(community))

    async def _cap(self, request: web.Request) -> web.StreamResponse:
        community = await self._community(request)
        rendered = None if community is None else await self.cap(community, int(request.match_info["id"]))
        if rendered is None:
            return _not_found()
        return _answer(request, rendered)


def _not_found() -> web.Response:
    return web.Response(status=404, body=NOT_FOUND, content_type="text/plain", headers={"Cache-Control": "no-store"})


def _answer(request: web.Request, rendered: Rendered) -> web.Response:
    headers = {"ETag": rendered.etag, "Cache-Control": "public, max-age=30"}
    if rendered.last_modified is not None:
        headers["Last-Modified"] = format_datetime(
            rendered.last_modified.astimezone(UTC).replace(microsecond=0), usegmt=True
        )
    if _unchanged(request, rendered):
        return web.Response(status=304, headers=headers)
    response = web.Response(body=rendered.body, headers=headers)
    response.content_type, _, charset = rendered.content_type.partition("; charset=")
    response.charset = charset or None
    return response


def _unchanged(request: web.Request, rendered: Rendered) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since, to the second."""
    wanted = request.headers.get("If-None-Match")
    if wanted is not None:
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return "*" in tags or rendered.etag in tags
    since = request.if_modified_since
    if since is None or rendered.last_modified is None:
        return False
    return rendered.last_modified.replace(microsecond=0) <= since
