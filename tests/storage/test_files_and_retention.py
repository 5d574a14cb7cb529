"""Files on disk and retention: private whatever the umask; purges on the wall clock; restores that
do not bring purged text back."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from storage.pseudonyms import KEY_FILE, Pseudonymizer
from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.model import Agency
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
LOS_ANGELES = 2


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


async def test_the_data_directory_and_every_file_in_it_are_the_owners_alone(tmp_path, umask):
    """Found in review: the data directory, database, WAL and backups took the umask's modes (0755/0644,
    or 0777/0666 under a service manager's umask 0000): anyone on the machine could read reports."""
    data = tmp_path / "veraz-data"
    with storage.DataDirLock(data):
        database = await storage.open_database(data)
        try:
            await set_up_chicago(database.unit_of_work())
            Pseudonymizer.from_data_dir(data)
            backup_file = tmp_path / "backups" / "veraz-2025-01-24.db"
            await storage.backup(database.path, backup_file)
            assert mode(data) == 0o700
            for name in ("veraz.db", "veraz.db-wal", "veraz.db-shm", KEY_FILE, "veraz.lock"):
                assert mode(data / name) == 0o600, name
            assert mode(backup_file.parent) == 0o700
            assert mode(backup_file) == 0o600
        finally:
            await database.close()
        restored = storage.restore(backup_file, data / storage.DATABASE_NAME)
    assert restored.kept is not None
    assert mode(data / storage.DATABASE_NAME) == 0o600
    assert mode(restored.kept) == 0o600


async def test_a_database_left_readable_by_an_older_veraz_is_made_private(tmp_path, umask):
    with sqlite3.connect(tmp_path / "veraz.db") as db:
        db.execute("PRAGMA journal_mode = WAL")
    os.chmod(tmp_path / "veraz.db", 0o644)
    database = await storage.open_database(tmp_path)
    try:
        for name in ("veraz.db", "veraz.db-wal", "veraz.db-shm"):
            assert mode(tmp_path / name) == 0o600, name
    finally:
        await database.close()


async def test_an_existing_data_directory_is_left_as_the_admin_made_it(tmp_path, caplog):
    data = tmp_path / "var-lib-veraz"
    data.mkdir()
    os.chmod(data, 0o755)
    database = await storage.open_database(data)
    await database.close()
    assert mode(data) == 0o755
    assert "chmod 700" in caplog.text
    assert mode(data / "veraz.db") == 0o600


async def test_the_last_purge_is_kept_on_the_wall_clock_in_the_database(tmp_path):
    """Found in review: the daily purge was timed by the event loop's clock from 0 at every start, so a
    bot restarted more often than daily purged at every start, and the schedule lived in memory only."""
    database = await storage.open_database(tmp_path)
    try:
        assert await storage.last_purge(database) is None
        assert await storage.purge_due(database, NOW)
        await storage.purge(database, NOW)
        assert await storage.last_purge(database) == NOW
        assert not await storage.purge_due(database, NOW + timedelta(hours=23, minutes=59))
        assert await storage.purge_due(database, NOW + storage.PURGE_EVERY)
        assert await storage.purge_due(database, NOW - timedelta(hours=2))  # the clock was set back
    finally:
        await database.close()
    reopened = await storage.open_database(tmp_path)  # a restart, or `veraz purge` in another process
    try:
        assert await storage.last_purge(reopened) == NOW
        assert not await storage.purge_due(reopened, NOW + timedelta(hours=1))
    finally:
        await reopened.close()


async def _two_communities(database: storage.AnyDatabase) -> None:
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    await usecases.configure_community(uow, usecases.Setup(LOS_ANGELES, 1, 2, 3, "America/Los_Angeles"))
    await usecases.import_places(uow, LOS_ANGELES, "name,area,kind\nRussell Elementary,Florence,school\n")
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline", "LEFT-ALONE agentes"))
    await usecases.submit_report(uow, NOW, ReportInput(LOS_ANGELES, "r2", "russell elem.", "LEFT-SERVER 4 officers"))


async def test_purge_covers_every_community_in_the_database_including_one_the_bot_left(any_database):
    database = any_database
    """The database does not know which servers the bot is in: a community it left is purged like any."""
    await _two_communities(database)
    uow = database.unit_of_work()
    for community in (CHICAGO, LOS_ANGELES):
        await usecases.resolve(uow, NOW + timedelta(hours=1), community, 1, MOD_C, "they left")
    result = await storage.purge(database, NOW + timedelta(days=31))
    assert (result.reports, result.communities) == (2, 2)
    # The bot redraws these incidents' queue cards, which still show the text until then.
    assert sorted(result.incidents) == [(CHICAGO, 1), (LOS_ANGELES, 1)]
    again = await storage.purge(database, NOW + timedelta(days=32))
    assert (again.reports, again.incidents) == (0, ())


async def _reported_and_closed(database: storage.Database) -> None:
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    for i, who in enumerate(("p-ana", "p-beto", "p-caro")):
        report = ReportInput(CHICAGO, who, "Hamline", f"CANARY-{i} ICE en la puerta!!", None, Agency.ICE)
        await usecases.submit_report(uow, NOW + timedelta(minutes=i), report)
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=5), CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW + timedelta(minutes=6), CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)
    await usecases.resolve(uow, NOW + timedelta(minutes=8), CHICAGO, 1, MOD_C, "se fueron")


def _texts(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT what FROM reports WHERE what IS NOT NULL")}


async def test_restore_purges_again_what_was_purged_since_the_backup_and_says_how_much(tmp_path):
    """Found in review: restoring an older backup brought back report text purged since — a
    /forget-me undone without a word. The backup file itself still holds it (docs/SECURITY.md)."""
    data = tmp_path / "data"
    database = await storage.open_database(data)
    await _reported_and_closed(database)
    backup_file = tmp_path / "backups" / "b.db"
    await storage.backup(database.path, backup_file)
    await usecases.forget_reporter(database.unit_of_work(), CHICAGO, "p-beto", NOW + timedelta(days=1))
    await database.close()

    restored = storage.restore(backup_file, data / storage.DATABASE_NAME)
    assert (restored.repurged, restored.compared) == (1, True)
    assert not any("CANARY-1" in t for t in _texts(data / storage.DATABASE_NAME))
    assert len(_texts(data / storage.DATABASE_NAME)) == 2
    assert len(_texts(backup_file)) == 3  # the backup is not changed: rotate old backups away

    database = await storage.open_database(data)  # then the retention purge, and a second restore
    await storage.purge(database, NOW + timedelta(days=31))
    await database.close()
    second = storage.restore(backup_file, data / storage.DATABASE_NAME)
    assert (second.repurged, second.compared) == (3, True)
    assert second.kept != restored.kept  # two restores within a second keep both replaced files
    raw = b"".join((data / f"veraz.db{suffix}").read_bytes() for suffix in ("", "-wal", "-shm")
                   if (data / f"veraz.db{suffix}").exists())  # fmt: skip
    assert b"CANARY" not in raw


async def test_restore_with_nothing_purged_since_or_nothing_to_compare_with(tmp_path):
    data = tmp_path / "data"
    database = await storage.open_database(data)
    await _reported_and_closed(database)
    uow = database.unit_of_work()
    await usecases.forget_reporter(uow, CHICAGO, "p-beto", NOW + timedelta(minutes=9))  # keeps the pseudonym a while
    backup_file = tmp_path / "b.db"
    await storage.backup(database.path, backup_file)
    await usecases.forget_reporter(uow, CHICAGO, "p-beto", NOW + timedelta(minutes=10))  # again: nothing new purged
    await database.close()
    restored = storage.restore(backup_file, data / storage.DATABASE_NAME)
    assert (restored.repurged, restored.compared) == (0, True)
    empty = tmp_path / "new-machine"
    empty.mkdir()
    restored = storage.restore(backup_file, empty / storage.DATABASE_NAME)
    assert (restored.kept, restored.repurged, restored.compared) == (None, 0, False)
    assert len(_texts(empty / storage.DATABASE_NAME)) == 2


async def test_restore_never_purges_a_report_that_only_shares_an_id(tmp_path):
    """A backup of another installation has reports with the same ids: they are other reports."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    database = await storage.open_database(theirs)
    await _reported_and_closed(database)
    await storage.backup(database.path, tmp_path / "theirs.db")
    await database.close()
    database = await storage.open_database(ours)
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    for i in range(3):
        later = NOW + timedelta(days=3, minutes=i)
        await usecases.submit_report(uow, later, ReportInput(CHICAGO, f"q{i}", "Whittier Park", "other report"))
        await usecases.forget_reporter(uow, CHICAGO, f"q{i}", later)
    await database.close()
    restored = storage.restore(tmp_path / "theirs.db", ours / storage.DATABASE_NAME)
    assert restored.repurged == 0
    assert len(_texts(ours / storage.DATABASE_NAME)) == 3
