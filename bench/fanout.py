"""One ALERT fanned out to 5,000 DM subscribers through the emulator, at Discord's 50 requests/second.

The bot runs as its own process (`veraz run`), so its peak memory is its own; the emulator, the
people and this script run here. Then, in the same run, the naive way (`await user.send(...)` per
subscriber with discord.py) on a sample, to compare.

    python -m bench.fanout [--subscribers 5000] [--naive 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import discord

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from bot.emulator import DiscordEmulator, Limits, overwrite
from bot.emulator.permissions import MANAGE_MESSAGES, VIEW_CHANNEL
from bot.emulator.redirect import point_discord_at
from verification import usecases
from verification.model import Language

ROOT = Path(__file__).resolve().parents[1]
PLACES = "name,area,kind,aliases\nHamline Elementary,Back of the Yards,school,\n"


def sent(data: Path) -> int:
    with sqlite3.connect(data / "veraz.db") as db:
        return int(db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'").fetchone()[0])


async def until_sent(data: Path, count: int) -> None:
    """The bot is another process: its database is polled (nothing here is told when it changes)."""
    while sent(data) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.2)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def veraz_fanout(emu: DiscordEmulator, data: Path, count: int) -> None:
    guild = emu.create_guild("Bench network")
    mods = guild.create_role("Moderators", permissions=MANAGE_MESSAGES)
    emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
    queue = guild.create_text_channel("queue", private=True, overwrites=[overwrite(mods, allow=VIEW_CHANNEL)])
    alerts = guild.create_text_channel("alerts")
    marta, dev = guild.add_member("marta", roles=[mods]), guild.add_member("dev", roles=[mods])
    reporter = guild.add_member("reporter")
    members = [guild.add_member(f"s{i:05}") for i in range(count)]
    database = await storage.open_database(data)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, usecases.Setup(guild.id, mods.id, queue.id, alerts.id, "UTC", Language.EN))
    await usecases.import_places(uow, guild.id, PLACES)
    dms = storage.SqliteDeliveryQueue(database)
    for member in members:  # as after each one's /subscribe, which opens their DM channel
        await usecases.subscribe(uow, guild.id, member.id, None, Language.EN)
        await dms.remember_dm_channel(guild.id, member.id, member.open_dm().id)
    await database.close()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    env |= {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data),
            "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url,
            "VERAZ_LOG_LEVEL": "WARNING"}  # fmt: skip
    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env)
    try:
        await emu.wait_until_connected(timeout=60)
        await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=60, what="commands")
        await reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
        await marta.slash("incident confirm", id=1)
        limited_before = emu.rate_limited_count
        clicked = time.time()
        await dev.slash("incident confirm", id=1)
        await until_sent(data, count + 1)
        corrected = time.time()
        await dev.slash("incident misidentified", id=1, correction="U.S. Secret Service agents, not ICE")
        await until_sent(data, 2 * (count + 1))
        peak = peak_rss_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    if os.environ.get("VERAZ_BENCH_ROUTES"):
        from collections import Counter

        window = [r for r in emu.requests if clicked - 1 <= r.time]
        print(Counter((r.method, r.route, r.status) for r in window).most_common(12))

    def created(ref: str) -> list[float]:
        return sorted(m.history[0].at.timestamp() for member in members for m in member.dms if ref in m.content)

    times, fixes = created("ref 1.1."), created("ref 1.2.")
    first, last = times[0], times[-1]
    print(f"Veraz: {count:,} DMs (+1 channel post) in {last - first:.1f} s from the first to the last: "
          f"{count / (last - first):.1f} deliveries/s (target >= 45); 429s received: "
          f"{emu.rate_limited_count - limited_before} (target 0); confirming click to first delivery: "
          f"{first - clicked:.2f} s (target < 1); bot peak memory (VmHWM) {peak:.0f} MB")  # fmt: skip
    print(f"Veraz CORRECTION to the same {len(fixes):,} people: first {fixes[0] - corrected:.2f} s after the "
          f"moderator's command (target < 2); the last had it {fixes[-1] - corrected:.1f} s after it, "
          f"{(fixes[-1] - corrected) / (last - clicked):.2f}x the ALERT's fan-out time (target <= 1.1)")  # fmt: skip


async def naive_fanout(emu: DiscordEmulator, sample: int) -> None:
    """What a bot without Veraz's outbox does: look each subscriber up, `await user.send(...)`, in turn."""
    guild = emu.create_guild("Naive network")
    emu.add_bot_to_guild(guild)
    members = [guild.add_member(f"n{i:05}") for i in range(sample)]
    client = discord.Client(intents=discord.Intents.none())
    await client.login(emu.token)
    limited_before = emu.rate_limited_count
    started = time.time()
    first = None
    for member in members:
        user = await client.fetch_user(member.id)
        await user.send("🚨 ALERT · #1 · Hamline Elementary")
        first = first or time.time()
    elapsed = time.time() - started
    await client.close()
    print(f"naive discord.py loop (`await user.send(...)` per subscriber), on a sample of {sample}: "
          f"{sample / elapsed:.1f} deliveries/s; 429s received: {emu.rate_limited_count - limited_before}; "
          f"start to first delivery {first - started if first else float('nan'):.2f} s; "
          f"at that rate 5,000 subscribers would take {5000 / (sample / elapsed) / 60:.0f} min")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    async with DiscordEmulator("bench-token", limits=Limits()) as emu:
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        try:
            with tempfile.TemporaryDirectory(prefix="veraz-fanout-") as tmp:
                await veraz_fanout(emu, Path(tmp) / "data", args.subscribers)
            if args.naive:
                await naive_fanout(emu, args.naive)
        finally:
            undo()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--naive", type=int, default=60, help="sample size for the naive loop (0: skip it)")
    asyncio.run(main(parser.parse_args()))
