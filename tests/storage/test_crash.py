"""Crash safety: a process running use cases is SIGKILLed at random points, many times.

After each kill the database must pass `PRAGMA integrity_check`, every use case the child finished
must be there, and every use case must be whole or absent: its events, the read model built from
them, its report rows, and the outbox rows of every alert the events owe.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import owed
from verification.events import from_record
from verification.incident import replay
from verification.usecases import ReportInput

ROOT = Path(__file__).resolve().parents[2]
KILLS = 25


def check_consistent(db_path: Path) -> dict[str, set[str]]:
    """Every incident's read model, reports and outbox agree with its event log. Returns the op tags found."""
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        found: dict[str, set[str]] = {"report": set(), "event": set(), "statement": set()}
        numbers = [r[0] for r in db.execute("SELECT DISTINCT number FROM incident_events")]
        for number in numbers:
            events = [
                from_record(json.loads(p))
                for (p,) in db.execute("SELECT payload FROM incident_events WHERE number = ? ORDER BY seq", (number,))
            ]
            state = replay(events)
            status, reports = db.execute("SELECT status, reports FROM incidents WHERE number = ?", (number,)).fetchone()
            assert (status, reports) == (state.status.value, len(state.reports)), f"read model of #{number}"
            ids = {r[0] for r in db.execute("SELECT id FROM reports WHERE number = ?", (number,))}
            assert ids == {r.report_id for r in state.reports}, f"reports of #{number}"
            messages = owed(events)
            alerts = db.execute("SELECT seq FROM alerts WHERE number = ? ORDER BY seq", (number,)).fetchall()
            assert [a[0] for a in alerts] == [m.seq for m in messages], f"alerts of #{number}"
            for alert_id, kind in db.execute("SELECT id, kind FROM alerts WHERE number = ?", (number,)):
                if kind == "alert":  # the alerts channel is configured, so an ALERT always has a delivery
                    assert db.execute("SELECT COUNT(*) FROM deliveries WHERE alert_id = ?", (alert_id,)).fetchone()[0]
            for e in events:
                if e.reason.startswith("op-"):
                    found["event"].add(e.reason)
        found["report"] = {r[0] for r in db.execute("SELECT what FROM reports")}
        found["statement"] = {r[0] for r in db.execute("SELECT quote FROM statements WHERE quote IS NOT NULL")}
        assert Counter(r[0] for r in db.execute("SELECT number FROM incidents")) == Counter(numbers)
        return found
    finally:
        db.close()


@pytest.mark.slow
def test_killed_mid_stream_the_database_keeps_every_finished_use_case_and_no_half(tmp_path):
    data, journal = tmp_path / "data", tmp_path / "journal.log"
    rng = random.Random(2025)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kill in range(KILLS):
        errors = tmp_path / "child.err"
        with errors.open("wb") as err:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.storage.crash_child", str(data), str(journal), str(kill + 1)],
                cwd=ROOT, env=env, stderr=err,
            )  # fmt: skip
            time.sleep(rng.uniform(0.3, 1.2) if kill else 2.0)
            assert child.poll() is None, errors.read_text()
            child.send_signal(signal.SIGKILL)
            child.wait()
        found = check_consistent(data / "veraz.db")
        tags = found["report"] | found["event"] | found["statement"]
        lines = journal.read_text().split()
        done = {f"op-{lines[i + 1]}" for i, word in enumerate(lines) if word == "done"}
        assert done <= tags, f"finished use cases lost after kill {kill}: {sorted(done - tags)[:5]}"
    assert len(done) > 50, "the child did too little work to make the test meaningful"


async def test_the_consistency_check_catches_a_half_written_use_case(tmp_path):
    """The checker can fail: a report row missing beside its event is caught."""
    database = await storage.open_database(tmp_path)
    await set_up_chicago(database.unit_of_work())
    await usecases.submit_report(
        database.unit_of_work(),
        datetime(2025, 1, 24, 17, 0, tzinfo=UTC),
        ReportInput(CHICAGO, "r", "Hamline", "op-1"),
    )
    await database.db.execute("PRAGMA foreign_keys = OFF")
    await database.db.execute("DELETE FROM reports")
    await database.close()
    with pytest.raises(AssertionError, match="reports of #1"):
        check_consistent(tmp_path / "veraz.db")
