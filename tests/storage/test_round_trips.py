"""How many statements (each a round trip to the server) a report costs on PostgreSQL: on a network
every one is a wait, so they are counted, and the count may only go down (bench/storage.py measures
the rate)."""

from __future__ import annotations

from pathlib import Path

import storage
from bench.storage import PLACES_CSV, stream
from storage.postgres.database import PostgresDatabase
from verification import usecases
from verification.model import Language
from verification.usecases import Setup

REPORTS = 60
STATEMENTS_PER_REPORT = 11.2  # 15.1 before: a pool reset query, BEGIN alone, places_stamp read twice, two counts


async def test_a_report_costs_few_round_trips(postgres_url: str):
    database = await storage.open_database(Path("."), url=postgres_url)
    assert isinstance(database, PostgresDatabase)
    uow = database.unit_of_work()
    await usecases.configure_community(uow, Setup(1, 10, 20, 30, "America/Chicago", Language.EN))
    await usecases.import_places(uow, 1, PLACES_CSV)
    sent: list[str] = []
    held = [await database.pool.acquire() for _ in range(database.pool.get_max_size())]
    for conn in held:  # every connection the pool has, each told to log what it sends
        conn.add_query_logger(lambda record: sent.append(record.query))
    for conn in held:
        await database.pool.release(conn)
    sent.clear()
    try:
        for now, data in stream(REPORTS):
            await usecases.submit_report(uow, now, data)
        per_report = len(sent) / REPORTS
        print(f"\n{per_report:.2f} statements per report")
        assert per_report <= STATEMENTS_PER_REPORT, sorted(set(sent))
    finally:
        await database.close()
