"""Issue 26 §7: README's deployment kit works as written: the systemd unit is hardened, the crontab line
runs as cron would run it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    """The fenced block of README whose first line is `marker`, unindented."""
    for found in re.finditer(r"^( *)```\w*\n(.*?)^\1```", README, re.M | re.S):
        lines = [line.removeprefix(found.group(1)) for line in found.group(2).splitlines()]
        if lines and lines[0] == marker:
            return "\n".join(lines[1:]) + "\n"
    raise LookupError(f"no block starting {marker!r} in README")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_readme_unit_is_hardened(tmp_path: Path) -> None:
    unit = tmp_path / "veraz.service"
    unit.write_text(block("# /etc/systemd/system/veraz.service"), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    found = re.search(r"Overall exposure level for veraz\.service: (\d+\.\d+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.0, done.stdout
    for setting in ("Wants=network-online.target", "StateDirectory=veraz", "UMask=0077", "NoNewPrivileges=yes",
                    "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "RestrictAddressFamilies=",
                    "SystemCallFilter=", "CapabilityBoundingSet=\n", "RestartSec=", "User=veraz",
                    "LimitNOFILE=65536"):  # fmt: skip
        assert setting in unit.read_text(), setting


def as_cron_runs_it(line: str) -> tuple[str, str]:
    """(user, command) of a /etc/cron.d line, with cron's `%` rule applied: an unescaped `%` ends the
    command (the rest becomes its input), `\\%` is a `%`."""
    fields = line.split(None, 6)
    user, command = fields[5], fields[6]
    parts = re.split(r"(?<!\\)%", command)
    assert len(parts) == 1, f"an unescaped % would cut the command short: {command!r}"
    return user, command.replace("\\%", "%")


def test_the_readme_crontab_line_works(tmp_path: Path) -> None:
    """Run the job as cron would (sh -c, the file's variables), pointed at a scratch data directory."""
    crontab = block("# /etc/cron.d/veraz: a backup every night at 03:15, as the service user; a week of them kept")
    env_lines = [line for line in crontab.splitlines() if re.match(r"^[A-Z_]+=", line)]
    [job] = [line for line in crontab.splitlines() if line and line[0].isdigit()]
    user, command = as_cron_runs_it(job)
    assert user == "veraz"
    assert env_lines == ["VERAZ_DATA_DIR=/var/lib/veraz"]

    data, backups = tmp_path / "lib", tmp_path / "backups"
    backups.mkdir(mode=0o700)
    subprocess.run([sys.executable, "-c", "import asyncio, storage; "
                    f"asyncio.run(asyncio.run(storage.open_database(__import__('pathlib').Path({str(data)!r}))).close())"],
                   cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    old = backups / "veraz-2000-01-01.db"
    old.write_bytes(b"")
    os.utime(old, (time.time() - 9 * 86400, time.time() - 9 * 86400))
    veraz = f"{sys.executable} -m bot"
    local = command.replace("/opt/veraz/bin/veraz", veraz).replace("/var/backups/veraz", str(backups))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "VERAZ_"))}
    done = subprocess.run(["/bin/sh", "-c", local], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**clean, "PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(data)}, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")  # nothing for cron to mail when all went well
    assert sorted(p.name for p in backups.iterdir()) == [f"veraz-{date.today():%Y-%m-%d}.db"]  # the old one rotated
