"""The feed's HTTP port under connections that hold it (issue 23, section 2): caps in all and per client,
deadlines for headers and idle connections, rate-limited logs, the open-files limit raised, and the feed's
process started again when it dies and stopped with the bot."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage
from bot.feed.guard import ConnectionGuard, Limits, RepeatedLines, client_of
from bot.feed.process import CHILD_NICENESS, FeedChild, listening_socket
from bot.feed.server import FeedServer
from storage.sqlite.database import DATABASE_NAME, connect
from storage.sqlite.feed import unservable
from storage.sqlite.migrations import bundled, migrate
from tests.bot.test_cli import ROOT, free_port
from tests.feed.conftest import Served
from tests.feed.world import NOW

LIMITS = Limits(max_connections=6, max_per_client=4, header_timeout=0.5, idle_timeout=0.8)


@pytest.fixture
async def guarded(served: Served) -> AsyncIterator[tuple[FeedServer, int]]:
    port = free_port()
    server = FeedServer(served.server.source, "http://127.0.0.1", now=lambda: NOW, rate=1000.0, burst=1000)
    await server.start("127.0.0.1", port, limits=LIMITS)
    try:
        yield server, port
    finally:
        await server.stop()


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def _connect(port: int, source: str = "127.0.0.1") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the server closed (or reset) the connection within `seconds`, reading whatever it sent."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


async def _get(port: int, path: str, source: str = "127.0.0.1", timeout: float = 5) -> bytes:  # noqa: ASYNC109
    reader, writer = await _connect(port, source)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: feed\r\nConnection: close\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), timeout)
    writer.close()
    return answer.split(b"\r\n", 1)[0]


async def test_connections_are_capped_per_client_and_in_all(served: Served, guarded: tuple[FeedServer, int]) -> None:
    server, port = guarded
    held = [await _connect(port) for _ in range(LIMITS.max_per_client)]
    await asyncio.sleep(0.1)
    assert server.guard is not None
    assert server.guard.open == LIMITS.max_per_client
    over, over_writer = await _connect(port)
    assert await _closed_within(over, 0.3)  # the same address: closed at once
    assert server.guard.refused == 1
    # Another address is served while the first holds its share.
    assert await _get(port, f"/{served.slug}/", source="127.0.0.2") == b"HTTP/1.1 200 OK"
    more = [await _connect(port, "127.0.0.3") for _ in range(2)]
    await asyncio.sleep(0.1)
    assert server.guard.open == LIMITS.max_connections
    last, last_writer = await _connect(port, "127.0.0.4")
    assert await _closed_within(last, 0.3)  # over the cap in all
    for writer in [over_writer, last_writer, *(w for _, w in held + more)]:
        writer.close()


async def test_slow_headers_and_idle_connections_are_cut_off(served: Served, guarded: tuple[FeedServer, int]) -> None:
    server, port = guarded
    idle, idle_writer = await _connect(port)
    slow, slow_writer = await _connect(port)
    slow_writer.write(b"GET / HTTP/1.1\r\n")

    async def trickle() -> None:
        for _ in range(20):  # a header byte every 0.1 s: never a whole request within the deadline
            await asyncio.sleep(0.1)
            slow_writer.write(b"X")

    trickling = asyncio.create_task(trickle())
    assert await _closed_within(idle, 2.0)
    assert await _closed_within(slow, 2.0)
    trickling.cancel()
    idle_writer.close()
    slow_writer.close()
    # A keep-alive connection is served, then cut off once idle for longer than allowed.
    reader, writer = await _connect(port)
    writer.write(f"GET /{served.slug}/alerts.atom HTTP/1.1\r\nHost: feed\r\n\r\n".encode())
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    assert not await _closed_within(reader, LIMITS.idle_timeout / 2)
    assert await _closed_within(reader, 2.0)
    assert server.guard is not None
    assert server.guard.timed_out == 3
    await asyncio.sleep(0.1)
    assert server.guard.open == 0
    writer.close()


class _Transport(asyncio.Transport):
    """A connection from `peer`, as the guard sees one being accepted."""

    def __init__(self, peer: str) -> None:
        super().__init__()
        self.peer = peer
        self.aborted = False

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.peer, 40000, 0, 0) if name == "peername" else default

    def abort(self) -> None:
        self.aborted = True


async def test_an_ipv6_client_counts_as_its_whole_64() -> None:
    """Found in review: the caps and the rate limit counted each address, and a host picks its IPv6
    addresses from a whole /64: one client alone could hold every connection the feed allows."""
    guard = ConnectionGuard(LIMITS)
    accept = guard.protocol(asyncio.Protocol)
    same_host = [_Transport(f"2001:db8:5:7::{n:x}") for n in range(1, LIMITS.max_connections + 1)]
    for transport in same_host:
        accept().connection_made(transport)
    assert [t.aborted for t in same_host].count(False) == LIMITS.max_per_client
    other = _Transport("2001:db8:5:8::1")
    accept().connection_made(other)
    assert not other.aborted  # another /64 is another client
    assert (client_of("2001:db8:5:7::1"), client_of("2001:db8:5:7:ffff::9")) == ("2001:db8:5:7::/64",) * 2
    assert (client_of("192.0.2.7"), client_of("::ffff:192.0.2.7")) == ("192.0.2.7", "192.0.2.7")


def test_repeated_log_lines_are_rate_limited() -> None:
    moment = [0.0]
    lines = RepeatedLines(every=10.0, burst=2, clock=lambda: moment[0])

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, "", 0, msg, (), None)

    assert [lines.filter(record("accept failed")) for _ in range(5)] == [True, True, False, False, False]
    assert lines.filter(record("another kind"))
    moment[0] = 10.0
    again = record("accept failed")
    assert lines.filter(again)
    assert again.getMessage() == "accept failed (3 more like it left out)"


def test_the_soft_open_files_limit_is_raised_to_the_hard_one() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard <= 512:
        pytest.skip(f"the hard limit ({hard}) leaves nothing to raise")

    def lowered() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))

    soft = "resource.getrlimit(resource.RLIMIT_NOFILE)[0]"
    code = f"import resource; from bot.feed.guard import raise_open_files_limit as r; print({soft}, r(), {soft})"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         preexec_fn=lowered, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert out.stdout.split() == ["512", str(hard), str(hard)]


async def test_the_feeds_process_is_started_again_when_it_dies_and_stopped_with_the_bot() -> None:
    child = FeedChild(argv=[sys.executable, "-c", "import time; time.sleep(60)"], first_delay=0.1)
    child.start()
    try:
        for _ in range(100):
            if child.process is not None:
                break
            await asyncio.sleep(0.05)
        assert child.process is not None
        first = child.process
        first.send_signal(signal.SIGKILL)
        for _ in range(100):
            if child.starts == 2 and child.process is not first:
                break
            await asyncio.sleep(0.05)
        assert child.starts == 2
    finally:
        await child.stop(grace=2.0)
    assert child.process is not None
    assert child.process.returncode == -signal.SIGTERM
    await asyncio.sleep(0.3)
    assert child.starts == 2  # nothing started after stop


@pytest.mark.slow
async def test_the_feeds_process_stops_when_the_bot_is_gone(served: Served, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env.update({"PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}",
                "VERAZ_FEED_CHILD": "1"})  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "feed", "serve", cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                if await _get(port, f"/{served.slug}/") == b"HTTP/1.1 200 OK":
                    break
            except OSError:
                await asyncio.sleep(0.05)
        assert _niceness(process.pid) == os.nice(0) + CHILD_NICENESS  # the bot gets the CPU first
        assert process.stdin is not None
        process.stdin.close()  # what the bot's end of the pipe does when the bot dies
        await asyncio.wait_for(process.wait(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    err = (await process.stderr.read()).decode()
    assert process.returncode == 0, err
    assert "the bot is gone" in err


async def test_serving_alone_says_what_is_wrong_with_the_database(tmp_path: Path) -> None:
    assert "there is no database" in (unservable(tmp_path) or "")
    db = await connect(tmp_path / DATABASE_NAME)
    await migrate(db, bundled()[:3])
    await db.close()
    assert "schema version 3, older than" in (unservable(tmp_path) or "")
    database = await storage.open_database(tmp_path)  # migrates it, as `veraz run` does
    await database.close()
    assert unservable(tmp_path) is None


@pytest.mark.slow
async def test_the_feed_serves_again_on_the_same_socket_after_its_process_is_killed(
    served: Served, tmp_path: Path
) -> None:
    """`veraz run` binds the address and the feed's process inherits it: a reader who connects while the
    process is being started again waits in the backlog and is answered."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env.update({"PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}"})
    child = FeedChild(listening_socket("127.0.0.1", port), env=env, first_delay=0.1)
    child.start()
    try:
        assert await _get(port, f"/{served.slug}/", timeout=30) == b"HTTP/1.1 200 OK"
        killed = child.process
        assert killed is not None
        killed.send_signal(signal.SIGKILL)
        await killed.wait()
        assert await _get(port, f"/{served.slug}/", timeout=30) == b"HTTP/1.1 200 OK"
        assert child.starts == 2
    finally:
        await child.stop()


def test_the_feeds_process_never_holds_the_bots_token() -> None:
    """The feed faces the internet and never talks to Discord (found in review of issue 23)."""
    child = FeedChild(
        argv=[sys.executable, "-c", "import os; print(os.environ.get('DISCORD_TOKEN', 'absent'), flush=True)"],
        env={**os.environ, "DISCORD_TOKEN": "Bot.secret.token"},
    )
    assert "DISCORD_TOKEN" not in child.env
    done = subprocess.run(child.argv, env=child.env, capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout.split() == ["absent"]
