"""Review of issue 22: the database itself goes away for a moment under two hosts (a managed PostgreSQL's
failover, a restart for an upgrade). No supervisor restarts anything here: the processes that were running
must, between them, still lead when the database answers again, and the fan-out must finish one copy each."""

from __future__ import annotations

import asyncio
import time

import pytest

from discord_emulator import DiscordEmulator
from tests.bot.test_failover import roles, stop_all, two_hosts_mid_fan_out, until
from tests.postgres import PostgresUnavailable, _run, new_database, start_cluster, unavailable

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
RECIPIENTS = 150


async def test_a_standby_survives_a_database_restart_and_takes_over(tmp_path):
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
    if cluster.directory is None:
        pytest.skip("restarting the database needs a cluster this test started")
    url = await new_database(cluster)
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with DiscordEmulator("restart-token") as emu:
            net, a, b = await two_hosts_mid_fan_out(emu, tmp_path, url, RECIPIENTS, processes)

            assert cluster.pg_ctl is not None
            restarted = await asyncio.to_thread(
                _run, cluster.run_as,
                [str(cluster.pg_ctl), "restart", "-D", str(cluster.directory / "data"), "-m", "fast", "-w",
                 "-l", str(cluster.directory / "server.log")],
            )  # fmt: skip
            assert restarted.returncode == 0, restarted.stderr
            back = time.monotonic()
            await asyncio.sleep(5)
            alive = [p for p in processes if p.returncode is None]
            assert alive, f"no process left to lead: A exited {a.returncode}, B exited {b.returncode}"
            await until(lambda: _any_active(url), "a process to lead again", within=20)
            await emu.wait_for(lambda: all(s.dms for s in net.subscribers) or None, timeout=60, what="every alert")
            copies = [len([m for m in s.dms if "ref 1.1." in m.content]) for s in net.subscribers]
            assert copies.count(1) == RECIPIENTS, {"missing": copies.count(0), "duplicates": sum(c > 1 for c in copies)}
            assert emu.services.gateway.max_live_sessions == 1
            print(f"\ndatabase restart: leading again {time.monotonic() - back:.1f} s after it answered; "
                  f"A exited {a.returncode}, B {b.returncode}")  # fmt: skip
    finally:
        await stop_all(processes)
        cluster.stop()


async def _any_active(url: str) -> bool:
    return "active" in (await roles(url)).values()
