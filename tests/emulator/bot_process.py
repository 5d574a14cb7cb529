"""The sample bot as its own process, for crash tests: `python -m tests.emulator.bot_process`.

Reads EMULATOR_API, EMULATOR_GATEWAY, EMULATOR_TOKEN and GUILD_ID from the environment.
"""

from __future__ import annotations

import asyncio
import os

from discord_emulator.redirect import point_discord_at
from tests.emulator.sample_bot import SampleBot


async def main() -> None:
    point_discord_at(os.environ["EMULATOR_API"], os.environ["EMULATOR_GATEWAY"])
    async with SampleBot(int(os.environ["GUILD_ID"])) as bot:
        await bot.start(os.environ["EMULATOR_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
