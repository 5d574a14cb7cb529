"""The fair claim's cost (issue 21) with a large backlog and a long history.

100,000 deliveries queued across 50 alerts in 10 communities, and 1,000,000 rows already sent in the
same table; then claims of one batch each (47 rows, about one second of sending, as the worker takes),
the claimed rows marked sent between claims as the worker would. Printed: the claim's work inside its
transaction (pick, read, mark) and the whole `claim()` call with its BEGIN and its COMMIT, median and
99th percentile. A second run adds the hard case for any claim that must step over rows it cannot take:
a CORRECTION of one alert queued while that alert's 2,000 DMs are still queued (each correction waits for
its ALERT to its recipient).

    python -m bench.fanout --claims [--queued 100000] [--alerts 50] [--sent 1000000] [--rounds 400]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage
from storage.sqlite.delivery_queue import claim_rows
from storage.sqlite.timestamps import ts
from verification.alerts import AlertFacts, AlertKind, AlertMessage, to_record
from verification.model import PlaceKind, Status

NOW = datetime(2025, 1, 24, 18, 0, tzinfo=UTC)
COMMUNITIES = 10
BATCH = 47  # the worker's batch at the pacer's 47 requests a second


def _payload(kind: AlertKind, number: int) -> str:
    facts = AlertFacts(
        number=number, status=Status.CONFIRMED, place="Hamline Elementary", area="Back of the Yards",
        place_kind=PlaceKind.SCHOOL, block=None, observed_at=NOW, agencies_named=(), people=2, reporter_count=2,
        contested=False, confirmed_at=NOW, confirmation_basis=None, confirmation_source=None,
        established_agency=None, statements=(), corrections=(), updates=(), change="", change_statement=None,
    )  # fmt: skip
    references = None if kind is AlertKind.ALERT else 1
    return json.dumps(to_record(AlertMessage(1, kind, number, 1, NOW, references, facts)))


def build(path: Path, queued: int, alerts: int, sent: int, *, blocked_correction: bool) -> None:
    """Rows written straight into a migrated database (a use case per row would take an hour)."""
    per_alert = queued // alerts
    old_alerts = max(1, sent // per_alert)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous = OFF")
        for c in range(1, COMMUNITIES + 1):
            db.execute("INSERT INTO communities (id) VALUES (?)", (c,))
            db.executemany(
                "INSERT INTO subscribers (community, user_id, language, dm_channel) VALUES (?, ?, 'en', ?)",
                [(c, u, 10_000_000 + u) for u in range(per_alert)],
            )
        stamp = ts(NOW - timedelta(minutes=5))
        next_id = 1

        def add(alert: int, community: int, number: int, kind: AlertKind, state: str, priority: int) -> None:
            nonlocal next_id
            db.execute(
                "INSERT INTO alerts (id, community, number, seq, kind, created_at, payload) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (alert, community, number, 1 if kind is AlertKind.ALERT else 2, kind.value, stamp,
                 _payload(kind, number)),
            )  # fmt: skip
            rows = []
            for u in range(per_alert):
                depends = None if kind is AlertKind.ALERT else first_of[(community, number)] + u
                rows.append((next_id, alert, community, number, kind.value, u, priority, depends, state,
                             f"n{next_id}", stamp))  # fmt: skip
                next_id += 1
            db.executemany(
                "INSERT INTO deliveries (id, alert_id, community, number, kind, recipient_kind, recipient, language, "
                "priority, depends_on, state, next_attempt_at, nonce, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'dm', ?, 'en', ?, ?, ?, ?11, ?10, ?11, ?11)",
                rows,
            )

        first_of: dict[tuple[int, int], int] = {}
        for i in range(old_alerts + alerts):
            community, number = i % COMMUNITIES + 1, i // COMMUNITIES + 1
            first_of[(community, number)] = next_id
            add(i + 1, community, number, AlertKind.ALERT, "sent" if i < old_alerts else "queued", 1)
        if blocked_correction:
            last = old_alerts + alerts - 1
            add(last + 2, last % COMMUNITIES + 1, last // COMMUNITIES + 1, AlertKind.CORRECTION, "queued", 0)
        db.execute("PRAGMA optimize")


async def measure(data: Path, rounds: int) -> tuple[list[float], list[float], list[float]]:
    database = await storage.open_database(data)
    queue = storage.SqliteDeliveryQueue(database)
    inside, cpu, whole = [], [], []
    try:
        for i in range(rounds):
            now = NOW + timedelta(seconds=i)
            if i % 2:
                started = time.perf_counter()
                batch = [d.id for d in await queue.claim(now, BATCH)]
                whole.append(time.perf_counter() - started)
            else:
                async with database.transaction() as tx:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    batch = [r["id"] for r in await claim_rows(tx.db, now, BATCH)]
                    inside.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                    await tx.commit()
            async with database.transaction() as tx:  # the worker records each send
                await tx.db.executemany(
                    "UPDATE deliveries SET state = 'sent', updated_at = ? WHERE id = ?", [(ts(now), d) for d in batch]
                )
                await tx.commit()
    finally:
        await database.close()
    return inside, cpu, whole


def _figures(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"median {statistics.median(ms):.2f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.2f} ms"


async def run(args: argparse.Namespace) -> None:
    for blocked in (False, True):
        with tempfile.TemporaryDirectory(prefix="veraz-claims-") as tmp:
            data = Path(tmp) / "data"
            await (await storage.open_database(data)).close()  # the schema, migrated
            started = time.monotonic()
            build(data / "veraz.db", args.queued, args.alerts, args.sent, blocked_correction=blocked)
            built = time.monotonic() - started
            inside, cpu, whole = await measure(data, args.rounds)
        what = " + a CORRECTION of one alert waiting on its 2,000 queued DMs" if blocked else ""
        print(f"claims of {BATCH} with {args.queued:,} queued across {args.alerts} alerts in {COMMUNITIES} "
              f"communities and {args.sent:,} sent rows{what} (built in {built:.0f} s), "
              f"{args.rounds} claims:")  # fmt: skip
        print(f"  the claim's work in its transaction: {_figures(inside)} (target: median <= 5 ms); "
              f"CPU time {_figures(cpu)} (what a busy machine does not inflate)")  # fmt: skip
        print(f"  the whole claim() with BEGIN and COMMIT (synchronous=FULL): {_figures(whole)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queued", type=int, default=100_000, help="with --claims: deliveries queued")
    parser.add_argument("--alerts", type=int, default=50, help="with --claims: alerts they are spread across")
    parser.add_argument("--sent", type=int, default=1_000_000, help="with --claims: rows already sent")
    parser.add_argument("--rounds", type=int, default=400, help="with --claims: claims measured")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    asyncio.run(run(parser.parse_args()))
