"""Matching /api/v10 requests to routes, with Discord's auth, rate limits, error bodies and a request log."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import MultiMapping

from .. import errors
from ..messages import Upload
from ..ratelimits import BucketState
from ..state import RequestRecord
from ..world import FaultMode, World

Json = dict[str, Any]
_log = logging.getLogger("discord_emulator")

API_PREFIX = "/api/v10"
MAJOR_PARAMETERS = (
    ("channel_id",),
    ("guild_id",),
    ("webhook_id", "webhook_token"),
    ("interaction_id", "interaction_token"),
)


@dataclass
class Call:
    """One matched request: path parameters, the JSON body (or multipart payload_json) and any files."""

    request: web.Request
    params: dict[str, str]
    body: Any
    uploads: list[Upload]
    query: MultiMapping[str]

    def snowflake(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise errors.invalid_form_body([([name], "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')])
        return int(value)

    def json_object(self) -> Json:
        if not isinstance(self.body, dict):
            raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.")
        return self.body


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool
    global_limit: bool
    bucket_key: str
    pattern: re.Pattern[str]

    @property
    def literal_segments(self) -> int:
        return sum(1 for part in self.template.split("/") if part and not part.startswith("{"))


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _loads(raw: bytes | bytearray) -> Any:
    """Parsed JSON, or the raw text when it is not JSON (handlers then answer 50109)."""
    try:
        return json.loads(raw)
    except ValueError:
        return bytes(raw).decode(errors="replace")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly `application/json` (web.json_response adds a charset, which discord.py does not accept)."""
    if body is None and status == 204:
        return web.Response(status=204, headers=headers)
    return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json", headers=headers)


class Router:
    def __init__(self, services: World) -> None:
        self.services = services
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        auth: bool = True,
        global_limit: bool = True,
        bucket: str | None = None,
    ) -> None:
        route = Route(
            method=method,
            template=template,
            handler=handler,
            auth=auth,
            global_limit=global_limit,
            bucket_key=f"{method} {bucket or template}",
            pattern=_compile(template),
        )
        self.routes.append(route)
        # Literal segments win over parameters, so /users/@me is not read as /users/{user_id}.
        self.routes.sort(key=lambda r: -r.literal_segments)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The route and its parameters; the flag says whether the path exists for some other method."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict(), True
            path_known = True
        return None, {}, path_known

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info.get("tail", "")
        started = time.time()
        route, params, path_known = self.match(request.method, path)
        body, uploads = await self._read_body(request)
        status, response_body, response = await self._answer(request, route, params, path_known, body, uploads)
        self._record(request, path, route, status, body, uploads, response_body, started)
        return response

    async def _answer(
        self,
        request: web.Request,
        route: Route | None,
        params: dict[str, str],
        path_known: bool,
        body: Any,
        uploads: list[Upload],
    ) -> tuple[int, Any, web.StreamResponse]:
        limiter = self.services.limiter
        banned = limiter.banned_for()
        if banned is not None:
            # Cloudflare's ban page: no Via header and no JSON, which discord.py reports as a ban.
            ban_headers = {"Retry-After": str(math.ceil(banned))}
            return 429, "error code: 1015", web.Response(status=429, text="error code: 1015", headers=ban_headers)
        if route is None:
            error = errors.method_not_allowed() if path_known else errors.route_not_found()
            _log.warning("emulator: no emulated route for %s %s -> %s", request.method, request.path, error.status)
            return error.status, error.body(), json_response(error.status, error.body())
        outage = self.services.fault_for(request.method, request.path)
        if outage is not None and outage.mode is FaultMode.DROP:
            if request.transport is not None:
                request.transport.close()
            raise ConnectionResetError("emulated outage: the connection was dropped")
        if outage is not None and outage.mode is FaultMode.REFUSE:
            body_outage = {"message": "emulated outage", "code": 0}
            return outage.status, body_outage, json_response(outage.status, body_outage)
        if route.auth and request.headers.get("Authorization") != f"Bot {self.services.world.token}":
            limiter.record_invalid()
            error = errors.unauthorized()
            return error.status, error.body(), json_response(error.status, error.body())
        if route.global_limit:
            retry = limiter.global_retry_after()
            if retry is not None:
                return self._limited(retry, is_global=True, bucket=None)
        state = limiter.take(route.bucket_key, self._major(params))
        if state is not None and not state.allowed:
            return self._limited(state.reset_after, is_global=False, bucket=state)
        if route.global_limit:
            limiter.count_global()
        headers = state.headers() if state is not None else {}
        call = Call(request=request, params=params, body=body, uploads=uploads, query=request.query)
        try:
            reply = await route.handler(call)
        except errors.DiscordError as error:
            if error.status in (401, 403):
                limiter.record_invalid()
            return error.status, error.body(), json_response(error.status, error.body(), headers)
        except Exception as exc:
            # An emulator bug: answer with a status discord.py does not retry, and keep it for the tests.
            _log.exception("emulator: %s %s crashed", request.method, request.path)
            self.services.errors.append(f"{request.method} {request.path}: {exc!r}")
            body_500 = {"message": f"emulator error: {exc!r}", "code": 0}
            return 503, body_500, json_response(503, body_500, headers)
        if outage is not None and outage.mode is FaultMode.HOLD:
            await asyncio.Event().wait()  # until the client goes away and aiohttp cancels the handler
        if outage is not None:  # FaultMode.AFTER: done, but the answer is lost
            body_outage = {"message": "emulated outage after the request was carried out", "code": 0}
            return outage.status, body_outage, json_response(outage.status, body_outage)
        return reply.status, reply.body, json_response(reply.status, reply.body, {**headers, **reply.headers})

    def _limited(self, retry: float, *, is_global: bool, bucket: BucketState | None) -> tuple[int, Any, web.Response]:
        self.services.limiter.record_invalid()
        self.services.world.rate_limited_count += 1
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry, 3),
            "global": is_global,
            "code": 0,
        }
        headers = {
            "Retry-After": str(math.ceil(retry)),
            "X-RateLimit-Scope": "global" if is_global else "user",
            # discord.py takes a 429 without Via for a Cloudflare ban and stops retrying.
            "Via": "1.1 google",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        if bucket is not None:
            headers.update(bucket.headers())
        return 429, body, json_response(429, body, headers)

    @staticmethod
    def _major(params: dict[str, str]) -> str:
        for names in MAJOR_PARAMETERS:
            if all(name in params for name in names):
                return "+".join(params[name] for name in names)
        return ""

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            uploads: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                data = await part.read()
                if name == "payload_json":
                    body = _loads(data)
                elif found := re.fullmatch(r"files\[(\d+)\]", name):
                    filename = part.filename or f"file{found[1]}"
                    declared = part.headers.get("Content-Type", "application/octet-stream")
                    guessed = mimetypes.guess_type(filename)[0]
                    content_type = guessed if declared == "application/octet-stream" and guessed else declared
                    uploads.append(Upload(int(found[1]), filename, bytes(data), content_type))
            return body, uploads
        raw = await request.read()
        if not raw:
            return None, []
        return _loads(raw), []

    def _record(
        self,
        request: web.Request,
        path: str,
        route: Route | None,
        status: int,
        body: Any,
        uploads: list[Upload],
        response: Any,
        started: float,
    ) -> None:
        if uploads:
            body = {"payload_json": body, "files": [upload.filename for upload in uploads]}
        record = RequestRecord(
            method=request.method,
            path=API_PREFIX + path,
            route=route.template if route else None,
            status=status,
            body=body,
            response=response,
            query=dict(request.query),
            time=started,
        )
        self.services.world.requests.append(record)
        self.services.world.changed()
