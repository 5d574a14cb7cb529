"""A unit of work cancelled while its BEGIN waits leaves no transaction open on the shared connection.

Found with issue 26: the delivery worker, cancelled at shutdown, could leave a BEGIN running in
aiosqlite's thread; the stop-time queries then failed with "cannot start a transaction within a
transaction", and the database was never closed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import storage
from verification import usecases


async def test_a_unit_of_work_cancelled_during_begin_leaves_no_transaction(tmp_path: Path) -> None:
    database = await storage.open_database(tmp_path)
    try:
        uow = database.unit_of_work()

        async def work() -> None:
            async with uow:
                await asyncio.sleep(10)

        task = asyncio.create_task(work())
        await asyncio.sleep(0)  # it holds the lock and waits for its BEGIN, which aiosqlite's thread runs
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await database.db.execute("SELECT 1")  # queued behind whatever the thread was given
        assert not database.db.in_transaction
        counts = await usecases.delivery_counts(database.unit_of_work())  # the next one works
        assert counts.queued == 0
    finally:
        await database.close()
