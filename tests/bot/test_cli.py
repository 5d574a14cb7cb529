"""The `veraz` command line as an operator meets it: real processes, real signals, real files."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

import storage
from bot.demo.live_world import BOT_PERMISSIONS
from discord_emulator import DiscordEmulator
from discord_emulator.permissions import MANAGE_GUILD
from tests.scenario_steps import PLACES_CSV
from verification import usecases

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port on loopback nothing listens on (bound, then closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def veraz(*args: str, env: dict[str, str], cwd: Path = ROOT) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def outcome(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_missing_token_is_one_line_not_a_traceback(tmp_path):
    code, _, err = await outcome(await veraz("run", env={"VERAZ_DATA_DIR": str(tmp_path)}))
    assert code == 1
    assert err.strip() == "veraz run: DISCORD_TOKEN is not set: put the bot token in the environment (see README)"


async def test_a_wrong_token_is_one_line_not_a_traceback(tmp_path):
    async with DiscordEmulator("the-right-token") as emu:
        env = {"DISCORD_TOKEN": "a-wrong-token", "VERAZ_DATA_DIR": str(tmp_path),
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        code, _, err = await outcome(await veraz("run", env=env))
    assert code == 1
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("veraz run: Discord refused the token")


async def test_an_unreachable_discord_is_said_in_one_line_retried_then_given_up(tmp_path):
    """Nothing listens on the port: each try is one line naming the cause, then a non-zero exit."""
    port = free_port()  # closed again at once: connecting to it is refused
    env = {"DISCORD_TOKEN": "any", "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_START_PATIENCE": "3",
           "DISCORD_API_BASE_URL": f"http://127.0.0.1:{port}/api/v10"}  # fmt: skip
    code, _, err = await outcome(await veraz("run", env=env))
    lines = err.strip().splitlines()
    assert code == 3
    assert "Traceback" not in err
    assert "Unclosed" not in err
    assert "voice" not in err
    assert len(lines) >= 2  # retried at least once
    assert all(line.startswith("veraz run: ") for line in lines)
    assert lines[0] == f"veraz run: data directory {tmp_path}"  # said first (issue 26)
    lines = lines[1:]
    assert f"connection refused by 127.0.0.1:{port}" in lines[0]
    assert lines[-1].startswith("veraz run: gave up: Discord could not be reached for 3 s")


async def test_no_voice_warning_at_start(tmp_path):
    async with DiscordEmulator("the-right-token") as emu:
        env = {"DISCORD_TOKEN": "a-wrong-token", "VERAZ_DATA_DIR": str(tmp_path),
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        _, _, err = await outcome(await veraz("run", env=env))
    assert "voice will NOT be supported" not in err  # (the data directory's name has "voice" in it)


async def test_sigterm_shuts_down_cleanly_and_logs_never_hold_a_reporters_id(tmp_path):
    async with DiscordEmulator("run-token") as emu:
        guild = emu.create_guild("Test network")
        mods = guild.create_role("Moderators")
        emu.add_bot_to_guild(guild, permissions=BOT_PERMISSIONS)
        queue = guild.create_text_channel("queue")
        alerts = guild.create_text_channel("alerts")
        admin = guild.add_member("admin", permissions=MANAGE_GUILD)
        reporter = guild.add_member("reporter")
        env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_LOG_LEVEL": "DEBUG",
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        process = await veraz("run", env=env)
        try:
            await emu.wait_until_connected(timeout=20)
            await emu.wait_for(lambda: emu.services.commands.listing(guild.id), timeout=20, what="commands synced")
            await admin.slash("setup", moderator_role=mods, queue_channel=queue, alerts_channel=alerts,
                              timezone="America/Chicago")  # fmt: skip
            await admin.slash("places import", file=("p.csv", PLACES_CSV.encode()))
            reply = await reporter.slash("report", where="Hamline", what="two agents")
            assert "#1" in reply.content
            with pytest.raises(storage.DataDirInUse):  # a second bot on the same data would double-send
                storage.DataDirLock(tmp_path).acquire()
        finally:
            process.send_signal(signal.SIGTERM)
        code, _, err = await outcome(process)
    assert code == 0, err[-2000:]
    assert str(reporter.id) not in err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line["event"] == "connected" for line in lines)
    with storage.DataDirLock(tmp_path):
        pass  # released on exit


async def test_backup_restore_status_and_purge_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    database = await storage.open_database(data)
    from tests.scenario_steps import set_up_chicago

    await set_up_chicago(database.unit_of_work())
    await database.close()
    env = {"VERAZ_DATA_DIR": str(data)}
    code, out, _ = await outcome(await veraz("backup", str(tmp_path / "b.db"), env=env))
    assert code == 0
    assert "pseudonym.key" in out
    code, out, _ = await outcome(await veraz("status", env=env))
    assert code == 0
    assert "\ndeliveries: 0 queued" in out
    code, out, _ = await outcome(await veraz("purge", env=env))
    assert code == 0
    assert "retention applied" in out
    code, out, _ = await outcome(await veraz("restore", str(tmp_path / "b.db"), env=env))
    assert code == 0
    assert "restored" in out
    code, _, err = await outcome(await veraz("restore", str(tmp_path / "missing.db"), env=env))
    assert code == 1
    assert "no backup at" in err


async def test_export_holds_the_incidents_but_no_pseudonym_and_no_subscriber_id(tmp_path):
    from datetime import UTC, datetime

    from storage.pseudonyms import Pseudonymizer
    from verification.model import Language
    from verification.usecases import ReportInput

    data = tmp_path / "data"
    database = await storage.open_database(data)
    from tests.scenario_steps import CHICAGO, set_up_chicago

    uow = database.unit_of_work()
    await set_up_chicago(uow)
    pseudonym = Pseudonymizer(b"sixteen bytes of key at least")(CHICAGO, 111)
    await usecases.subscribe(uow, CHICAGO, 987654321987654321, None, Language.EN)
    await usecases.submit_report(uow, datetime(2025, 1, 24, 17, 20, tzinfo=UTC),
                                 ReportInput(CHICAGO, pseudonym, "Hamline", "EXPORTED-TEXT"))  # fmt: skip
    await database.close()
    out = tmp_path / "export.json"
    code, printed, err = await outcome(
        await veraz("export", "--community", str(CHICAGO), "--out", str(out), env={"VERAZ_DATA_DIR": str(data)})
    )
    assert code == 0, err
    assert "1 incident(s)" in printed
    text = out.read_text()
    exported = json.loads(text)
    assert exported["incidents"][0]["history"][0]["kind"] == "reported"
    assert exported["reports"][0]["what"] == "EXPORTED-TEXT"
    assert exported["subscriptions"] == {"subscribers": 1, "by_area": {"(every area)": 1}}
    assert pseudonym not in text
    assert "987654321987654321" not in text
    code, _, err = await outcome(await veraz("export", "--community", "42", env={"VERAZ_DATA_DIR": str(data)}))
    assert code == 1
    assert "no community 42" in err
