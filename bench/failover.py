"""Failover: how long the standby takes to take over after the active process is killed (-9) in the middle
of a fan-out, over several kills, and the fan-out's rate across each failover.

Two `veraz run` processes share one PostgreSQL database (a throwaway local cluster, as the tests start)
and one emulated Discord (discord_emulator). Each round, in a community of its own, a report is confirmed
and its alert fans out to every subscriber by DM; once a third have it, the active process is killed;
the takeover is the time from the kill to the standby's gateway session (its IDENTIFY). The killed host
is started again and stands by for the next round, so the two hosts take turns.

    python -m bench.failover [--kills 10] [--subscribers 150]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator, overwrite
from discord_emulator.permissions import MANAGE_MESSAGES, VIEW_CHANNEL
from storage.pseudonyms import KEY_FILE
from verification import usecases
from verification.model import Language

ROOT = Path(__file__).resolve().parents[1]
PLACES = "name,area,kind,aliases\nHamline Elementary,Back of the Yards,school,Hamline\n"


async def _host(emu: DiscordEmulator, data: Path, url: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env |= {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data), "VERAZ_DATABASE_URL": url,
            "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url,
            "VERAZ_LOG_LEVEL": "WARNING"}  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _role(url: str, pid: int) -> str | None:
    conn = await asyncpg.connect(url)
    try:
        role: str | None = await conn.fetchval(
            "SELECT role FROM veraz_processes WHERE pid = $1 ORDER BY started_at DESC LIMIT 1", pid
        )
        return role
    finally:
        await conn.close()


async def _until_role(url: str, pid: int, role: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while await _role(url, pid) != role:
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {pid} did not become {role}")
        await asyncio.sleep(0.1)


async def run(kills: int, subscribers: int) -> None:
    from tests.postgres import empty_database, start_cluster

    cluster = start_cluster()
    try:
        url = await empty_database(cluster)
        with tempfile.TemporaryDirectory(prefix="veraz-failover-") as tmp:
            await _rounds(Path(tmp), url, kills, subscribers)
    finally:
        cluster.stop()


async def _rounds(root: Path, url: str, kills: int, count: int) -> None:
    takeovers: list[float] = []
    rates: list[float] = []
    wrong = 0
    async with DiscordEmulator("bench-failover") as emu:
        database = await storage.open_database(root / "a", url=url)
        uow = database.unit_of_work()
        dms = storage.delivery_queue(database)
        rounds = []
        for k in range(kills):
            guild = emu.create_guild(f"Network {k}")
            mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
            emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
            queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
            alerts = guild.create_text_channel("alerts")
            people = [guild.add_member(f"mod{k}a", roles=[mods]), guild.add_member(f"mod{k}b", roles=[mods]),
                      guild.add_member(f"rep{k}")]  # fmt: skip
            members = [guild.add_member(f"s{k}-{i}") for i in range(count)]
            await usecases.configure_community(
                uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "America/Chicago", Language.EN)
            )
            await usecases.import_places(uow, guild.id, PLACES)
            for member in members:
                await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
                await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
            rounds.append((guild, people, members))
        await database.close()

        hosts = {"a": root / "a", "b": root / "b"}
        hosts["b"].mkdir(mode=0o700)
        running = {"a": await _host(emu, hosts["a"], url)}
        await emu.wait_until_connected(timeout=30)
        shutil.copy2(hosts["a"] / KEY_FILE, hosts["b"] / KEY_FILE)
        running["b"] = await _host(emu, hosts["b"], url)
        await _until_role(url, running["b"].pid, "standby")
        active, standby = "a", "b"
        try:
            for k, (guild, (mod_a, mod_b, reporter), members) in enumerate(rounds):
                await emu.wait_for(lambda g=guild: emu.services.commands.listing(g.id), timeout=30, what="commands")
                await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
                await mod_a.slash("incident confirm", id=1)
                started = time.monotonic()
                await mod_b.slash("incident confirm", id=1)
                await emu.wait_for(lambda m=members: sum(1 for s in m if s.dms) >= len(m) // 3 or None, timeout=60,
                                   what="a third of the fan-out")  # fmt: skip
                identified = emu.identify_count
                running[active].send_signal(signal.SIGKILL)
                killed = time.monotonic()
                await running[active].wait()
                await emu.wait_until_connected(timeout=30, identify_count=identified + 1)
                takeovers.append(time.monotonic() - killed)
                await emu.wait_for(lambda m=members: all(s.dms for s in m) or None, timeout=120, what="every alert")
                rates.append(len(members) / (time.monotonic() - started))
                copies = [len([d for d in s.dms if "ref 1.1." in d.content]) for s in members]
                wrong += sum(c != 1 for c in copies)
                running[active] = await _host(emu, hosts[active], url)  # the killed host comes back, standing by
                await _until_role(url, running[active].pid, "standby")
                print(f"kill {k + 1}: takeover {takeovers[-1]:.2f} s; {len(members)} DMs at {rates[-1]:.1f}/s "
                      "across the failover", flush=True)  # fmt: skip
                active, standby = standby, active
        finally:
            for process in running.values():
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in running.values():
                await process.wait()
    print(f"takeover after kill -9 over {len(takeovers)} kills: median {statistics.median(takeovers):.2f} s, "
          f"worst {max(takeovers):.2f} s (limit 15 s); fan-out across a failover: median "
          f"{statistics.median(rates):.1f} DMs/s, {count} DMs each, killed at a third; "
          f"subscribers without exactly one copy: {wrong}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--subscribers", type=int, default=150)
    args = parser.parse_args()
    asyncio.run(run(args.kills, args.subscribers))
