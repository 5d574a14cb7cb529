"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, RESUME with replay, and event dispatch.

Sequence numbers belong to a session, as on Discord: a RESUME continues the numbering and replays what
the bot missed. Each connection writes through its own queue, so synchronous code can dispatch events in
order without awaiting the socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import Counter, deque
from typing import Any

from aiohttp import WSMsgType, web

from . import intents, payloads
from .registry import Registry

Json = dict[str, Any]
_log = logging.getLogger(__name__)

ACK_DELAY = 0.02  # seconds
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT, CHUNK, INVALID_SESSION, HELLO, ACK = (
    0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11,
)  # fmt: skip
CLOSE_UNKNOWN_ERROR, CLOSE_UNKNOWN_OPCODE, CLOSE_DECODE_ERROR, CLOSE_NOT_AUTHENTICATED = 4000, 4001, 4002, 4003
CLOSE_AUTHENTICATION_FAILED, CLOSE_ALREADY_AUTHENTICATED, CLOSE_SESSION_TIMED_OUT = 4004, 4005, 4009
CLOSE_INVALID_SHARD, CLOSE_SHARDING_REQUIRED, CLOSE_DISALLOWED_INTENTS = 4010, 4011, 4014


class Connection:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._closing = False
        self._writer = asyncio.create_task(self._write(), name="emulator-gateway-writer")

    def send(self, frame: Json) -> None:
        self._queue.put_nowait(json.dumps(frame, separators=(",", ":")))

    async def _write(self) -> None:
        while (text := await self._queue.get()) is not None:
            if self.ws.closed:
                return
            try:
                await self.ws.send_str(text)
            except ConnectionError:
                return

    async def close(self, code: int, reason: str = "") -> None:
        """Flush what was queued, then close with `code`; later calls only wait for the first."""
        if not self._closing:
            self._closing = True
            self._queue.put_nowait(None)
        await self._writer
        await self.ws.close(code=code, message=reason.encode())


class Session:
    def __init__(self, *, intents: int, shard: tuple[int, int] | None, backlog: int) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.backlog: deque[Json] = deque(maxlen=backlog)
        self.connection: Connection | None = None

    def handles_guild(self, guild_id: int | None) -> bool:
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return ((guild_id or 0) >> 22) % count == shard_id

    def send(self, event: str, data: Json) -> None:
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.backlog.append(frame)
        if self.connection is not None:
            self.connection.send(frame)


def _shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's `shard`: None when absent; ValueError when it is not [shard_id, num_shards] with
    0 <= shard_id < num_shards."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(type(v) is int for v in value):
        raise ValueError(value)
    shard_id, count = value
    if not 0 <= shard_id < count:
        raise ValueError(value)
    return shard_id, count


def _hidden_content(data: Json) -> Json:
    """What a bot without the message-content intent sees of someone else's guild message."""
    return {**data, "content": "", "embeds": [], "attachments": [], "components": []}


class Gateway:
    def __init__(self, world: Registry, *, enabled_privileged_intents: int = intents.PRIVILEGED) -> None:
        self.world = world
        self.enabled_privileged_intents = enabled_privileged_intents
        self.url = "ws://127.0.0.1:0/gateway"
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0
        # The most bot sessions ever connected at once for one shard (the whole bot, unsharded): a bot run
        # on several hosts must never have two.
        self.max_live_sessions = 0
        self.sent: Counter[str] = Counter()
        world.dispatcher = self

    @property
    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.connection is not None]

    def _count_live(self) -> None:
        per_shard = Counter(s.shard for s in self.live_sessions)
        self.max_live_sessions = max(self.max_live_sessions, *per_shard.values(), 0)

    # Outgoing events.

    def dispatch(
        self, event: str, data: Json, *, guild_id: int | None, intent: int | None, private_content: bool = False
    ) -> None:
        for session in list(self.sessions.values()):
            if not session.handles_guild(guild_id):
                continue
            if intent is not None and not session.intents & intent:
                continue
            hidden = private_content and not session.intents & intents.MESSAGE_CONTENT
            session.send(event, _hidden_content(data) if hidden else data)
            self.sent[event] += 1

    async def disconnect_bot(self, code: int = CLOSE_UNKNOWN_ERROR) -> None:
        """Drop every bot connection; sessions stay resumable, as after a network blip."""
        for connection in list(self.connections):
            await connection.close(code, "emulator disconnect")

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT to every live connection."""
        for connection in self.connections:
            connection.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        await self.disconnect_bot(1001)

    # The websocket handler.

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(ws)
        self.connections.add(connection)
        interval = self.world.limits.heartbeat_interval_ms
        connection.send({"op": HELLO, "d": {"heartbeat_interval": interval}, "s": None, "t": None})
        session: Session | None = None
        try:
            while not ws.closed:
                try:
                    message = await ws.receive(timeout=interval / 1000 * 2)
                except TimeoutError:
                    await connection.close(CLOSE_SESSION_TIMED_OUT, "no heartbeat")
                    break
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                if message.type is not WSMsgType.TEXT:
                    await connection.close(CLOSE_DECODE_ERROR, "binary frames are not supported")
                    break
                session = await self._receive(connection, session, message.data)
        finally:
            if session is not None and session.connection is connection:
                session.connection = None
            self.connections.discard(connection)
            await connection.close(1000)
            self.world.changed()
        return ws

    async def _receive(self, connection: Connection, session: Session | None, text: str) -> Session | None:
        try:
            frame = json.loads(text)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            await connection.close(CLOSE_DECODE_ERROR, "invalid payload")
            return session
        data = frame.get("d")
        if op == HEARTBEAT:
            # A loopback ACK can beat discord.py's keep-alive thread to recording when it sent the beat,
            # which then logs a bogus "Can't keep up ... 41s behind": answer after a network-like pause.
            ack = {"op": ACK, "d": None, "s": None, "t": None}
            asyncio.get_running_loop().call_later(ACK_DELAY, connection.send, ack)
        elif op == IDENTIFY:
            if session is not None:
                await connection.close(CLOSE_ALREADY_AUTHENTICATED, "already authenticated")
                return session
            return await self._identify(connection, data or {})
        elif op == RESUME:
            return await self._resume(connection, data or {})
        elif op in (PRESENCE, VOICE, CHUNK):
            if session is None:
                await connection.close(CLOSE_NOT_AUTHENTICATED, "not authenticated")
            elif op == CHUNK:
                self._chunk(session, data or {})
        else:
            await connection.close(CLOSE_UNKNOWN_OPCODE, f"unknown opcode {op}")
        return session

    def _token_ok(self, token: Any) -> bool:
        return isinstance(token, str) and token.removeprefix("Bot ") == self.world.token

    async def _identify(self, connection: Connection, data: Json) -> Session | None:
        if not self._token_ok(data.get("token")):
            await connection.close(CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return None
        wanted = int(data.get("intents") or 0)
        if wanted & intents.PRIVILEGED & ~self.enabled_privileged_intents:
            await connection.close(CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return None
        try:
            shard = _shard(data.get("shard"))
        except ValueError:
            await connection.close(CLOSE_INVALID_SHARD, "Invalid shard.")
            return None
        count = 1 if shard is None else shard[1]
        busiest = Counter((g.id >> 22) % count for g in self.world.bot_guilds()).most_common(1)
        if busiest and busiest[0][1] > self.world.limits.guilds_per_shard:
            await connection.close(CLOSE_SHARDING_REQUIRED, "Sharding required.")
            return None
        # A new process for the same shard replaces sessions nobody is connected to any more.
        for stale in [s for s in self.sessions.values() if s.connection is None and s.shard == shard]:
            del self.sessions[stale.id]
        session = Session(intents=wanted, shard=shard, backlog=self.world.limits.resume_backlog)
        session.connection = connection
        self.sessions[session.id] = session
        self.identify_count += 1
        self._count_live()
        guilds = [g for g in self.world.bot_guilds() if session.handles_guild(g.id)]
        ready: Json = {
            "v": 10,
            "user": payloads.current_user(self.world.bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(self.world.application.id), "flags": self.world.application.flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "user_settings": {},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        session.send("READY", ready)
        self.sent["READY"] += 1
        if wanted & intents.GUILDS:
            all_members = bool(wanted & intents.GUILD_MEMBERS)
            for guild in guilds:
                session.send("GUILD_CREATE", payloads.guild_create(guild, self.world, all_members=all_members))
                self.sent["GUILD_CREATE"] += 1
        self.world.changed()
        return session

    async def _resume(self, connection: Connection, data: Json) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        replay = [f for f in session.backlog if f["s"] > (seq or 0)] if session is not None else []
        missed_too_much = session is not None and replay and replay[0]["s"] != (seq or 0) + 1
        if session is None or not self._token_ok(data.get("token")) or missed_too_much:
            connection.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        if session.connection is not None and session.connection is not connection:
            await session.connection.close(CLOSE_UNKNOWN_ERROR, "session resumed elsewhere")
        session.connection = connection
        self._count_live()
        for frame in replay:
            connection.send(frame)
        session.send("RESUMED", {})
        self.resume_count += 1
        self.world.changed()
        return session

    def _chunk(self, session: Session, data: Json) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = list(guild.members.values())
        query = data.get("query")
        if query:
            members = [m for m in members if m.user.username.lower().startswith(str(query).lower())]
        user_ids = data.get("user_ids")
        if user_ids:
            wanted = {int(uid) for uid in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m.id in wanted]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: Json = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.send("GUILD_MEMBERS_CHUNK", chunk)
        self.sent["GUILD_MEMBERS_CHUNK"] += 1
