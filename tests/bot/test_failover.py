"""No single machine (issue 22): two `veraz run` processes share one PostgreSQL database and one token.
The active one is killed -9 in the middle of a 300-DM fan-out; the standby takes over within 15 seconds
and finishes it, every subscriber with exactly one copy, and answers commands; Discord never sees two
gateway sessions at once; the killed host, started again, waits as a standby."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import Channel, DiscordEmulator, GuildHandle, MemberActor, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, VIEW_CHANNEL
from storage.postgres.database import PostgresDatabase
from storage.postgres.key_check import check_pseudonym_key
from storage.pseudonyms import KEY_FILE, load_or_create_key
from tests.postgres import Cluster, drop_database, free_port, new_database
from tests.scenario_steps import PLACES_CSV
from verification import usecases
from verification.model import Language

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 300
TAKEOVER_LIMIT = 15.0


async def start_host(emu: DiscordEmulator, data: Path, url: str, log: Path, **extra: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env |= {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data),
            "VERAZ_DATABASE_URL": url, "DISCORD_API_BASE_URL": emu.api_base,
            "DISCORD_GATEWAY_URL": emu.gateway_url, **extra}  # fmt: skip
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=out, stderr=out
        )


async def roles(url: str) -> dict[int, str]:
    """pid -> role of every process the database has seen."""
    conn = await asyncpg.connect(url)
    try:
        return {r[0]: r[1] for r in await conn.fetch("SELECT pid, role FROM veraz_processes")}
    finally:
        await conn.close()


async def states(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {r[0]: r[1] for r in await conn.fetch("SELECT state, COUNT(*) FROM deliveries GROUP BY state")}
    finally:
        await conn.close()


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float = 30.0) -> None:
    """The database is other processes': nothing signals a change in it, so poll, with a deadline."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    """Stop every host still running as systemd would (a frozen one is thawed first), killing any that
    takes more than 20 s."""
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()


async def test_the_standby_takes_over_a_killed_active_process_mid_fan_out(tmp_path, postgres_cluster: Cluster):
    url = await new_database(postgres_cluster)
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    logs = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "a-again.log"
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with DiscordEmulator("failover-token") as emu:
            net = await _network(emu, host_a, url, RECIPIENTS)
            guild, marta, dev, reporter = net.guild, net.marta, net.dev, net.reporter
            subscribers, alerts = net.subscribers, net.alerts

            # Host A starts first and leads; host B gets a copy of A's pseudonym key, as docs/deploy.md says.
            a = await start_host(emu, host_a, url, logs[0])
            processes.append(a)
            await emu.wait_until_connected(timeout=30)
            host_b.mkdir(mode=0o700)
            shutil.copy2(host_a / KEY_FILE, host_b / KEY_FILE)
            health = f"127.0.0.1:{free_port()}"
            b = await start_host(emu, host_b, url, logs[1], VERAZ_HEALTH_ADDRESS=health)
            processes.append(b)
            await until(lambda: _role_is(url, b.pid, "standby"), "host B to stand by")
            status, said = await _healthz(health)
            assert (status, said["role"], said["gateway_connected"]) == (200, "standby", False)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=30, what="commands")

            await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
            await marta.slash("incident confirm", id=1)
            await dev.slash("incident confirm", id=1)
            await emu.wait_for(lambda: sum(1 for s in subscribers if s.dms) >= RECIPIENTS // 3 or None,
                               timeout=30, what="a third of the fan-out")  # fmt: skip
            a.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            await a.wait()
            delivered_before = sum(1 for s in subscribers if s.dms)
            assert delivered_before < RECIPIENTS, "the kill came too late to interrupt the fan-out"

            await emu.wait_until_connected(timeout=TAKEOVER_LIMIT, identify_count=2)
            takeover = time.monotonic() - killed
            assert takeover < TAKEOVER_LIMIT
            await emu.wait_for(lambda: all(s.dms for s in subscribers) or None, timeout=60, what="every alert")
            finished = time.monotonic() - killed
            await until(lambda: _settled(url), "the outbox to empty")

            status, said = await _healthz(health)
            assert (status, said["role"], said["gateway_connected"], said["queue_depth"]) == (200, "active", True, 0)
            # Commands are answered by the new active process.
            answered = await reporter.slash("report", where="Whittier Park", what="a white van, 3 agents")
            assert not answered.failed

            # Host A, started again, waits as a standby: no new gateway session.
            again = await start_host(emu, host_a, url, logs[2])
            processes.append(again)
            await until(lambda: _role_is(url, again.pid, "standby"), "host A to stand by again")
            await asyncio.sleep(2)
            assert emu.identify_count == 2
            assert (await roles(url))[b.pid] == "active"
            assert emu.services.gateway.max_live_sessions == 1  # never two sessions at once
            # A process is "silent" once it has said nothing for 10 s: on a fast run that may not be yet.
            for _ in range(20):
                listing = await _veraz_status(host_b, url)
                if f"pid {a.pid}: silent" in listing:
                    break
                await asyncio.sleep(1)
            assert f"pid {b.pid}: active (epoch 2, gateway connected)" in listing
            assert f"pid {again.pid}: standby" in listing
            assert f"pid {a.pid}: silent" in listing  # killed: it never said goodbye

            copies = [len([m for m in s.dms if "ref 1.1." in m.content]) for s in subscribers]
            assert copies.count(1) == RECIPIENTS, {"missing": copies.count(0), "duplicates": sum(c > 1 for c in copies)}
            assert len([m for m in alerts.messages if "ref 1.1." in m.content]) == 1
            print(f"\nfailover: takeover {takeover:.1f} s after kill -9, fan-out finished {finished:.1f} s after it "
                  f"({delivered_before} of {RECIPIENTS} delivered before the kill)")  # fmt: skip
    finally:
        await stop_all(processes)
        await drop_database(postgres_cluster, url)


async def _role_is(url: str, pid: int | None, role: str) -> bool:
    return (await roles(url)).get(pid or 0) == role


async def _settled(url: str) -> bool:
    now = await states(url)
    return not now.get("queued") and not now.get("sending")


async def test_a_host_with_another_pseudonym_key_refuses_to_start_in_one_line(tmp_path, postgres_cluster: Cluster):
    url = await new_database(postgres_cluster)
    try:
        first = tmp_path / "first"
        database = await storage.open_database(first, url=url)
        await database.close()
        pg = await PostgresDatabase.open(url)
        await check_pseudonym_key(pg, load_or_create_key(first / KEY_FILE))  # as the first host's start does
        await pg.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
        env |= {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "unused", "VERAZ_DATA_DIR": str(tmp_path / "second"),
                "VERAZ_DATABASE_URL": url, "VERAZ_LOG_LEVEL": "ERROR"}  # fmt: skip
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(done.communicate(), 60)
        assert done.returncode == 1
        lines = err.decode().strip().splitlines()
        assert lines[0].startswith("veraz run: data directory ")  # every command says which it used
        assert lines[1:] == [
            "veraz run: this host's pseudonym.key is not the key this database was started with: copy "
            "pseudonym.key from a host already running into this data directory (docs/deploy.md)"
        ]
    finally:
        await drop_database(postgres_cluster, url)


class Partition:
    """A TCP relay between one host and PostgreSQL that can be cut: after `cut()` it forwards nothing and
    closes nothing, as a lost network does (the host's packets vanish; neither side hears a reset)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.cut_at: float | None = None
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._cut = asyncio.Event()

    async def __aenter__(self) -> Partition:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for writer in self._writers:
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await self._server.wait_closed()

    def cut(self) -> None:
        self.cut_at = time.monotonic()
        self._cut.set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, up_writer]

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while not self._cut.is_set() and (data := await src.read(65536)):
                if self._cut.is_set():
                    break
                dst.write(data)
                await dst.drain()
            if self._cut.is_set():
                await asyncio.Event().wait()  # silent, both ends open, until the relay is closed
            dst.close()  # one side closed: so does the other, as through a working network

        with contextlib.suppress(OSError, asyncio.CancelledError):
            await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))


async def test_a_partitioned_active_process_stops_before_the_standby_starts(tmp_path, postgres_cluster: Cluster):
    """The worst case of a network partition: the active process loses the database but not Discord. It
    stops within STEP_DOWN seconds (exit 5), the standby takes over after the lease (no reset ever
    reaches the server, so it waits the lease out), and Discord never has two sessions at once."""
    url = await new_database(postgres_cluster)
    host, port = url.split("@", 1)[1].split("/", 1)[0].split(":")
    subscribers_count = 60
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with DiscordEmulator("partition-token") as emu, Partition((host, int(port))) as partition:
            guild = emu.create_guild("Partitioned network")
            mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
            emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
            queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
            alerts = guild.create_text_channel("alerts")
            marta, dev = guild.add_member("marta", roles=[mods]), guild.add_member("dev", roles=[mods])
            reporter = guild.add_member("reporter")
            subscribers = [guild.add_member(f"s{i:03}") for i in range(subscribers_count)]
            database = await storage.open_database(tmp_path / "a", url=url)
            uow = database.unit_of_work()
            await usecases.configure_community(
                uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "America/Chicago", Language.EN)
            )
            await usecases.import_places(uow, guild.id, PLACES_CSV)
            dms = storage.delivery_queue(database)
            for member in subscribers:
                await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
                await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
            await database.close()

            relayed = url.replace(f"{host}:{port}", f"127.0.0.1:{partition.port}")
            a = await start_host(emu, tmp_path / "a", relayed, tmp_path / "a.log")
            processes.append(a)
            await emu.wait_until_connected(timeout=30)
            (tmp_path / "b").mkdir(mode=0o700)
            shutil.copy2(tmp_path / "a" / KEY_FILE, tmp_path / "b" / KEY_FILE)
            b = await start_host(emu, tmp_path / "b", url, tmp_path / "b.log")
            processes.append(b)
            await until(lambda: _role_is(url, b.pid, "standby"), "host B to stand by")
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=30, what="commands")
            await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
            await marta.slash("incident confirm", id=1)
            await dev.slash("incident confirm", id=1)

            partition.cut()
            assert partition.cut_at is not None
            code = await asyncio.wait_for(a.wait(), 10)
            stopped = time.monotonic() - partition.cut_at
            await emu.wait_until_connected(timeout=TAKEOVER_LIMIT, identify_count=2)
            takeover = time.monotonic() - partition.cut_at
            assert code == 5  # lost leadership
            assert stopped < takeover
            assert takeover < TAKEOVER_LIMIT
            await emu.wait_for(lambda: all(s.dms for s in subscribers) or None, timeout=60, what="every alert")
            assert emu.services.gateway.max_live_sessions == 1
            copies = [len([m for m in s.dms if "ref 1.1." in m.content]) for s in subscribers]
            assert copies.count(1) == subscribers_count, copies
            print(f"\npartition: the active process stopped {stopped:.1f} s after the cut, "
                  f"the standby took over {takeover:.1f} s after it")  # fmt: skip
    finally:
        await stop_all(processes)
        await drop_database(postgres_cluster, url)


async def _healthz(address: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://{address}/healthz") as response:
        return response.status, await response.json()


async def _veraz_status(data: Path, url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env |= {"PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(data), "VERAZ_DATABASE_URL": url, "VERAZ_LOG_LEVEL": "ERROR"}
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "status", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(done.communicate(), 60)
    return out.decode()


async def _network(emu: DiscordEmulator, data: Path, url: str, count: int) -> Network:
    """One server with moderators, a reporter and `count` subscribers whose DM channels are known."""
    guild = emu.create_guild("Failover network")
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
    queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    network = Network(guild, guild.add_member("marta", roles=[mods]), guild.add_member("dev", roles=[mods]),
                      guild.add_member("reporter"), [guild.add_member(f"s{i:03}") for i in range(count)],
                      alerts)  # fmt: skip
    database = await storage.open_database(data, url=url)
    uow = database.unit_of_work()
    await usecases.configure_community(
        uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "America/Chicago", Language.EN)
    )
    await usecases.import_places(uow, guild.id, PLACES_CSV)
    dms = storage.delivery_queue(database)
    for member in network.subscribers:
        await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
        await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    await database.close()
    return network


@dataclass
class Network:
    guild: GuildHandle
    marta: MemberActor
    dev: MemberActor
    reporter: MemberActor
    subscribers: list[MemberActor]
    alerts: Channel


async def two_hosts_mid_fan_out(
    emu: DiscordEmulator, tmp_path: Path, url: str, count: int, processes: list[asyncio.subprocess.Process]
) -> tuple[Network, asyncio.subprocess.Process, asyncio.subprocess.Process]:
    """Host A active and host B (with A's pseudonym key) standing by, on one network of `count`
    subscribers; an ALERT confirmed and a third of its fan-out delivered. The processes are added to
    `processes` as they start, for the caller to stop."""
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    net = await _network(emu, host_a, url, count)
    a = await start_host(emu, host_a, url, tmp_path / "a.log")
    processes.append(a)
    await emu.wait_until_connected(timeout=30)
    host_b.mkdir(mode=0o700)
    shutil.copy2(host_a / KEY_FILE, host_b / KEY_FILE)
    b = await start_host(emu, host_b, url, tmp_path / "b.log")
    processes.append(b)
    await until(lambda: _role_is(url, b.pid, "standby"), "host B to stand by")
    await emu.wait_for(lambda: emu.services.commands.listing(net.guild.id), timeout=30, what="commands")
    await net.reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
    await net.marta.slash("incident confirm", id=1)
    await net.dev.slash("incident confirm", id=1)
    await emu.wait_for(lambda: sum(1 for s in net.subscribers if s.dms) >= count // 3 or None,
                       timeout=30, what="a third of the fan-out")  # fmt: skip
    return net, a, b


async def _quiet(emu: DiscordEmulator, seconds: float, within: float = 30.0) -> None:
    """Wait until the emulator has answered no request for `seconds`."""
    deadline = time.monotonic() + within
    while True:
        seen = len(emu.requests)
        await asyncio.sleep(seconds)
        if len(emu.requests) == seen:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the bot never went quiet")


async def _count(url: str, query: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


async def test_a_frozen_active_process_is_taken_over_and_thawed_sends_nothing(tmp_path, postgres_cluster: Cluster):
    """A frozen VM (SIGSTOP) in the middle of a 300-DM fan-out: its connections stay open, and its kernel
    still takes Discord's events for it. The standby takes over once the lease runs out and finishes the
    fan-out, one copy each, and answers commands. Thawed (SIGCONT), the old process stops before it
    sends anything: no request reaches Discord from it, not even for the deliveries it had claimed or
    the command its session received while frozen; it exits (5), which closes its gateway session, and
    started again (as systemd's Restart=always does) it waits as a standby."""
    url = await new_database(postgres_cluster)
    host_a = tmp_path / "host-a"
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with DiscordEmulator("frozen-token") as emu:
            net, a, b = await two_hosts_mid_fan_out(emu, tmp_path, url, RECIPIENTS, processes)
            a.send_signal(signal.SIGSTOP)
            frozen = time.monotonic()
            delivered_before = sum(1 for s in net.subscribers if s.dms)
            claimed = await _count(url, "SELECT count(*) FROM deliveries WHERE state = 'sending'")
            assert delivered_before < RECIPIENTS, "the freeze came too late to interrupt the fan-out"

            await emu.wait_until_connected(timeout=TAKEOVER_LIMIT, identify_count=2)
            takeover = time.monotonic() - frozen
            assert takeover < TAKEOVER_LIMIT
            await emu.wait_for(lambda: all(s.dms for s in net.subscribers) or None, timeout=60, what="every alert")
            await until(lambda: _settled(url), "the outbox to empty")
            # Commands are answered by the new active process; the frozen one's session got this one too.
            answered = await net.reporter.slash("report", where="Whittier Park", what="a white van, 3 agents")
            assert not answered.failed
            assert len(emu.services.gateway.live_sessions) == 2  # the frozen one's is still open
            await _quiet(emu, 2.0)

            seen = len(emu.requests)
            a.send_signal(signal.SIGCONT)
            code = await asyncio.wait_for(a.wait(), 10)
            assert code == 5  # lost leadership
            await emu.wait_for(lambda: len(emu.services.gateway.live_sessions) == 1 or None, timeout=5,
                               what="the thawed process's session to close")  # fmt: skip
            await asyncio.sleep(1)
            after_thaw = [f"{r.method} {r.path}" for r in emu.requests[seen:]]
            assert after_thaw == []  # nothing from the thawed process (and the active one had nothing to do)
            assert await _count(url, "SELECT count(*) FROM reports") == 2  # the command was handled once
            log_a = (tmp_path / "a.log").read_text()
            assert log_a.count('"lost leadership"') == 1
            assert log_a.count("refused to send") <= 1
            assert log_a.count("dropped a gateway event") <= 1
            assert "Traceback" not in log_a
            assert "queue card not updated" not in (tmp_path / "b.log").read_text()

            copies = [len([m for m in s.dms if "ref 1.1." in m.content]) for s in net.subscribers]
            assert copies.count(1) == RECIPIENTS, {"missing": copies.count(0), "duplicates": sum(c > 1 for c in copies)}
            assert len([m for m in net.alerts.messages if "ref 1.1." in m.content]) == 1

            # Host A, started again as systemd would, waits as a standby: no new gateway session.
            again = await start_host(emu, host_a, url, tmp_path / "a-again.log")
            processes.append(again)
            await until(lambda: _role_is(url, again.pid, "standby"), "host A to stand by again")
            await asyncio.sleep(2)
            assert emu.identify_count == 2
            assert (await roles(url))[b.pid] == "active"
            print(f"\nfrozen VM: takeover {takeover:.1f} s after SIGSTOP ({delivered_before} of {RECIPIENTS} "
                  f"delivered, {claimed} claimed and unsettled at the freeze); after SIGCONT the old process "
                  f"exited with {code}, sending nothing")  # fmt: skip
    finally:
        await stop_all(processes)
        await drop_database(postgres_cluster, url)
