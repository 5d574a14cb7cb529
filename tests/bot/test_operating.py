"""Issue 26: operating Veraz as a new operator would, through the real `veraz` command."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from bot.emulator import DiscordEmulator
from tests.bot.test_cli import outcome, veraz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def human_lines(err: str) -> list[str]:
    """What `veraz` printed for a person, without the JSON log lines."""
    return [line for line in err.splitlines() if line.strip() and not line.startswith("{")]


async def test_run_exits_at_once_in_one_line_when_the_feed_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with DiscordEmulator("run-token") as emu:
            guild = emu.create_guild("Test network")
            emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
            env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(tmp_path),
                   "VERAZ_FEED_ADDRESS": f"127.0.0.1:{port}",
                   "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
            code, _, err = await outcome(await veraz("run", env=env))
    assert code == 5, err
    assert "Traceback" not in err
    assert "Unclosed" not in err
    [line] = human_lines(err)
    assert line.startswith(f"veraz run: cannot serve the public feed on 127.0.0.1:{port} (VERAZ_FEED_ADDRESS)")
    assert line.endswith("another program listens there")
    for entry in (json.loads(x) for x in err.splitlines() if x.startswith("{")):
        assert entry["level"] != "error", entry
    with storage.DataDirLock(tmp_path):
        pass  # released
    database = await storage.open_database(tmp_path)  # closed cleanly: nothing left to recover
    await database.close()


async def test_run_closes_everything_in_one_line_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    """A failure inside login (the database is from a newer Veraz) leaves no session open behind it."""
    database = await storage.open_database(tmp_path)
    await database.close()
    with sqlite3.connect(tmp_path / storage.DATABASE_NAME) as db:
        db.execute("PRAGMA user_version = 99")
    async with DiscordEmulator("run-token") as emu:
        env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(tmp_path),
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        code, _, err = await outcome(await veraz("run", env=env))
    assert code == 1
    [line] = human_lines(err)
    assert line.startswith("veraz run: this database has schema version 99")
    assert "Unclosed" not in err
