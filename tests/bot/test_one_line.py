"""Issue 26 §6: one line, never a traceback, for every subcommand's bad input, through the real `veraz`."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage
from discord_emulator import DiscordEmulator
from tests.bot.test_cli import ROOT, free_port, outcome, veraz
from tests.bot.test_operating import human_lines
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.usecases import ReportInput

NOW = datetime.now(UTC).replace(microsecond=0)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
EVERY = [["run"], ["status"], ["purge"], ["backup", "b.db"], ["restore", "b.db"], ["export", "--community", "1"],
         ["stats", "--community", "1"], ["feed", "--community", "1"]]  # fmt: skip


def one_line(code: int, err: str) -> str:
    assert code != 0
    assert "Traceback" not in err, err
    [line] = human_lines(err)
    return line


async def a_data_dir(path: Path, reports: int = 0) -> Path:
    database = await storage.open_database(path)
    await set_up_chicago(database.unit_of_work())
    for i in range(reports):
        text = f"report {i} " + "x" * 900
        await usecases.submit_report(database.unit_of_work(), NOW, ReportInput(CHICAGO, f"r{i}", f"Place {i}", text))
    await database.close()
    return path


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("VERAZ_LOG_LEVEL", "LOUD", "VERAZ_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, not 'LOUD'"),
    ("VERAZ_START_PATIENCE", "soon", "VERAZ_START_PATIENCE must be a number of seconds, 0 or more, not 'soon'"),
    ("VERAZ_START_PATIENCE", "-5", "VERAZ_START_PATIENCE must be a number of seconds, 0 or more, not '-5'"),
])  # fmt: skip
async def test_a_bad_setting(tmp_path: Path, variable: str, value: str, said: str) -> None:
    for command in (["run"], ["status"]):
        code, _, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(tmp_path), variable: value,
                                                               "DISCORD_TOKEN": "x"}))  # fmt: skip
        assert code == 2
        assert one_line(code, err) == f"veraz: {said}"


@pytest.mark.parametrize("command", EVERY)
async def test_a_data_directory_that_is_a_file(tmp_path: Path, command: list[str]) -> None:
    afile = tmp_path / "veraz-data"
    afile.write_text("oops")
    code, _, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(afile), "DISCORD_TOKEN": "x"},
                                             cwd=tmp_path))  # fmt: skip
    assert one_line(code, err) == f"veraz {command[0]}: {afile} is a file, not a directory: check VERAZ_DATA_DIR"


@pytest.mark.parametrize("command", [["export", "--community", "123"], ["stats", "--community", "123"],
                                     ["feed", "--community", "123"]])  # fmt: skip
async def test_an_unknown_community(tmp_path: Path, command: list[str]) -> None:
    data = await a_data_dir(tmp_path / "data")
    code, _, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(data)}, cwd=tmp_path))
    line = one_line(code, err)
    assert line.startswith(f"veraz {command[0]}: no community 123 in {data / storage.DATABASE_NAME}")
    assert not (tmp_path / "veraz-export-123.json").exists()


async def test_a_key_that_cannot_be_read(tmp_path: Path) -> None:
    data = await a_data_dir(tmp_path / "data")
    (data / "pseudonym.key").mkdir()  # not a file: reading it fails, as an unreadable one would
    async with DiscordEmulator("run-token") as emu:
        env = {"DISCORD_TOKEN": emu.token, "VERAZ_DATA_DIR": str(data),
               "DISCORD_API_BASE_URL": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}  # fmt: skip
        code, _, err = await outcome(await veraz("run", env=env))
    line = one_line(code, err)
    assert line.startswith("veraz run: ")
    assert str(data / "pseudonym.key") in line
    assert "Unclosed" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
async def test_an_unreadable_backup(tmp_path: Path) -> None:
    data = await a_data_dir(tmp_path / "data")
    secret = tmp_path / "b.db"
    secret.write_bytes(b"")
    secret.chmod(0)
    code, _, err = await outcome(await veraz("restore", str(secret), env={"VERAZ_DATA_DIR": str(data)}))
    assert "ermission denied" in one_line(code, err)


async def test_a_backup_onto_a_full_disk_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    """The file size limit makes writes fail as a full disk does (EFBIG instead of ENOSPC)."""
    data = await a_data_dir(tmp_path / "data", reports=200)
    target = tmp_path / "backups" / "b.db"

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(target), cwd=ROOT, preexec_fn=small_files,
        env={**clean, "PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(data)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    code, _, err = await outcome(process)
    line = one_line(code, err)
    assert line.startswith(f"veraz backup: cannot write the backup {target}: ")
    assert sorted(p.name for p in target.parent.iterdir()) == []  # no .partial, no journal


async def test_sync_while_discord_is_down(tmp_path: Path) -> None:
    port = free_port()
    env = {"DISCORD_TOKEN": "x", "DISCORD_API_BASE_URL": f"http://127.0.0.1:{port}/api/v10"}
    code, _, err = await outcome(await veraz("sync", env=env, cwd=tmp_path))
    assert code == 3
    assert one_line(code, err) == f"veraz sync: cannot reach Discord: connection refused by 127.0.0.1:{port}; " \
                                  "try again later"  # fmt: skip
