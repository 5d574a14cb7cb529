"""One active process, any number of standbys, decided by PostgreSQL.

- **The lock.** The active process holds a session advisory lock on a connection of its own (not the
  pool's), with TCP keepalives and a TCP user timeout asked of the server: when the process dies its
  connection closes and PostgreSQL frees the lock at once (kill -9, a crash); when its host or network
  goes silent the server drops the connection after about KEEPALIVE_DEADLINE seconds and frees it then.
- **The lease.** The active process renews `veraz_leadership.renewed_at` every RENEW_EVERY seconds, by
  the database's clock. A process that holds the lock but has not renewed for LEASE seconds (a frozen
  VM: its kernel still answers keepalives) is taken over: a standby ends that process's connections,
  which frees its lock and any transaction it left open.
- **The epoch.** Whoever takes the lock raises the epoch. Every claim and settlement of a delivery names
  its epoch (storage.postgres.delivery_queue): the database refuses any other, so a process that lost
  leadership without noticing can neither claim nor record a send.
- **Confirming.** Before each request to Discord, the active process asks the database whether its
  epoch is still the current one (`confirm`, one query shared by every request that is waiting): its
  own clock cannot tell it was frozen if the hypervisor hid the pause from the guest's clock.
- **Stepping down.** The active process that could not renew for STEP_DOWN seconds, or finds the epoch
  moved on, is no longer the leader and must stop sending at once. STEP_DOWN is shorter than both the
  lease and the server's keepalive deadline, so it stops before anyone else can start.

Every process also keeps its row in `veraz_processes` up to date, for `veraz status` and /healthz.
Those statements, once a second, also keep the process's clock set to the database's
(storage.postgres.clock): nothing costs an extra round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from .clock import DatabaseClock
from .migrations import LOCK_NAMESPACE
from .transactions import Connection

LEADER_LOCK = 2  # key2 of the advisory lock, with key1 = LOCK_NAMESPACE
RENEW_EVERY = 1.0
STEP_DOWN = 3.0  # the active process gives up after this long without a renewal
LEASE = 8.0  # a standby takes over from an active process silent for this long
KEEPALIVE = {"tcp_keepalives_idle": "4", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "3",
             "tcp_user_timeout": "6000"}  # fmt: skip
KEEPALIVE_DEADLINE = 7.0  # about idle + interval * count: when the server frees a silent holder's lock
CALL_TIMEOUT = 1.5

log = logging.getLogger(__name__)


class Role:
    ACTIVE = "active"
    STANDBY = "standby"
    STOPPED = "stopped"


def new_process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def application_name(process: str) -> str:
    """The name every connection of a process gives the server, so a successor can end them all."""
    return f"veraz:{process}"[:63]


@dataclass(frozen=True, slots=True)
class ProcessRow:
    id: str
    host: str
    pid: int
    role: str
    epoch: int | None
    gateway: bool
    started_at: datetime
    seen_at: datetime
    seconds_ago: float


class Leadership:
    """This process's side of the election: become active, stay active, notice losing it."""

    def __init__(self, url: str, process: str | None = None, clock: DatabaseClock | None = None) -> None:
        self.url = url
        self.process = process or new_process_id()
        self.clock = clock or DatabaseClock()  # the process's clock, set here to the database's
        self.epoch: int | None = None
        self.gateway = False  # kept up to date by the bot, shown by `veraz status`
        self.changes = 0  # times this process became active or stopped being so
        self._conn: asyncpg.Connection[asyncpg.Record] | None = None
        self._renewed = 0.0  # time.monotonic() of the last renewal that succeeded
        self._talking = asyncio.Lock()  # one statement at a time on the leadership connection
        self._checks = 0  # confirmations begun
        self._check: tuple[int, asyncio.Task[bool]] | None = None  # the latest, numbered

    @property
    def active(self) -> bool:
        return self.epoch is not None

    def current_epoch(self) -> int | None:
        """The epoch to fence with: None once leadership is lost or was never had."""
        if self.epoch is not None and time.monotonic() - self._renewed > STEP_DOWN:
            return None  # not renewed in time: maybe already replaced, so act as if it were
        return self.epoch

    async def open(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.terminate()
        settings = {**KEEPALIVE, "application_name": application_name(self.process), "timezone": "UTC"}
        self._conn = await asyncpg.connect(self.url, server_settings=settings, timeout=10)
        sent = self.clock.host()
        await self._conn.execute(
            "INSERT INTO veraz_processes (id, host, pid, role, started_at, seen_at) "
            "VALUES ($1, $2, $3, $4, now(), now()) ON CONFLICT (id) DO NOTHING",
            self.process,
            socket.gethostname(),
            os.getpid(),
            Role.STANDBY,
        )
        self.clock.observe(await self._conn.fetchval("SELECT now()"), sent, self.clock.host())

    async def close(self) -> None:
        """Give leadership up (if held) and say this process stopped."""
        if self._conn is None:
            return
        with contextlib.suppress(asyncpg.PostgresError, OSError, TimeoutError, asyncpg.InterfaceError):
            await self._conn.execute(
                "UPDATE veraz_processes SET role = $2, gateway = false, seen_at = now() WHERE id = $1",
                self.process,
                Role.STOPPED,
                timeout=CALL_TIMEOUT,
            )
        with contextlib.suppress(Exception):
            await self._conn.close(timeout=2)
        self._conn = None
        self.epoch = None

    def _connection(self) -> asyncpg.Connection[asyncpg.Record]:
        if self._conn is None or self._conn.is_closed():
            raise ConnectionError("the leadership connection is closed")
        return self._conn

    async def try_acquire(self) -> int | None:
        """One attempt to become active: the epoch if this process now is, else None (a standby's poll;
        it also takes over from an active process whose lease ran out)."""
        if self._conn is None or self._conn.is_closed():
            # A standby's connection went with a database restart or a network blip: it holds no lock,
            # so a new one loses nothing, and the standby must still be there when the database is back.
            await self.open()
        conn = self._connection()
        await self._seen(Role.STANDBY)
        got = await conn.fetchval(
            "SELECT pg_try_advisory_lock($1, $2)", LOCK_NAMESPACE, LEADER_LOCK, timeout=CALL_TIMEOUT
        )
        if not got:
            stale = await conn.fetchrow(
                "SELECT holder, extract(epoch FROM now() - renewed_at) AS silent FROM veraz_leadership WHERE id = 1",
                timeout=CALL_TIMEOUT,
            )
            if stale is None or stale["holder"] is None or stale["silent"] is None or stale["silent"] < LEASE:
                return None
            # The active process holds the lock but has said nothing for a whole lease: frozen. End its
            # connections (its lock, its open transactions); the next poll takes the lock.
            ended = await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                application_name(stale["holder"]),
                timeout=CALL_TIMEOUT,
            )
            log.warning("took over from a silent active process", extra={"holder": stale["holder"], "ended": ended})
            return None
        try:
            async with conn.transaction():
                epoch = await conn.fetchval(
                    "UPDATE veraz_leadership SET epoch = epoch + 1, holder = $1, since = now(), renewed_at = now() "
                    "WHERE id = 1 RETURNING epoch",
                    self.process,
                )
                await conn.execute(
                    "UPDATE veraz_processes SET role = $2, epoch = $3, seen_at = now() WHERE id = $1",
                    self.process,
                    Role.ACTIVE,
                    epoch,
                )
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_NAMESPACE, LEADER_LOCK)
            raise
        self.epoch = int(epoch)
        self._renewed = time.monotonic()
        self.changes += 1
        return self.epoch

    async def renew(self) -> bool:
        """The active process's heartbeat: False once it is no longer the leader (the epoch moved on, or
        it could not renew for STEP_DOWN seconds)."""
        if self.epoch is None:
            return False
        if time.monotonic() - self._renewed > STEP_DOWN:  # after a freeze, or renewals that kept failing
            return self._lost("no renewal for too long")
        if self._conn is None or self._conn.is_closed():  # the lock went with the connection
            return self._lost("the leadership connection closed")
        try:
            async with self._talking:
                renewed = await self._renew_statements()
        except (asyncpg.PostgresError, OSError, TimeoutError, asyncpg.InterfaceError, ConnectionError) as exc:
            log.warning("could not renew leadership", extra={"error": f"{type(exc).__name__}: {exc}"})
            if self._conn is None or self._conn.is_closed():
                return self._lost("the leadership connection closed")
            if time.monotonic() - self._renewed > STEP_DOWN:
                return self._lost("the database did not answer")
            return True
        if not renewed:
            return self._lost("another process took over")
        self._renewed = time.monotonic()
        return True

    async def _renew_statements(self) -> bool:
        """Whether the lease was renewed: False when another process raised the epoch."""
        conn = self._connection()
        sent = self.clock.host()
        renewed = await conn.fetchrow(
            "UPDATE veraz_leadership SET renewed_at = now() WHERE id = 1 AND epoch = $1 AND holder = $2 "
            "RETURNING now() AS at",
            self.epoch,
            self.process,
            timeout=CALL_TIMEOUT,
        )
        if renewed is None:
            return False
        self.clock.observe(renewed["at"], sent, self.clock.host())
        await conn.execute(
            "UPDATE veraz_processes SET role = $2, epoch = $3, gateway = $4, seen_at = now() WHERE id = $1",
            self.process,
            Role.ACTIVE,
            self.epoch,
            self.gateway,
            timeout=CALL_TIMEOUT,
        )
        return True

    async def confirm(self) -> bool:
        """Whether this process still leads, by the database, asked after this call began: False once the
        epoch moved on, the leadership connection is gone (its lock with it), or the database did not
        answer in time. Concurrent callers share one query, so a fan-out costs one at a time."""
        ticket = self._checks  # any check numbered above this one began after this call
        while True:
            if self.current_epoch() is None:
                return False
            current = self._check
            if current is None or (current[0] <= ticket and current[1].done()):
                self._checks += 1
                current = self._check = (self._checks, asyncio.create_task(self._read_epoch()))
            number, task = current
            confirmed = await asyncio.shield(task)
            if number > ticket:
                return confirmed and self.current_epoch() is not None

    async def _read_epoch(self) -> bool:
        epoch = self.epoch
        try:
            async with self._talking:
                row = await self._connection().fetchrow(
                    "SELECT epoch, holder FROM veraz_leadership WHERE id = 1", timeout=CALL_TIMEOUT
                )
        except (asyncpg.PostgresError, OSError, TimeoutError, asyncpg.InterfaceError, ConnectionError) as exc:
            log.warning("could not confirm leadership", extra={"error": f"{type(exc).__name__}: {exc}"})
            return False
        return row is not None and row["epoch"] == epoch and row["holder"] == self.process

    def _lost(self, why: str) -> bool:
        log.error("lost leadership", extra={"why": why, "epoch": self.epoch})
        self.epoch = None
        self.changes += 1
        return False

    async def _seen(self, role: str) -> None:
        sent = self.clock.host()
        at = await self._connection().fetchval(
            "UPDATE veraz_processes SET role = $2, epoch = NULL, gateway = false, seen_at = now() WHERE id = $1 "
            "RETURNING now()",
            self.process,
            role,
            timeout=CALL_TIMEOUT,
        )
        if at is not None:  # the row is there (a standby's poll): its answer says the database's time
            self.clock.observe(at, sent, self.clock.host())


async def processes(conn: Connection, within: float = 3600.0) -> list[ProcessRow]:
    """The processes seen in the last `within` seconds, newest first."""
    rows = await conn.fetch(
        "SELECT id, host, pid, role, epoch, gateway, started_at, seen_at, "
        "extract(epoch FROM now() - seen_at)::float8 AS ago FROM veraz_processes "
        "WHERE seen_at > now() - make_interval(secs => $1) ORDER BY started_at DESC",
        within,
    )
    return [ProcessRow(*r) for r in rows]
