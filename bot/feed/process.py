"""The public feed in a process of its own (issue 23): nothing done to its HTTP port can stop the bot.

In the bot's process, 1,100 idle connections to the feed once used up the open files: nothing could be
confirmed and no alert went out. Now the feed is served by `serve`, in a process that holds only its
listening socket, its connections and a read-only connection to the database, and the bot's intake and
delivery share nothing with it but the database file.

- `veraz run` with VERAZ_FEED_ADDRESS starts it as a child (`FeedChild`), starts it again if it dies, and
  stops it on shutdown. The child also stops by itself when the bot is gone (its stdin, a pipe from the
  bot, reaches its end), so a bot killed outright leaves no feed holding the port.
- `veraz feed serve` runs it alone, for example on another host that reads a copy of the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence

from storage.sqlite.feed import SqliteFeedSource, unservable

from ..settings import Settings
from .guard import Limits, RepeatedLines, raise_open_files_limit
from .links import base_url
from .server import FeedServer

log = logging.getLogger(__name__)

CHILD = "VERAZ_FEED_CHILD"  # set by `veraz run` for its child: stop when the bot's pipe closes
# As `veraz run`'s child, the feed yields the CPU to the bot: readers wait a little longer under load, so
# that intake and delivery never do.
CHILD_NICENESS = 10


def command() -> list[str]:
    """How `veraz run` starts the feed's process: this Python, this Veraz."""
    return [sys.executable, "-m", "bot", "feed", "serve"]


async def serve(settings: Settings, limits: Limits | None = None) -> int:
    """Serve the public feeds until SIGTERM or SIGINT (or, as `veraz run`'s child, until the bot is gone)."""
    listen = settings.feed_listen
    if listen is None:
        print("veraz feed serve: VERAZ_FEED_ADDRESS is not set: say where to listen (host:port)", file=sys.stderr)
        return 2
    problem = unservable(settings.data_dir)
    if problem is not None:
        print(f"veraz feed serve: {problem}", file=sys.stderr)
        return 1
    for handler in logging.getLogger().handlers:
        handler.addFilter(RepeatedLines())
    if os.environ.get(CHILD):
        os.nice(CHILD_NICENESS)
    limits = (limits or Limits()).within(raise_open_files_limit())
    source = await SqliteFeedSource.open(settings.data_dir)
    burst = max(30, int(settings.feed_rate * 2))
    server = FeedServer(source, base_url(settings.feed_url, settings.feed_address), rate=settings.feed_rate,
                        burst=burst)  # fmt: skip
    try:
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
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        steady: float = 60.0,
    ) -> None:
        self.argv = list(argv or command())
        self.env = {**(os.environ if env is None else env), CHILD: "1"}
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
                    *self.argv, env=self.env, stdin=asyncio.subprocess.PIPE, start_new_session=True
                )
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
