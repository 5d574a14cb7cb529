"""The public feed in a process of its own (issue 23): nothing done to its HTTP port can stop the bot.

In the bot's process, 1,100 idle connections to the feed once used up the open files: nothing could be
confirmed and no alert went out. Now the feed is served by `serve`, in a process that holds only its
listening socket, its connections and a read-only connection to the database, and the bot's intake and
delivery share nothing with it but the database file.

- `veraz run` with VERAZ_FEED_ADDRESS binds the address itself (so a port taken is said at once, in one
  line) and hands the listening socket to a child (`FeedChild`) that serves on it: it starts the child
  again if it dies (connections wait in the socket's backlog meanwhile) and stops it on shutdown. The
  child also stops by itself when the bot is gone (its stdin, a pipe from the bot, reaches its end), so
  a bot killed outright leaves no feed behind.
- `veraz feed serve` runs it alone, for example on another host that reads a copy of the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import storage
from bot.core.settings import Settings
from bot.feed.guard import Limits, RepeatedLines, raise_open_files_limit
from bot.feed.links import base_url
from bot.feed.server import FeedServer
from storage.sqlite.feed import unservable

log = logging.getLogger(__name__)

CHILD = "VERAZ_FEED_CHILD"  # set by `veraz run` for its child: stop when the bot's pipe closes
SOCKET = "VERAZ_FEED_SOCKET"  # the listening socket's file descriptor, inherited from `veraz run`
BACKLOG = 128
# As `veraz run`'s child, the feed yields the CPU to the bot: readers wait a little longer under load, so
# that intake and delivery never do (where no system call filter forbids it: `_yield_cpu`).
CHILD_NICENESS = 10


def command() -> list[str]:
    """How `veraz run` starts the feed's process: this Python, this Veraz."""
    return [sys.executable, "-m", "bot", "feed", "serve"]


def listening_socket(host: str, port: int) -> socket.socket:
    """The feed's address, bound and listening, for a child to inherit. OSError if it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=BACKLOG)
    sock.set_inheritable(True)
    return sock


async def serve(settings: Settings, limits: Limits | None = None) -> int:
    """Serve the public feeds until SIGTERM or SIGINT (or, as `veraz run`'s child, until the bot is gone)."""
    listen = settings.feed_listen
    if listen is None:
        print("veraz feed serve: VERAZ_FEED_ADDRESS is not set: say where to listen (host:port)", file=sys.stderr)
        return 2
    problem = None if settings.database_url else unservable(settings.data_dir)
    if problem is not None:
        print(f"veraz feed serve: {problem}", file=sys.stderr)
        return 1
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatedLines())
    if os.environ.get(CHILD):
        _yield_cpu()
    limits = (limits or Limits()).within(raise_open_files_limit())
    source = await storage.open_feed_source(settings.data_dir, settings.database_url)
    burst = max(30, int(settings.feed_rate * 2))
    server = FeedServer(source, base_url(settings.feed_url, settings.feed_address), rate=settings.feed_rate,
                        burst=burst)  # fmt: skip
    inherited = os.environ.get(SOCKET)
    try:
        if inherited is not None:
            await server.start(*listen, limits=limits, sock=socket.socket(fileno=int(inherited)))
        else:
            await server.start(*listen, limits=limits)
    except OSError as exc:
        await source.close()
        print(f"veraz feed serve: cannot listen on {listen[0]}:{listen[1]}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    watching = asyncio.create_task(_parent_gone(stop)) if os.environ.get(CHILD) else None
    try:
        await stop.wait()
    finally:
        if watching is not None:
            watching.cancel()
        await server.stop()
        await source.close()
    return 0


def _yield_cpu() -> None:
    """Lower this process's CPU priority below the bot's, unless a system call filter is in force: README's
    systemd unit (SystemCallFilter=~@resources) kills a process that calls setpriority(2), so under it,
    or any filter that may do the same, the feed runs at the bot's priority rather than not at all."""
    if _filtered():
        log.info("a system call filter is in force: the public feed keeps the bot's CPU priority")
        return
    os.nice(CHILD_NICENESS)


def _filtered() -> bool:
    """Whether seccomp filters this process's system calls (Linux says so in /proc/self/status)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False  # not Linux: no seccomp
    return any(line.split(":", 1)[1].strip() not in ("", "0") for line in status.splitlines()
               if line.startswith("Seccomp:"))  # fmt: skip


async def _parent_gone(stop: asyncio.Event) -> None:
    """Sets `stop` when stdin, a pipe the bot holds open, reaches its end: the bot is gone."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        pass
    log.warning("the bot is gone: the public feed stops")
    stop.set()


class FeedChild:
    """The feed's process as `veraz run` keeps it: started, started again if it dies (after a pause that
    grows while it keeps dying), and stopped on shutdown."""

    def __init__(
        self,
        sock: socket.socket | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        steady: float = 60.0,
    ) -> None:
        self.sock = sock  # the listening socket it serves on, bound here: closed by stop()
        self.argv = list(argv or command())
        # The feed faces the internet and never talks to Discord: it does not get the bot's token.
        self.env = {k: v for k, v in (os.environ if env is None else env).items() if k != "DISCORD_TOKEN"}
        self.env[CHILD] = "1"
        if sock is not None:
            self.env[SOCKET] = str(sock.fileno())
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.steady = steady  # a run this long counts as healthy: the next pause starts small again
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="feed-process")

    async def _watch(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                # Its own session: a Ctrl-C meant for the bot does not kill it before the bot stops it.
                self.process = await asyncio.create_subprocess_exec(
                    *self.argv, env=self.env, stdin=asyncio.subprocess.PIPE, start_new_session=True,
                    pass_fds=() if self.sock is None else (self.sock.fileno(),),
                )  # fmt: skip
            except OSError as exc:
                log.error("cannot start the public feed's process: %s", exc)
            else:
                self.starts += 1
                log.info("public feed process %d started", self.process.pid)
                if self._stopping.is_set():
                    return  # stop() saw no process yet: it terminates this one
                code = await self.process.wait()
                if self._stopping.is_set():
                    return
                ran = time.monotonic() - started
                delay = self.first_delay if ran >= self.steady else delay
                log.warning("the public feed's process exited (code %s) after %.0f s: started again in %.0f s",
                            code, ran, delay)  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * 2, self.max_delay)

    async def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()  # the watcher starts nothing more, and returns once its process has ended
        await _end(self.process, grace)
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._task, grace)
        await _end(self.process, grace)  # one the watcher was starting as stop() began
        if self.sock is not None:
            self.sock.close()


async def _end(process: asyncio.subprocess.Process | None, grace: float) -> None:
    if process is None:
        return
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            process.kill()
            await process.wait()
    if process.stdin is not None:
        process.stdin.close()
