"""What `veraz restore` leaves for `veraz run` (issue 26): the backup's horizon, taken into the database."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import storage
from storage.sqlite.restores import CLOCK_SKEW, DISCORD_EPOCH, NOTE, backup_horizon, leave_note
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)


async def test_the_horizon_is_just_before_the_latest_moment_the_backup_knew(tmp_path: Path) -> None:
    database = await storage.open_database(tmp_path / "data")
    try:
        uow = database.unit_of_work()
        await set_up_chicago(uow)
        await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "rep", "Hamline Elementary", "agents"))
    finally:
        await database.close()
    backup = tmp_path / "backup.db"
    database = await storage.open_database(tmp_path / "data")
    await database.close()
    await storage.backup(tmp_path / "data" / storage.DATABASE_NAME, backup)
    assert backup_horizon(backup) == NOW - CLOCK_SKEW


async def test_an_empty_backup_knew_nothing_and_orphans_everything(tmp_path: Path) -> None:
    database = await storage.open_database(tmp_path / "data")
    await database.close()
    assert backup_horizon(tmp_path / "data" / storage.DATABASE_NAME) == DISCORD_EPOCH


async def test_two_restores_keep_the_earlier_horizon_and_the_bot_takes_the_note_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = await storage.open_database(data)
    try:
        leave_note(data, NOW)
        leave_note(data, datetime(2025, 1, 20, tzinfo=UTC))
        leave_note(data, NOW)
        assert stat.S_IMODE((data / NOTE).stat().st_mode) == 0o600
        assert await storage.sweep_due(database) is None
        await storage.take_note(database, data)
        assert not (data / NOTE).exists()
        assert await storage.sweep_due(database) == datetime(2025, 1, 20, tzinfo=UTC)
        assert await storage.restored_horizon(database) == datetime(2025, 1, 20, tzinfo=UTC)
        await storage.sweep_done(database, datetime(2025, 1, 20, tzinfo=UTC))
        assert await storage.sweep_due(database) is None
        assert await storage.restored_horizon(database) == datetime(2025, 1, 20, tzinfo=UTC)  # kept for good
    finally:
        await database.close()


async def test_a_damaged_note_is_read_as_the_safest_horizon(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = await storage.open_database(data)
    try:
        (data / NOTE).write_text("{not json", encoding="utf-8")
        await storage.take_note(database, data)
        assert await storage.sweep_due(database) == DISCORD_EPOCH
    finally:
        await database.close()
