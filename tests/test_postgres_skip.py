"""Without PostgreSQL the PostgreSQL tests skip with one line saying why; CI's VERAZ_REQUIRE_POSTGRES=1
makes that a failure instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "async def test_needs_postgres(uow):\n    assert uow is not None\n"


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    probe = ROOT / "tests" / f"test_probe_{os.getpid()}.py"
    probe.write_text(PROBE)
    try:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("VERAZ_")}
        environment.update(VERAZ_TEST_PG_BIN=str(tmp_path / "nowhere"), **env)
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        probe.unlink()


def test_without_postgres_the_tests_skip_with_one_line_saying_why(tmp_path):
    done = _run(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "2 passed, 1 skipped" in done.stdout
    reasons = [line for line in done.stdout.splitlines() if "PostgreSQL tests skipped" in line]
    assert len(reasons) == 1, done.stdout
    assert "no pg_ctl in VERAZ_TEST_PG_BIN" in reasons[0]


def test_ci_turns_the_skip_into_a_failure(tmp_path):
    done = _run(tmp_path, VERAZ_REQUIRE_POSTGRES="1")
    assert done.returncode == 1, done.stdout
    assert "VERAZ_REQUIRE_POSTGRES=1 requires them" in done.stdout
