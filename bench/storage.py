"""submit_report end to end (use case + SQLite, one transaction each) beside raw aiosqlite inserts.

Both run in the same process, on the same disk, with the same settings (WAL, BEGIN IMMEDIATE,
synchronous=FULL, then again with NORMAL to show what FULL costs), so the ratio means something on a
shared, noisy machine. Then the size of a database holding 100,000 reports.

    python -m bench.storage [--reports 5000] [--size-reports 100000]
    python -m bench.storage --database postgresql [--url postgresql://...]

On PostgreSQL, submit_report (use case, one transaction each, with the community's lock) beside raw
single-row asyncpg inserts, one transaction each, on the same server; the server is a throwaway one the
tests' helper starts (fsync off: the ratio is what it measures, not the disk) unless --url or
VERAZ_TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

import storage
from storage.sqlite.database import connect
from verification import usecases
from verification.model import Language
from verification.usecases import ReportInput, Setup

STREETS = ["Pulaski", "Kedzie", "Cicero", "Ashland", "Halsted", "Western", "Damen", "Racine", "Archer", "Cermak"]
PLACES_CSV = "name,area,kind,aliases\n" + "".join(f"School {i},Area {i % 12},school,\n" for i in range(60))


class Raw:
    """Single-row inserts, one BEGIN IMMEDIATE ... COMMIT each: the floor a use case is measured against."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.path, self.synchronous = path, synchronous

    async def __aenter__(self) -> Raw:
        self.db = await connect(self.path, synchronous=self.synchronous)
        await self.db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, community INTEGER, what TEXT, at TEXT)")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.db.close()

    async def run(self, n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            await self.db.execute("BEGIN IMMEDIATE")
            await self.db.execute("INSERT INTO t (community, what, at) VALUES (?, ?, ?)", (1, f"r{i}", "2025-01-24"))
            await self.db.commit()
        return n / (time.perf_counter() - start)


def stream(n: int, seed: int = 11) -> list[tuple[datetime, ReportInput]]:
    """Reports over days: places (known schools and street corners) spread, incidents age out."""
    rng = random.Random(seed)
    now = datetime(2025, 1, 24, 12, 0, tzinfo=UTC)
    out = []
    for _ in range(n):
        now += timedelta(seconds=rng.randrange(20, 90))
        if rng.random() < 0.4:
            where = f"School {rng.randrange(60)}"
        else:
            where = f"{rng.randrange(1, 60)}th & {rng.choice(STREETS)}"
        what = "two agents at the door, unmarked grey SUV, vests that say POLICE ICE"
        out.append((now, ReportInput(1, f"reporter-{rng.randrange(5000)}", where, what, None, people=2)))
    return out


async def use_case_rates(
    data_dir: Path, raw: Raw, reports: list[tuple[datetime, ReportInput]], synchronous: str, rounds: int
) -> tuple[float, float]:
    """Median rates of submit_report and of raw inserts, measured in alternating rounds.

    Alternating the two in short rounds means both see the same disk and the same neighbours; a
    disturbance hits one round of each, and the median ignores it.
    """
    database = await storage.open_database(data_dir, synchronous=synchronous)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, Setup(1, 10, 20, 30, "America/Chicago", Language.EN))
    await usecases.import_places(uow, 1, PLACES_CSV)
    size = len(reports) // rounds
    ours, floors = [], []
    for r in range(rounds):
        chunk = reports[r * size : (r + 1) * size]
        start = time.perf_counter()
        for now, data in chunk:
            await usecases.submit_report(uow, now, data)
        ours.append(len(chunk) / (time.perf_counter() - start))
        floors.append(await raw.run(len(chunk)))
    await database.close()
    return statistics.median(ours), statistics.median(floors)


async def size_of(data_dir: Path, reports: list[tuple[datetime, ReportInput]]) -> int:
    # Size does not depend on fsync: NORMAL makes the 100,000-report load quicker.
    database = await storage.open_database(data_dir, synchronous="NORMAL")
    uow = database.unit_of_work()
    await usecases.configure_community(uow, Setup(1, 10, 20, 30, "America/Chicago", Language.EN))
    await usecases.import_places(uow, 1, PLACES_CSV)
    for now, data in reports:
        await usecases.submit_report(uow, now, data)
    await database.checkpoint()
    await database.close()
    return _bytes(data_dir)


def _bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("veraz.db*"))


class RawPostgres:
    """Single-row inserts with asyncpg, one transaction each: the floor on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self) -> RawPostgres:
        self.conn = await asyncpg.connect(self.url)
        await self.conn.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, community bigint, what text, at text)"
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.conn.close()

    async def run(self, n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            async with self.conn.transaction():
                await self.conn.execute(
                    "INSERT INTO bench_raw (community, what, at) VALUES ($1, $2, $3)", 1, f"r{i}", "2025-01-24"
                )
        return n / (time.perf_counter() - start)


async def postgres_rates(
    url: str, raw: RawPostgres, reports: list[tuple[datetime, ReportInput]], rounds: int
) -> tuple[float, float]:
    database = await storage.open_database(Path("."), url=url)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, Setup(1, 10, 20, 30, "America/Chicago", Language.EN))
    await usecases.import_places(uow, 1, PLACES_CSV)
    size = len(reports) // rounds
    ours, floors = [], []
    for r in range(rounds):
        chunk = reports[r * size : (r + 1) * size]
        start = time.perf_counter()
        for now, data in chunk:
            await usecases.submit_report(uow, now, data)
        ours.append(len(chunk) / (time.perf_counter() - start))
        floors.append(await raw.run(len(chunk)))
    await database.close()
    return statistics.median(ours), statistics.median(floors)


async def main_postgres(args: argparse.Namespace) -> None:
    from tests.postgres import drop_database, empty_database, start_cluster

    cluster = start_cluster() if not args.url else None
    try:
        url = args.url or await empty_database(cluster)  # type: ignore[arg-type]
        where = "the given server" if args.url else "a throwaway local cluster, fsync off"
        async with RawPostgres(url) as raw:
            ours, floor = await postgres_rates(url, raw, stream(args.reports), args.rounds)
        print(
            f"PostgreSQL ({where}): submit_report {ours:,.0f} reports/s; raw single-row asyncpg insert per "
            f"transaction {floor:,.0f} rows/s; ratio {ours / floor:.0%} (medians of {args.rounds} alternating rounds)"
        )
        if cluster is not None:
            await drop_database(cluster, url)
    finally:
        if cluster is not None:
            cluster.stop()


async def main(args: argparse.Namespace) -> None:
    if args.database == "postgresql":
        await main_postgres(args)
        return
    reports = stream(args.reports)
    with tempfile.TemporaryDirectory(prefix="veraz-bench-", dir=args.dir) as tmp:
        root = Path(tmp)
        for mode in ("FULL", "NORMAL"):
            async with Raw(root / f"raw-{mode}.db", mode) as raw:
                ours, floor = await use_case_rates(root / f"uc-{mode}", raw, reports, mode, args.rounds)
            print(
                f"synchronous={mode}: submit_report {ours:,.0f} reports/s; raw single-row insert per transaction "
                f"{floor:,.0f} rows/s; ratio {ours / floor:.0%} (target >= 50% with FULL; medians of {args.rounds} "
                "alternating rounds)"
            )
        if args.size_reports:
            size = await size_of(root / "size", stream(args.size_reports, seed=12))
            print(f"database size for {args.size_reports:,} reports: {size / 1e6:,.1f} MB "
                  f"({size / args.size_reports:,.0f} bytes/report, WAL checkpointed)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--size-reports", type=int, default=100_000)
    parser.add_argument("--dir", default=None, help="where to put the databases (default: the system temp dir)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", default=None, help="a PostgreSQL server to use instead of a throwaway one")
    asyncio.run(main(parser.parse_args()))
