"""Nothing done to the feed's HTTP port can stop intake or delivery (issue 23, section 2).

Found in review: with the feed in the bot's process and systemd's default of 1,024 open files, 1,100 idle
connections from one client made the bot fail with EMFILE: nothing could be confirmed, no alert went out.
Here `veraz run` starts under that same soft limit, with its feed on; 2,000 idle connections (from 40
loopback addresses) and a client that sends its headers a byte at a time hold the feed's port while a
member reports, a moderator confirms, and a subscriber gets the alert, as fast as without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import sys
from pathlib import Path

import pytest

from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator
from discord_emulator.permissions import MANAGE_GUILD, MANAGE_MESSAGES
from tests.bot.test_cli import ROOT, free_port, outcome
from tests.bot.test_feed_cli import listening
from tests.scenario_steps import PLACES_CSV

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
IDLE = 2000
SOURCES = 40  # loopback addresses the idle connections come from: 50 each
SYSTEMD_SOFT_LIMIT = 1024


def _soft_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-files limit in /proc")


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


async def _veraz_run(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`veraz run` as systemd starts it by default: a soft limit of 1,024 open files."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def systemd_default() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (SYSTEMD_SOFT_LIMIT, hard))

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, preexec_fn=systemd_default,
    )  # fmt: skip


async def _hold(port: int, count: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    held = []
    deadline = asyncio.get_running_loop().time() + 20
    for i in range(count):
        source = f"127.0.1.{1 + i % SOURCES}"
        with contextlib.suppress(OSError):  # refused over the feed's cap (the point), or a connect timed out
            held.append(await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 1))
        # A listener that stopped accepting (out of files) makes each connect wait: holding more would
        # change nothing, and the test stays bounded in time.
        if asyncio.get_running_loop().time() > deadline:
            break
    return held


async def _slow_headers(port: int, sent: list[int]) -> None:
    """A header byte a second, for ever: never a whole request."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.2.1", 0))
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: feed\r\n")
        while not reader.at_eof():
            await asyncio.sleep(1.0)
            writer.write(b"X")
            await writer.drain()
            sent[0] += 1
    except ConnectionError:
        pass
    finally:
        writer.close()


async def test_idle_connections_and_slow_headers_to_the_feed_do_not_stop_the_bot(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if min(soft, hard) < IDLE + 500:
        if hard != resource.RLIM_INFINITY and hard < IDLE + 500:
            pytest.skip(f"this test opens {IDLE} connections; the hard open-files limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = free_port()
    async with DiscordEmulator("isolation-token") as emu:
        guild = emu.create_guild("Test network")
        mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
        queue = guild.create_text_channel("queue")
        alerts = guild.create_text_channel("alerts")
        admin = guild.add_member("admin", permissions=MANAGE_GUILD)
        marta = guild.add_member("marta", roles=[mods])
        luis = guild.add_member("luis")
        sam = guild.add_member("sam")
        env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}",
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        process = await _veraz_run(env)
        loop = asyncio.get_running_loop()

        async def report_to_alert(number: int, place: str) -> float:
            """Seconds from a member's report to the subscriber's DM of the confirmed alert."""
            started = loop.time()
            await luis.slash("report", where=place, what="two agents at the door")
            await marta.slash("incident statement", id=number, source="CPS", stance="confirms")
            await marta.slash("incident confirm", id=number)
            await sam.wait_for_dm(lambda m: f"#{number} " in m.content and "Veraz ref" in m.content, timeout=30)
            return loop.time() - started

        held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        slow: asyncio.Task[None] | None = None
        try:
            await emu.wait_until_connected(timeout=30)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=30, what="commands synced")
            await admin.slash("setup", moderator_role=mods, queue_channel=queue, alerts_channel=alerts,
                              timezone="America/Chicago")  # fmt: skip
            await admin.slash("places import", file=("p.csv", PLACES_CSV.encode()))
            await admin.slash("settings", feed="on")
            await sam.slash("subscribe")
            await listening(port)
            alone = await report_to_alert(1, "Hamline Elementary")

            held = await _hold(port, IDLE)
            sent = [0]
            slow = asyncio.create_task(_slow_headers(port, sent))
            attacked = await report_to_alert(2, "Whittier Elementary")
            # The idle connections, and the slow one, are cut off by the header deadline (10 s), and the
            # feed serves again.
            await asyncio.wait_for(asyncio.gather(*(r.read() for r, _ in held), return_exceptions=True), 30)
            await asyncio.wait_for(slow, 30)
            assert sent[0] < 30
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.3.1", 0))
            writer.write(b"GET /nothing/ HTTP/1.1\r\nHost: feed\r\nConnection: close\r\n\r\n")
            assert (await asyncio.wait_for(reader.readline(), 10)).startswith(b"HTTP/1.1 404")
            writer.close()
            bot_limit = _soft_limit(process.pid)
            [feed_pid] = _children(process.pid)
            feed_limit = _soft_limit(feed_pid)
        finally:
            for _, writer in held:
                writer.close()
            if slow is not None:
                slow.cancel()
            process.send_signal(signal.SIGTERM)
        code, _, err = await outcome(process)
    assert code == 0, err[-2000:]
    print(f"report to alert: {alone:.2f} s alone, {attacked:.2f} s under the attack")
    assert attacked < max(2 * alone, alone + 3.0), (alone, attacked)
    assert "Too many open files" not in err
    assert len(err) < 200_000  # the log stays small: refusals are rate-limited
    assert bot_limit == feed_limit == hard
    assert not _alive(feed_pid)  # stopped with the bot
