"""Run the emulator standalone: `python -m discord_emulator --port 8765`.

The first stdout line is JSON with the URLs and token, so a parent process can read where it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal

from .server import DiscordEmulator


async def serve(port: int, token: str, guild: str | None, locale: str) -> None:
    emulator = DiscordEmulator(token, port=port)
    await emulator.start()
    if guild:
        handle = emulator.create_guild(guild, locale=locale)
        emulator.add_bot_to_guild(handle)
    info = {
        "api_base": emulator.api_base,
        "gateway_url": emulator.gateway_url,
        "control": f"{emulator.base_url}/_emulator",
        "token": emulator.token,
        "application_id": str(emulator.application_id),
    }
    print(json.dumps(info), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m discord_emulator", description="A loopback Discord API emulator.")
    parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--token", default="emulator-token", help="the bot token the emulator accepts")
    parser.add_argument("--guild", help="create a guild with this name and add the bot to it")
    parser.add_argument("--locale", default="en-US", help="preferred locale of --guild")
    parser.add_argument("--verbose", action="store_true", help="log every emulator warning and debug message")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    asyncio.run(serve(args.port, args.token, args.guild, args.locale))


if __name__ == "__main__":
    main()
