"""Migrations: fresh install, upgrade from every earlier version, refusal of a newer database."""

from __future__ import annotations

import sqlite3

import aiosqlite
import pytest

import storage
from storage.sqlite.database import connect
from storage.sqlite.migrations import Migration, MigrationFailed, SchemaTooNew, bundled, migrate, user_version


async def test_a_fresh_database_reaches_the_latest_version(tmp_path):
    database = await storage.open_database(tmp_path)
    try:
        assert await user_version(database.db) == len(bundled())
        async with database.db.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with database.db.execute("PRAGMA synchronous") as cur:
            assert (await cur.fetchone())[0] == 2  # FULL
        async with database.db.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
        async with database.db.execute("PRAGMA busy_timeout") as cur:
            assert (await cur.fetchone())[0] >= 5000
    finally:
        await database.close()


@pytest.mark.parametrize("start", range(len(bundled())))
async def test_every_earlier_version_upgrades_to_the_latest(tmp_path, start):
    """A database left at any earlier version migrates forward and ends with the same schema as a fresh one."""
    path = tmp_path / "old.db"
    db = await connect(path)
    await migrate(db, bundled()[:start])
    assert await user_version(db) == start
    await migrate(db)
    upgraded = await _schema(db)
    await db.close()
    fresh_db = await connect(tmp_path / "fresh.db")
    await migrate(fresh_db)
    assert upgraded == await _schema(fresh_db)
    await fresh_db.close()


async def test_a_database_from_a_newer_veraz_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "veraz.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(bundled()) + 1}")
    with pytest.raises(SchemaTooNew, match="upgrade Veraz"):
        await storage.open_database(tmp_path)


async def test_a_failed_migration_leaves_the_old_schema_intact(tmp_path):
    db = await connect(tmp_path / "veraz.db")
    await migrate(db, bundled()[:1])
    before = await _schema(db)
    broken = Migration(2, "0002_broken.sql", "CREATE TABLE half_done (x INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(MigrationFailed):
        await migrate(db, [*bundled()[:1], broken])
    assert await user_version(db) == 1
    assert await _schema(db) == before
    await db.close()


async def _schema(db: aiosqlite.Connection) -> list[tuple[str, str]]:
    async with db.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name") as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


async def test_the_feed_becomes_a_recipient_of_all_a_public_communitys_messages(tmp_path):
    """Issue 23: the old rule hid a message once all its deliveries were cancelled (its retraction went to
    nobody), though a reader may have taken it. Every message of a community that ever turned its feed on
    is published; none of a community that never did."""
    db = await connect(tmp_path / "veraz.db")
    await migrate(db, bundled()[:8])
    await db.executescript(
        """
        INSERT INTO communities (id, feed, feed_slug) VALUES (1, 0, 'abcdefghijkmnpqr'), (2, 0, NULL);
        INSERT INTO alerts (id, community, number, seq, kind, amends, created_at, payload) VALUES
            (1, 1, 1, 1, 'alert', NULL, '2025-01-24T10:00:00.000000Z', '{}'),
            (2, 1, 1, 2, 'retraction', 1, '2025-01-24T10:01:00.000000Z', '{}'),
            (3, 2, 1, 1, 'alert', NULL, '2025-01-24T10:00:00.000000Z', '{}');
        """
    )
    await migrate(db)
    async with db.execute("SELECT id, feed_at FROM alerts ORDER BY id") as cursor:
        rows = [tuple(r) for r in await cursor.fetchall()]
    await db.close()
    assert rows == [(1, "2025-01-24T10:00:00.000000Z"), (2, "2025-01-24T10:01:00.000000Z"), (3, None)]
