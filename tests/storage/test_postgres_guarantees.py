"""What PostgreSQL itself guarantees for Veraz: append-only history, migrations applied once whoever
starts, retention that leaves no dead tuple holding purged text, no reporter id anywhere."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

import storage
from storage.postgres.database import PostgresDatabase
from storage.postgres.migrations import Migration, bundled, migrate, schema_version
from storage.postgres.transactions import lock_community
from storage.pseudonyms import Pseudonymizer
from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import moderator_pseudonyms
from tests.postgres import Cluster, drop_database, empty_database, new_database
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.model import Agency, Language
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
REPORTER_IDS = [111111111111111111, 222222222222222222, 333333333333333333]


@pytest.fixture
async def pg(postgres_cluster: Cluster, tmp_path: Path):
    url = await empty_database(postgres_cluster)
    database = await PostgresDatabase.open(url)
    try:
        yield database
    finally:
        await database.close()
        await drop_database(postgres_cluster, url)


async def test_the_event_log_refuses_update_delete_and_truncate(pg):
    uow = pg.unit_of_work()
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline", "agents"))
    async with pg.pool.acquire() as conn:
        for sql in (
            "UPDATE incident_events SET actor = 'someone else'",
            "DELETE FROM incident_events",
            "TRUNCATE incident_events CASCADE",
        ):
            with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
                await conn.execute(sql)
        assert await conn.fetchval("SELECT COUNT(*) FROM incident_events") == 1


async def test_processes_starting_at_once_migrate_the_database_once(postgres_cluster):
    url = await empty_database(postgres_cluster)
    try:
        opened = await asyncio.gather(*(PostgresDatabase.open(url) for _ in range(6)))
        async with opened[0].pool.acquire() as conn:
            assert await schema_version(conn) == len(bundled())
            assert await conn.fetchval("SELECT COUNT(*) FROM veraz_schema") == 1
            assert await conn.fetchval("SELECT COUNT(*) FROM veraz_leadership") == 1  # migration 2 ran once
        await asyncio.gather(*(d.close() for d in opened))
    finally:
        await drop_database(postgres_cluster, url)


async def test_a_failed_migration_leaves_the_old_schema_and_a_newer_one_is_refused(postgres_cluster):
    url = await empty_database(postgres_cluster)
    try:
        conn = await asyncpg.connect(url)
        try:
            broken = [
                *bundled(),
                Migration(len(bundled()) + 1, "9999_broken.sql", "CREATE TABLE half (x int);\nSELECT 1/0;"),
            ]
            with pytest.raises(storage.MigrationFailed, match="9999_broken"):
                await migrate(conn, broken)
            assert await schema_version(conn) == len(bundled())
            assert await conn.fetchval("SELECT to_regclass('half')") is None
            await conn.execute("UPDATE veraz_schema SET version = 99")
        finally:
            await conn.close()
        with pytest.raises(storage.SchemaTooNew, match="schema version 99"):
            await PostgresDatabase.open(url)
    finally:
        await drop_database(postgres_cluster, url)


async def _scenario(tmp_path: Path, database: PostgresDatabase) -> Pseudonymizer:
    pseudonym = Pseudonymizer.from_data_dir(tmp_path)
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 444444444444444444, None, Language.EN)
    for i, user in enumerate(REPORTER_IDS):
        await usecases.submit_report(
            uow,
            NOW + timedelta(minutes=i),
            ReportInput(CHICAGO, pseudonym(CHICAGO, user), "Hamline", f"CANARY-TEXT-{i} agents", None, Agency.ICE,
                        markings=f"CANARY-MARK-{i}"),
        )  # fmt: skip
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=5), CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=6), CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)
    await usecases.correct(uow, NOW + timedelta(minutes=7), CHICAGO, 1, MOD_C, "two agents")
    await usecases.resolve(uow, NOW + timedelta(minutes=8), CHICAGO, 1, MOD_C, "they left")
    return pseudonym


async def _dump(database: PostgresDatabase) -> str:
    """Every row of every table, as text."""
    async with database.pool.acquire() as conn:
        tables = [r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        lines = [str(r[0]) for t in tables for r in await conn.fetch(f"SELECT t::text FROM {t} t")]
    return "\n".join(lines)


async def _table_files(database: PostgresDatabase, *tables: str) -> bytes:
    """The bytes of the tables' files on disk, after a checkpoint wrote every page there; skips where
    the server's files are not this machine's to read (VERAZ_TEST_DATABASE_URL)."""
    async with database.pool.acquire() as conn:
        await conn.execute("CHECKPOINT")
        base = Path(await conn.fetchval("SELECT current_setting('data_directory')"))
        paths = [base / await conn.fetchval("SELECT pg_relation_filepath($1)", t) for t in tables]
    if not paths[0].exists():
        pytest.skip("the PostgreSQL server's files are not on this machine")
    return b"".join(p.read_bytes() for q in paths for p in [q, *q.parent.glob(q.name + ".*")] if p.exists())


async def test_no_reporter_discord_id_is_ever_written_to_the_database(tmp_path, pg):
    await _scenario(tmp_path, pg)
    dump = await _dump(pg)
    assert "CANARY-TEXT-0" in dump
    for user in REPORTER_IDS:
        assert str(user) not in dump
    assert "444444444444444444" in dump  # subscribers are stored: delivery needs them


async def test_purge_leaves_no_dead_tuple_holding_report_text_or_pseudonyms(tmp_path, pg):
    pseudonym = await _scenario(tmp_path, pg)
    assert b"CANARY-TEXT-0" in await _table_files(pg, "reports")  # the files can show what we look for
    assert (await storage.purge(pg, NOW + timedelta(days=29))).reports == 0
    assert (await storage.purge(pg, NOW + timedelta(days=31))).reports == 3
    raw = await _table_files(pg, "reports", "reporter_standing")
    for i in range(3):
        assert f"CANARY-TEXT-{i}".encode() not in raw
        assert f"CANARY-MARK-{i}".encode() not in raw
        assert pseudonym(CHICAGO, REPORTER_IDS[i]).encode() not in raw
    view = await usecases.incident_view(pg.unit_of_work(), CHICAGO, 1)
    assert len(view.reports) == 3
    assert all(r.what is None and r.where is None for r in view.reports)


async def test_forget_me_leaves_only_a_keyed_mark_and_no_dead_tuple(tmp_path, pg):
    pseudonym = await _scenario(tmp_path, pg)
    gone = pseudonym(CHICAGO, REPORTER_IDS[0])
    await usecases.forget_reporter(pg.unit_of_work(), CHICAGO, gone, NOW + timedelta(hours=1))
    await storage.release_forgotten(pg, NOW + timedelta(hours=1))
    await pg.checkpoint()  # what /forget-me does after the use case
    raw = await _table_files(pg, "reports")
    assert gone.encode() not in raw
    assert b"CANARY-TEXT-0" not in raw
    uow = pg.unit_of_work()
    async with uow:
        assert await uow.reports.reported_by(CHICAGO, 1, {gone, "someone else"}) == {gone}
    await storage.purge(pg, NOW + timedelta(days=31))
    async with uow:
        assert await uow.reports.reported_by(CHICAGO, 1, {gone}) == set()


async def test_the_last_purge_is_kept_in_the_database_across_restarts(pg):
    assert await storage.purge_due(pg, NOW)
    await storage.purge(pg, NOW)
    again = await PostgresDatabase.open(pg.url)  # another process, or a restart
    try:
        assert await storage.last_purge(again) == NOW
        assert not await storage.purge_due(again, NOW + timedelta(hours=23))
        assert await storage.purge_due(again, NOW + storage.PURGE_EVERY)
    finally:
        await again.close()


async def test_use_cases_of_one_community_from_many_tasks_and_processes_run_one_at_a_time(pg):
    """Two processes' pools, many tasks each sharing one unit of work, all on one community: every use
    case sees the one before it (no incident number twice, no event sequence clash, votes counted)."""
    other = await PostgresDatabase.open(pg.url)
    try:
        uows = [pg.unit_of_work(), other.unit_of_work()]
        await set_up_chicago(uows[0])
        places = ["Hamline", "Whittier Park", "Russell Elementary", "Whittier Elementary"]
        reports = [
            usecases.submit_report(
                uows[i % 2], NOW + timedelta(seconds=i), ReportInput(CHICAGO, f"r{i}", places[i % 4], f"agents {i}")
            )
            for i in range(40)
        ]
        outcomes = await asyncio.gather(*reports)
        numbers = sorted({o.number for o in outcomes})
        assert numbers == list(range(1, len(numbers) + 1))
        votes = [
            usecases.vote_confirm(
                uows[i % 2], NOW + timedelta(minutes=5), CHICAGO, number, moderator, pseudonyms=moderator_pseudonyms
            )
            for number in numbers
            for i, moderator in enumerate((MOD_A, MOD_B))
        ]
        await asyncio.gather(*votes)
        for number in numbers:
            incident = await usecases.incident(uows[0], CHICAGO, number)
            assert incident.status.value == "confirmed"
        total = [len((await usecases.incident(uows[1], CHICAGO, n)).reports) for n in numbers]
        assert sum(total) == 40
    finally:
        await other.close()


async def test_figures_are_read_without_waiting_for_a_use_case_in_progress_and_write_nothing(pg):
    """`uow.reading()` (the figures of /incident stats): a snapshot that takes no community's lock, so a long
    read neither waits for the community's use case in progress nor holds it up; a write in it fails."""
    uow = pg.unit_of_work()
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline", "two agents at the door"))
    async with pg.connection() as busy:  # a use case of the community, in progress
        await lock_community(busy, CHICAGO)
        figures = await asyncio.wait_for(usecases.stats(uow, NOW + timedelta(minutes=5), CHICAGO, 1), 5)
        assert figures.incidents == 1
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            async with uow.reading():
                await uow.places.set_grid(CHICAGO, [])


async def test_claims_at_once_claim_what_claims_one_after_the_other_do(postgres_cluster):
    """The fair rule's turns are one sequence: two claims at once (two pools) take the rows two claims in
    turn would, never one row twice, as storage.postgres.delivery_queue's claim lock makes them."""
    from tests.storage.test_fair_claims import message
    from verification.alerts import AlertKind
    from verification.community import Recipient, RecipientKind
    from verification.deliveries import NewDelivery

    async def world(url: str) -> None:
        database = await PostgresDatabase.open(url)
        uow = database.unit_of_work()
        try:
            for community, people in ((101, 30), (202, 3), (303, 20)):
                async with uow:
                    alert = await uow.outbox.add_alert(community, message(AlertKind.ALERT, 1, 1))
                    recipients = [Recipient(RecipientKind.DM, p, Language.EN) for p in range(people)]
                    await uow.outbox.enqueue(alert, [NewDelivery(r, 1) for r in recipients], NOW)
                    await uow.commit()
        finally:
            await database.close()

    urls = [await new_database(postgres_cluster) for _ in range(2)]
    opened: list[PostgresDatabase] = []
    try:
        for url in urls:
            await world(url)
            opened += [await PostgresDatabase.open(url), await PostgresDatabase.open(url)]
        in_turn = [[d.id for d in await storage.delivery_queue(opened[0]).claim(NOW, 7)] for _ in range(2)]
        at_once = await asyncio.gather(*(storage.delivery_queue(db).claim(NOW, 7) for db in opened[2:]))
        claimed = [[d.id for d in batch] for batch in at_once]
        assert sorted(claimed) == sorted(in_turn)
        assert len(set(claimed[0] + claimed[1])) == 14
    finally:
        for db in opened:
            await db.close()
        for url in urls:
            await drop_database(postgres_cluster, url)


async def test_work_started_by_a_commits_effects_opens_its_own_transaction(postgres_url: str):
    """The effects of a commit are shown while `async with uow:` is still open (queue cards are redrawn
    by a task the effects start): that task must not inherit the finished transaction as its own."""
    database = await PostgresDatabase.open(postgres_url)
    started: list[asyncio.Task[int]] = []

    async def card_task() -> int:
        async with uow:
            return int(await (await uow.conn()).fetchval("SELECT 1"))

    uow = database.unit_of_work(lambda effects: started.append(asyncio.create_task(card_task())))
    try:
        async with uow:
            uow.effects.card(1, 1)
            await uow.commit()
        assert [await task for task in started] == [1]
    finally:
        await database.close()
