"""A Discord REST outage in the middle of a fan-out: exactly one copy each, and how soon the rest go after it.

One ALERT to `--subscribers` DM subscribers (default 1,000) through the emulator, the bot in its own
process (`veraz run`) as in bench/fanout.py. Once `--begin` of the DMs have arrived, every REST request
meets an outage for `--outage` seconds (default 20): for the first `--after` seconds (default 3) Discord
carries the request out but answers 502 (the answer lost on its way back: those sends are in doubt),
then it answers 502 without doing anything. Printed: the copies each subscriber got (min..max), the
requests the bot made while Discord was down, the time from Discord's recovery to the last DM, and how
much of that time went on waiting rather than sending (what the remaining DMs needed at the pacer's 47 a
second subtracted).

    python -m bench.outage [--subscribers 1000] [--outage 20] [--after 3] [--begin 0.5]
    python -m bench.outage --bot-root /tmp/veraz-main   # the same run with another checkout's bot

`--bot-root` runs the bot from another checkout (for instance `git archive main | tar -x -C DIR`), the
emulator and this script from this one: the figures of the behaviour before a change, on the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

import storage
from bench.fanout import ROOT, Network, bot_env, network, until_sent
from discord_emulator import DiscordEmulator, FaultMode, Limits
from discord_emulator.redirect import point_discord_at

PACE = 47.0  # the bot's pacer: what "full pace" means
REF = "ref 1.1."


def arrived(net: Network) -> list[float]:
    """When each of the ALERT's DMs was created, in order (a member's second copy counts too)."""
    return sorted(m.history[0].at.timestamp() for member in net.members for m in member.dms if REF in m.content)


async def run(emu: DiscordEmulator, data: Path, args: argparse.Namespace) -> None:
    database = await storage.open_database(data, synchronous="OFF")  # setting up only: the bot reopens it
    net = await network(emu, database, "Yards", args.subscribers)
    await database.close()
    bot_root: Path = args.bot_root
    env = bot_env(emu, data) | {"PYTHONPATH": str(bot_root), "PYTHONDONTWRITEBYTECODE": "1"}
    bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=bot_root, env=env)
    try:
        await emu.wait_until_connected(timeout=60)
        await emu.wait_for(lambda: emu.services.commands.listing(net.guild.id), timeout=60, what="commands")
        await net.reporter.slash("report", where="Hamline Elementary", what="two agents at the door")
        await net.moderator.slash("incident statement", id=1, source="CPS", stance="confirms")
        clicked = time.time()
        await net.moderator.slash("incident confirm", id=1)
        begin = int(args.begin * args.subscribers)
        await emu.wait_for(lambda: len(arrived(net)) >= begin or None, timeout=120, what=f"{begin} DMs")
        before_outage = len(arrived(net))
        requests_before, limited_before = len(emu.requests), emu.rate_limited_count
        down = time.time()
        emu.fail_for(args.after, status=502, mode=FaultMode.AFTER)
        await asyncio.sleep(args.after)
        emu.fail_for(args.outage - args.after, status=502)
        await asyncio.sleep(args.outage - args.after)
        recovered = time.time()
        during = [r for r in emu.requests[requests_before:] if r.time < recovered]
        await until_sent(data, args.subscribers + 1)
        await asyncio.sleep(1.0)  # a second copy would show up here
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    times = arrived(net)
    copies = [sum(REF in m.content for m in member.dms) for member in net.members]
    after = [t for t in times if t >= recovered]
    last = times[-1]
    print(f"--- bot from {bot_root}: {args.subscribers:,} DM subscribers; outage of {args.outage:.0f} s "
          f"(502; the first {args.after:.0f} s carried the sends out) after {before_outage} DMs, "
          f"{down - clicked:.1f} s into the fan-out")  # fmt: skip
    print(f"copies per subscriber: min {min(copies)}, max {max(copies)} (target 1..1); 429s: "
          f"{emu.rate_limited_count - limited_before}")  # fmt: skip
    print(f"while Discord was down: {len(during)} requests ({len(during) / args.outage:.1f}/s), "
          f"{sum(down <= t < recovered for t in times)} DMs carried out")  # fmt: skip
    # What the bot asked of Discord from its recovery to the last DM: those requests, at the pacer's pace,
    # are the time sending needed; the rest of that time went on waiting.
    asked = [r for r in emu.requests[requests_before:] if recovered <= r.time <= last]
    first_answer = min((r.time for r in asked if r.status < 500), default=float("nan"))
    print(f"after recovery: the bot's first request {first_answer - recovered:.2f} s after Discord came back; "
          f"{len(after)} DMs, the last {last - recovered:.1f} s after it; {len(asked)} requests in that time need "
          f"{len(asked) / PACE:.1f} s at full pace, so {last - recovered - len(asked) / PACE:.1f} s went on "
          f"waiting")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    async with DiscordEmulator("bench-token", limits=Limits()) as emu:
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        try:
            with tempfile.TemporaryDirectory(prefix="veraz-outage-") as tmp:
                await run(emu, Path(tmp) / "data", args)
        finally:
            undo()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds of 502s")
    parser.add_argument("--after", type=float, default=3.0, help="the first seconds, when sends are carried out")
    parser.add_argument("--begin", type=float, default=0.5, help="the share of DMs arrived when the outage begins")
    parser.add_argument("--bot-root", default="", help="run the bot from this checkout (the old behaviour)")
    arguments = parser.parse_args()
    arguments.bot_root = Path(arguments.bot_root).resolve() if arguments.bot_root else ROOT
    asyncio.run(main(arguments))
