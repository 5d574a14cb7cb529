"""The public feed under load while a 5,000-DM fan-out runs (issue 15).

The same ALERT fanned out twice through the emulator by `veraz run`: once alone, once while the bot
also serves its public feed to readers in another process, as fast as they can ask (the page, the
Atom feed, the Atom feed again with If-None-Match, the ALERT's CAP document, in turn). Printed: the
fan-out's deliveries a second both times and the slowdown (target: at most 5%), and the feed
requests served a second during the fan-out.

    python -m bench.feed [--subscribers 5000] [--readers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.fanout import ROOT, veraz_fanout
from discord_emulator import DiscordEmulator, Limits
from discord_emulator.redirect import point_discord_at


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FeedLoad:
    """Readers in a process of their own, so they take nothing from the emulator's event loop."""

    def __init__(self, readers: int) -> None:
        self.readers = readers
        self.port = free_port()
        self.slug = ""
        self.process: asyncio.subprocess.Process | None = None
        self.result: dict[str, float] = {}

    def env(self) -> dict[str, str]:
        # Every reader comes from 127.0.0.1: one client to the rate limit, which would measure the limit.
        return {"VERAZ_FEED_ADDRESS": f"127.0.0.1:{self.port}", "VERAZ_FEED_RATE": "1000000"}

    async def start(self) -> None:
        base = f"http://127.0.0.1:{self.port}/{self.slug}"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.feed", "--load", base, "--readers", str(self.readers),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        out, _ = await self.process.communicate()
        self.result = json.loads(out.decode().strip().splitlines()[-1])


async def load(base: str, readers: int) -> None:
    """Until SIGTERM: ask in turn, count the answers; then print the counts as one JSON line."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    counts: dict[str, int] = {}
    latencies: list[float] = []
    started = time.monotonic()

    async def reader(session: aiohttp.ClientSession) -> None:
        etag = ""
        while not stop.is_set():
            for path, headers in (("/", {}), ("/alerts.atom", {}), ("/alerts.atom", {"If-None-Match": etag}),
                                  ("/cap/1.xml", {})):  # fmt: skip
                asked = time.monotonic()
                try:
                    async with session.get(base + path, headers=headers) as r:
                        await r.read()
                        etag = r.headers.get("ETag", etag) if path == "/alerts.atom" else etag
                        counts[str(r.status)] = counts.get(str(r.status), 0) + 1
                except aiohttp.ClientError:
                    counts["error"] = counts.get("error", 0) + 1
                latencies.append(time.monotonic() - asked)
                if stop.is_set():
                    return

    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(reader(session)) for _ in range(readers)]
        await stop.wait()
        for task in tasks:
            with contextlib.suppress(Exception):
                await task
    elapsed = time.monotonic() - started
    latencies.sort()
    served = sum(v for k, v in counts.items() if k in ("200", "304", "404"))
    print(json.dumps({"seconds": elapsed, "served": served, "per_second": served / elapsed, **counts,
                      "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0,
                      "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0}))  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    async with DiscordEmulator("bench-token", limits=Limits()) as emu:
        undo = point_discord_at(emu.api_base, emu.gateway_url)
        try:
            print("--- the fan-out alone")
            with tempfile.TemporaryDirectory(prefix="veraz-feed-") as tmp:
                alone = await veraz_fanout(emu, Path(tmp) / "data", args.subscribers)
            print(f"--- the same fan-out while {args.readers} readers load the public feed")
            feed = FeedLoad(args.readers)
            with tempfile.TemporaryDirectory(prefix="veraz-feed-") as tmp:
                loaded = await veraz_fanout(emu, Path(tmp) / "data", args.subscribers, feed)
        finally:
            undo()
    r = feed.result
    slowdown = 100 * (alone - loaded) / alone
    print(f"public feed during the fan-out: {r['served']:,.0f} requests in {r['seconds']:.1f} s, "
          f"{r['per_second']:.0f} requests/s (200: {r.get('200', 0):,}, 304: {r.get('304', 0):,}, "
          f"404 before the ALERT existed: {r.get('404', 0):,}, other: {r.get('429', 0) + r.get('error', 0):,}); "
          f"latency p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms")  # fmt: skip
    print(f"fan-out: {alone:.1f} deliveries/s alone, {loaded:.1f} deliveries/s with the feed loaded: "
          f"{slowdown:+.1f}% slower (target <= 5%)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--readers", type=int, default=8, help="concurrent feed readers")
    parser.add_argument("--load", help=argparse.SUPPRESS)  # the readers' process: the feed's base URL
    options = parser.parse_args()
    if options.load:
        asyncio.run(load(options.load, options.readers))
    else:
        asyncio.run(main(options))
