"""The emulator as its own process, and a bot process that is SIGKILLed and replaced."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from discord_emulator.remote import RemoteEmulator

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ROOT = Path(__file__).resolve().parents[2]


async def spawn(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def finish(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
    await process.communicate()


@pytest.fixture
async def emulator_process() -> AsyncIterator[dict[str, Any]]:
    """`python -m discord_emulator --port 0`; yields the JSON line it prints first."""
    process = await spawn("-m", "discord_emulator", "--port", "0", "--token", "crash-token")
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 10)
        yield {**json.loads(line), "process": process}
    finally:
        await finish(process)


async def test_the_standalone_emulator_prints_its_urls_and_stops_on_sigterm(emulator_process: dict[str, Any]) -> None:
    """The first stdout line is JSON with the URLs and token; SIGTERM shuts it down cleanly."""
    assert emulator_process["api_base"].startswith("http://127.0.0.1:")
    assert emulator_process["gateway_url"].endswith("/gateway")
    assert emulator_process["token"] == "crash-token"
    async with RemoteEmulator(emulator_process["control"]) as remote:
        assert (await remote.state())["bot_connected"] is False
    process = emulator_process["process"]
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 10) == 0


async def test_the_emulator_survives_a_killed_bot_and_serves_its_successor(emulator_process: dict[str, Any]) -> None:
    """Bot #1 posts a card and is SIGKILLed; the card stays readable and bot #2 handles its button."""
    async with RemoteEmulator(emulator_process["control"]) as remote:
        guild = await remote.create_guild("Crash Guild")
        await remote.add_bot(guild["id"])
        ana = await remote.add_member(guild["id"], "ana")
        env = {
            "EMULATOR_API": emulator_process["api_base"],
            "EMULATOR_GATEWAY": emulator_process["gateway_url"],
            "EMULATOR_TOKEN": emulator_process["token"],
            "GUILD_ID": guild["id"],
        }
        first = await spawn("-m", "tests.emulator.bot_process", env=env)
        second = None
        try:
            await remote.wait_connected(timeout=15)
            await remote.slash(guild["id"], "ana", "card", number=9)
            await remote.act("dm", guild["id"], "ana", content="hello bot")
            dms = await remote.messages(user=int(ana["id"]), min_count=2, timeout=5)
            assert dms[1]["content"] == "Got it. I had sent you 0 messages before."
            first.send_signal(signal.SIGKILL)
            await first.wait()
            assert (await remote.wait_disconnected(timeout=5))["connected"] is False

            second = await spawn("-m", "tests.emulator.bot_process", env=env)
            await remote.wait_connected(timeout=15, identify_count=2)
            assert len(await remote.messages(user=int(ana["id"]))) == 2
            [card] = await remote.messages(channel="general", guild_id=guild["id"])
            assert card["content"] == "Incident #9: unverified"
            opened = await remote.act("click", guild["id"], "ana", message_id=card["id"], label="Confirm")
            await remote.act("submit_modal", guild["id"], "ana", interaction_id=opened["id"], values={"Reason": "ok"})
            [card] = await remote.messages(channel="general", guild_id=guild["id"])
            assert card["content"] == "Incident #9 confirmed by ana: ok"
            assert (await remote.state())["identify_count"] == 2
        finally:
            await finish(first)
            if second is not None:
                await finish(second)
