"""Issue 26: operating Veraz as a new operator would, through the real `veraz` command."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
from pathlib import Path

import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator
from tests.bot.test_cli import outcome, veraz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def human_lines(err: str) -> list[str]:
    """What `veraz` printed for a person, without the JSON log lines and the data directory it named."""
    return [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith("{") and not re.match(r"veraz [a-z]+: data directory ", line)
    ]


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


@pytest.fixture
def someone_elses(tmp_path: Path) -> Path:
    """A data directory that belongs to another user than the one running the tests."""
    if os.geteuid() != 0:
        return Path("/")  # root's, and we are not root
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, 65534, 65534)  # nobody
    return data


@pytest.mark.parametrize("command", [["run"], ["status"], ["purge"], ["restore", "b.db"], ["backup", "b.db"],
                                     ["export", "--community", "1"], ["stats", "--community", "1"],
                                     ["feed", "--community", "1"]])  # fmt: skip
async def test_a_data_directory_another_user_owns_is_refused_in_one_line(someone_elses, tmp_path, command) -> None:
    before = sorted(someone_elses.iterdir())
    code, _out, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(someone_elses),
                                                              "DISCORD_TOKEN": "unused"}))  # fmt: skip
    assert code == 1
    [line] = human_lines(err)
    assert line.startswith(f"veraz {command[0]}: the data directory {someone_elses} belongs to ")
    assert f"sudo -u {line.split(' belongs to ')[1].split(',')[0]} env VERAZ_DATA_DIR={someone_elses} veraz" in line
    assert sorted(someone_elses.iterdir()) == before  # nothing written


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
async def test_a_database_another_user_owns_in_our_directory_is_refused(tmp_path: Path) -> None:
    """What `sudo veraz restore` left behind before: the database another user's, in the service's directory."""
    database = await storage.open_database(tmp_path)
    await database.close()
    os.chown(tmp_path / storage.DATABASE_NAME, 65534, 65534)
    code, _, err = await outcome(await veraz("status", env={"VERAZ_DATA_DIR": str(tmp_path)}))
    assert code == 1
    [line] = human_lines(err)
    assert line == (
        f"veraz status: {tmp_path / storage.DATABASE_NAME} belongs to nobody, not to root who owns "
        f"{tmp_path}: give it back (chown root: {tmp_path / storage.DATABASE_NAME}), then try again"
    )
    os.chown(tmp_path / storage.DATABASE_NAME, 0, 0)
    code, _, err = await outcome(await veraz("status", env={"VERAZ_DATA_DIR": str(tmp_path)}))
    assert code == 0, err


async def test_status_says_whether_a_bot_runs_and_is_connected(tmp_path: Path) -> None:
    env = {"VERAZ_DATA_DIR": str(tmp_path)}
    code, out, _ = await outcome(await veraz("--version", env=env))
    assert code == 0
    assert re.fullmatch(r"veraz \S+ \(database schema \d+\)\n", out)
    database = await storage.open_database(tmp_path)
    await database.close()
    code, out, _ = await outcome(await veraz("status", env=env))
    assert code == 0
    assert out.startswith(f"veraz status: data directory {tmp_path}\nbot: no bot has run on this data yet\n")
    async with DiscordEmulator("run-token") as emu:
        guild = emu.create_guild("Test network")
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
        run_env = {**env, "DISCORD_TOKEN": emu.token, "DISCORD_API_BASE_URL": emu.api_base,
                   "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        process = await veraz("run", env=run_env)
        try:
            await emu.wait_until_connected(timeout=20)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=20, what="commands synced")
            code, out, err = await outcome(await veraz("status", env=env))
            assert code == 0, err
            assert "\nbot: running, connected to Discord (last heartbeat " in out
            assert "deliveries: 0 queued" in out
        finally:
            process.send_signal(signal.SIGTERM)
        code, _, err = await outcome(process)
    assert code == 0, err
    code, out, _ = await outcome(await veraz("status", env=env))
    assert "\nbot: not running (stopped cleanly " in out


def test_the_heartbeat_tells_running_connected_and_gone_apart() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.cli.data import bot_state
    from storage.sqlite.heartbeat import Heartbeat

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    s = timedelta(seconds=1)
    assert bot_state(Heartbeat(now - 10 * s, now - 10 * s, None), now).startswith("running, connected")
    assert bot_state(Heartbeat(now - 10 * s, now - 300 * s, None), now).startswith(
        "running, but NOT connected to Discord (last connected 2026-01-01 11:55:00 UTC, 300 s ago)"
    )
    assert (
        bot_state(Heartbeat(now - 10 * s, None, None), now) == "running, but NOT connected to Discord (never connected)"
    )
    assert bot_state(Heartbeat(now - 300 * s, now - 300 * s, None), now).startswith(
        "not running, or not responding: no heartbeat since"
    )
    assert bot_state(Heartbeat(now - 300 * s, now - 300 * s, now - 299 * s), now).startswith(
        "not running (stopped cleanly"
    )
