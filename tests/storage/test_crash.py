"""Crash safety: a process running use cases is SIGKILLed at random points, many times.

After each kill the database must pass `PRAGMA integrity_check`, every use case the child finished
must be there, and every use case must be whole or absent: its events, the read model built from
them, its report rows, and the outbox rows of every alert the events owe.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import storage
from tests.postgres import new_database
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import owed
from verification.events import from_record
from verification.incident import replay
from verification.usecases import ReportInput

ROOT = Path(__file__).resolve().parents[2]
KILLS = 25


@dataclass
class Snapshot:
    """What the checker reads of a database, the same from either backend."""

    events: dict[int, list[str]]  # incident -> event payloads in order
    incidents: dict[int, tuple[str, int]]  # incident -> (status, reports) of the read model
    incident_rows: list[int]  # incident numbers of the read model's rows (to catch duplicates)
    report_ids: dict[int, set[int]]
    alerts: dict[int, list[tuple[int, int, str]]]  # incident -> (seq, id, kind) in seq order
    delivered_alerts: set[int]  # alert ids with at least one delivery
    report_texts: set[str]
    statement_quotes: set[str]


def _snapshot(rows: Callable[[str], list[tuple[Any, ...]]]) -> Snapshot:
    events: dict[int, list[str]] = {}
    for number, payload in rows("SELECT number, payload FROM incident_events ORDER BY number, seq"):
        events.setdefault(number, []).append(payload)
    report_ids: dict[int, set[int]] = {}
    for number, report_id in rows("SELECT number, id FROM reports"):
        report_ids.setdefault(number, set()).add(report_id)
    alerts: dict[int, list[tuple[int, int, str]]] = {}
    for number, seq, alert_id, kind in rows("SELECT number, seq, id, kind FROM alerts ORDER BY number, seq"):
        alerts.setdefault(number, []).append((seq, alert_id, kind))
    incident_rows = rows("SELECT number, status, reports FROM incidents")
    return Snapshot(
        events,
        {n: (status, count) for n, status, count in incident_rows},
        [r[0] for r in incident_rows],
        report_ids,
        alerts,
        {r[0] for r in rows("SELECT DISTINCT alert_id FROM deliveries")},
        {r[0] for r in rows("SELECT what FROM reports")},
        {r[0] for r in rows("SELECT quote FROM statements WHERE quote IS NOT NULL")},
    )


def sqlite_snapshot(db_path: Path) -> Snapshot:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return _snapshot(lambda sql: db.execute(sql).fetchall())
    finally:
        db.close()


def postgres_snapshot(url: str) -> Snapshot:
    async def read() -> Snapshot:
        conn = await asyncpg.connect(url)
        try:
            fetched = {}
            for sql in _QUERIES:
                fetched[sql] = [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
        return _snapshot(lambda sql: fetched[sql])

    return asyncio.run(read())


_QUERIES: list[str] = []
_snapshot(lambda sql: _QUERIES.append(sql) or [])  # the queries it makes, to read them in one go


def check_consistent(snapshot: Snapshot) -> dict[str, set[str]]:
    """Every incident's read model, reports and outbox agree with its event log. Returns the op tags found."""
    found: dict[str, set[str]] = {"report": set(), "event": set(), "statement": set()}
    for number, payloads in snapshot.events.items():
        events = [from_record(json.loads(p)) for p in payloads]
        state = replay(events)
        assert snapshot.incidents.get(number) == (state.status.value, len(state.reports)), f"read model of #{number}"
        assert snapshot.report_ids.get(number, set()) == {r.report_id for r in state.reports}, f"reports of #{number}"
        messages = owed(events)
        alerts = snapshot.alerts.get(number, [])
        assert [a[0] for a in alerts] == [m.seq for m in messages], f"alerts of #{number}"
        for _, alert_id, kind in alerts:
            if kind == "alert":  # the alerts channel is configured, so an ALERT always has a delivery
                assert alert_id in snapshot.delivered_alerts
        for e in events:
            if e.reason.startswith("op-"):
                found["event"].add(e.reason)
    found["report"] = snapshot.report_texts
    found["statement"] = snapshot.statement_quotes
    assert Counter(snapshot.incident_rows) == Counter(list(snapshot.events))
    return found


def finished(journal) -> int:
    """How many use cases the children have finished so far, by their journal."""
    return journal.read_text().split().count("done") if journal.exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_killed_mid_stream_the_database_keeps_every_finished_use_case_and_no_half(tmp_path, backend, request):
    data, journal = tmp_path / "data", tmp_path / "journal.log"
    url = ""
    if backend == "postgres":
        cluster = request.getfixturevalue("postgres_cluster")
        url = asyncio.run(new_database(cluster))
    rng = random.Random(2025)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kill in range(KILLS):
        finished_before = finished(journal)
        errors = tmp_path / "child.err"
        with errors.open("wb") as err:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.storage.crash_child", str(data), str(journal), str(kill + 1), url],
                cwd=ROOT, env=env, stderr=err,
            )  # fmt: skip
            # The kill lands at a random moment once the child is working: on a loaded machine its start
            # alone can take longer than the random wait, and a round that finished nothing tests nothing.
            started = time.monotonic()
            while finished(journal) <= finished_before and time.monotonic() - started < 60:
                assert child.poll() is None, errors.read_text()
                time.sleep(0.02)
            time.sleep(rng.uniform(0.3, 1.2) if kill else 2.0)
            assert child.poll() is None, errors.read_text()
            child.send_signal(signal.SIGKILL)
            child.wait()
        found = check_consistent(postgres_snapshot(url) if url else sqlite_snapshot(data / "veraz.db"))
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
        check_consistent(sqlite_snapshot(tmp_path / "veraz.db"))


async def test_the_consistency_check_catches_a_half_written_use_case_on_postgres(tmp_path, postgres_cluster):
    url = await new_database(postgres_cluster)
    database = await storage.open_database(tmp_path, url=url)
    try:
        await set_up_chicago(database.unit_of_work())
        await usecases.submit_report(
            database.unit_of_work(),
            datetime(2025, 1, 24, 17, 0, tzinfo=UTC),
            ReportInput(CHICAGO, "r", "Hamline", "op-1"),
        )
        await database.fetch("DELETE FROM reports")
    finally:
        await database.close()
    snapshot = await asyncio.to_thread(postgres_snapshot, url)
    with pytest.raises(AssertionError, match="reports of #1"):
        check_consistent(snapshot)
