"""`veraz copy-db`: a SQLite network moved into an empty PostgreSQL database reads the same there."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from storage.postgres import copy as storage_copy
from storage.postgres.database import PostgresDatabase
from tests.feed.world import NOW, build
from tests.postgres import Cluster, drop_database, empty_database
from verification import usecases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def network(tmp_path: Path):
    """A SQLite database with a few weeks of a network's life: incidents, reports, alerts, deliveries."""
    database = await storage.open_database(tmp_path)
    world = await build(database)
    await storage.delivery_queue(database).remember_dm_channel(world.community.id, 501, 9501)
    await database.close()
    return world


async def test_everything_is_copied_and_reads_the_same_on_postgresql(tmp_path, network, postgres_cluster: Cluster):
    url = await empty_database(postgres_cluster)
    try:
        copied = await storage.copy_to_postgres(tmp_path, url)
        assert copied.rows["incident_events"] > 0
        assert copied.rows["deliveries"] > 0
        sqlite = await storage.open_database(tmp_path)
        pg = await PostgresDatabase.open(url)
        try:
            community = network.community.id
            assert await storage.export_community(pg, community, NOW) == await storage.export_community(
                sqlite, community, NOW
            )
            for number in (network.open_number, network.retracted_number):
                assert await usecases.delivery_log(pg.unit_of_work(), community, number) == await usecases.delivery_log(
                    sqlite.unit_of_work(), community, number
                )
            # New rows take ids after the copied ones: nothing collides, numbering goes on.
            outcome = await usecases.submit_report(
                pg.unit_of_work(), NOW, usecases.ReportInput(community, "r-new", "Hamline", "agents again")
            )
            numbers = (network.old_number, network.open_number, network.unconfirmed_number, network.unsent_number)
            assert outcome.number == max(numbers) + 1
        finally:
            await sqlite.close()
            await pg.close()
        with pytest.raises(storage.CopyRefused, match="not empty"):
            await storage.copy_to_postgres(tmp_path, url)
    finally:
        await drop_database(postgres_cluster, url)


async def test_the_command_copies_verifies_and_refuses_a_second_time(tmp_path, network, postgres_cluster: Cluster):
    url = await empty_database(postgres_cluster)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERAZ_")}
    env |= {"PYTHONPATH": str(ROOT), "VERAZ_DATA_DIR": str(tmp_path), "VERAZ_LOG_LEVEL": "ERROR"}
    command = [sys.executable, "-m", "bot", "copy-db", "--to", url]
    try:
        first = await asyncio.to_thread(_run, command, env)
        assert first.returncode == 0, first.stderr
        assert "every table's count verified" in first.stdout
        assert "incident_events: " in first.stdout
        again = await asyncio.to_thread(_run, command, env)
        assert again.returncode == 1
        assert "the target database is not empty" in again.stderr
    finally:
        await drop_database(postgres_cluster, url)


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_every_sqlite_table_is_copied_photos_too(tmp_path, network, postgres_cluster: Cluster):
    """A table copy-db does not name is silently left behind, and its count is never compared: photos
    (their signatures for the reuse check, and the queue posts retention must delete from Discord)."""
    import aiosqlite

    async with aiosqlite.connect(tmp_path / storage.DATABASE_NAME) as db:
        async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") as c:
            tables = {r[0] for r in await c.fetchall()}
        async with db.execute("SELECT id FROM reports ORDER BY id LIMIT 1") as c:
            (report,) = await c.fetchone()  # type: ignore[misc]
        await db.execute(
            "INSERT INTO photos (community, report_id, position, received_at, signature, had_gps, queue_channel, "
            "queue_message) VALUES (?, ?, 1, ?, ?, 0, 77, 88)",
            (network.community.id, report, NOW.isoformat(), b"\x01\x02signature"),
        )
        await db.commit()
    assert tables == set(storage_copy.TABLES)
    url = await empty_database(postgres_cluster)
    try:
        copied = await storage.copy_to_postgres(tmp_path, url)
        assert copied.rows["photos"] == 1
        pg = await PostgresDatabase.open(url)
        try:
            async with pg.connection() as conn:
                row = await conn.fetchrow("SELECT signature, queue_message FROM photos")
            assert (bytes(row["signature"]), row["queue_message"]) == (b"\x01\x02signature", 88)
        finally:
            await pg.close()
    finally:
        await drop_database(postgres_cluster, url)


async def test_the_copy_records_the_key_that_made_the_pseudonyms(tmp_path, network, postgres_cluster: Cluster):
    """The reporters' pseudonyms in the copy were made with this data directory's key. A second host
    started first with a fresh key (the operator forgot to copy it) must be refused, not recorded as the
    network's key (which would silently give every reporter a new pseudonym and refuse the right host)."""
    from storage.postgres.key_check import KeyMismatch, check_pseudonym_key
    from storage.pseudonyms import KEY_FILE, load_or_create_key

    key = load_or_create_key(tmp_path / KEY_FILE)
    url = await empty_database(postgres_cluster)
    try:
        await storage.copy_to_postgres(tmp_path, url)
        pg = await PostgresDatabase.open(url)
        try:
            with pytest.raises(KeyMismatch):
                await check_pseudonym_key(pg, load_or_create_key(tmp_path / "other" / KEY_FILE))
            await check_pseudonym_key(pg, key)
        finally:
            await pg.close()
    finally:
        await drop_database(postgres_cluster, url)
