"""Issue 26 §5: maintenance commands that cannot hurt, through the real `veraz` command."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import storage
from storage.sqlite.migrations import bundled
from tests.bot.test_cli import outcome, veraz
from tests.bot.test_operating import human_lines
from tests.scenario_steps import CHICAGO, set_up_chicago

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
READERS = [["status"], ["purge"], ["export", "--community", str(CHICAGO)], ["stats", "--community", str(CHICAGO)],
           ["feed", "--community", str(CHICAGO)]]  # fmt: skip


async def a_data_dir(path: Path) -> Path:
    database = await storage.open_database(path)
    await set_up_chicago(database.unit_of_work())
    await database.close()
    return path


def names(directory: Path, pattern: str = "*") -> list[str]:
    return sorted(p.name for p in directory.glob(pattern))


def schema_of(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


@pytest.mark.parametrize("command", READERS)
async def test_a_mistyped_data_directory_is_an_error_not_an_empty_database(tmp_path: Path, command) -> None:
    typo = tmp_path / "veraz-dta"
    code, out, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(typo)}, cwd=tmp_path))
    assert code == 1
    assert f"veraz {command[0]}: data directory {typo}" in out + err  # every command says which it used
    [line] = human_lines(err)
    assert line == f"veraz {command[0]}: there is no Veraz database in {typo}: check VERAZ_DATA_DIR " \
                   "(only `veraz run` creates one)"  # fmt: skip
    assert "0 queued" not in out
    assert not typo.exists()
    # Unset: the default ./veraz-data, which is not there either.
    code, _, err = await outcome(await veraz(*command, env={}, cwd=tmp_path))
    assert code == 1
    assert f"no Veraz database in {tmp_path / 'veraz-data'}" in err
    assert names(tmp_path) == []


@pytest.mark.parametrize("command", READERS)
async def test_only_veraz_run_migrates(tmp_path: Path, command) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / storage.DATABASE_NAME) as db:
        db.executescript(bundled()[0].sql + "\nPRAGMA user_version = 1;")
    code, _, err = await outcome(await veraz(*command, env={"VERAZ_DATA_DIR": str(data)}))
    assert code == 1
    [line] = human_lines(err)
    assert line.startswith(f"veraz {command[0]}: this database has schema version 1, and this Veraz uses")
    assert "start `veraz run` once to upgrade it" in line
    assert schema_of(data / storage.DATABASE_NAME) == 1


async def test_veraz_run_keeps_a_copy_before_migrating(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / storage.DATABASE_NAME) as db:
        db.executescript(bundled()[0].sql + "\nPRAGMA user_version = 1;")
    database = await storage.open_database(tmp_path)  # what `veraz run` does at start
    await database.close()
    [copy] = [tmp_path / n for n in names(tmp_path, f"veraz.db.before-migration-1-to-{len(bundled())}-*")]
    assert schema_of(copy) == 1
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert schema_of(tmp_path / storage.DATABASE_NAME) == len(bundled())
    database = await storage.open_database(tmp_path)  # up to date: no second copy
    await database.close()
    assert len(names(tmp_path, "veraz.db.before-migration-*")) == 1


async def test_restore_refuses_what_is_not_a_veraz_backup(tmp_path: Path) -> None:
    data = await a_data_dir(tmp_path / "data")
    good = tmp_path / "good.db"
    assert (await outcome(await veraz("backup", str(good), env={"VERAZ_DATA_DIR": str(data)})))[0] == 0
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 200)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    unrelated = tmp_path / "firefox.sqlite"
    with sqlite3.connect(unrelated) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    before = (data / storage.DATABASE_NAME).read_bytes()
    refusals = [(text, "is not a Veraz backup"), (truncated, "not a Veraz backup"),
                (unrelated, "is an SQLite database, but not a Veraz one"), (tmp_path, "is a directory")]  # fmt: skip
    for bad, why in refusals:
        code, out, err = await outcome(await veraz("restore", str(bad), env={"VERAZ_DATA_DIR": str(data)}))
        assert code == 1, (bad, out)
        [line] = human_lines(err)
        assert line.startswith(f"veraz restore: {bad}"), line
        assert why in line, line
        assert "Traceback" not in err
        assert (data / storage.DATABASE_NAME).read_bytes() == before
        assert names(data) == ["veraz.db", "veraz.lock"]  # no .restoring left behind


async def test_backup_refuses_the_data_directory_and_existing_files_and_leaves_nothing_behind(tmp_path: Path) -> None:
    data = await a_data_dir(tmp_path / "data")
    env = {"VERAZ_DATA_DIR": str(data)}
    live = data / storage.DATABASE_NAME
    before = live.read_bytes()
    for target, why in [(live, "is inside the data directory"), (data / "b.db", "is inside the data directory"),
                        (tmp_path, "is a directory")]:  # fmt: skip
        code, _, err = await outcome(await veraz("backup", str(target), env=env))
        assert code == 1
        [line] = human_lines(err)
        assert why in line, line
    assert live.read_bytes() == before
    backups = tmp_path / "backups"
    code, _, err = await outcome(await veraz("backup", str(backups / "b.db"), env=env))
    assert code == 0, err
    code, _, err = await outcome(await veraz("backup", str(backups / "b.db"), env=env))
    assert code == 1
    assert "exists already: name a new file, or add --force to replace it" in err
    code, _, err = await outcome(await veraz("backup", str(backups / "b.db"), "--force", env=env))
    assert code == 0, err
    assert names(backups) == ["b.db"]  # no -wal, -shm or .partial beside it
    with sqlite3.connect(f"{(backups / 'b.db').as_uri()}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert names(backups) == ["b.db"]  # and opening it makes none
    code, _, err = await outcome(await veraz("restore", str(backups / "b.db"), env=env))
    assert code == 0, err
    assert names(backups) == ["b.db"]


async def test_export_is_private(tmp_path: Path) -> None:
    data = await a_data_dir(tmp_path / "data")
    out = tmp_path / "export.json"
    code, _, err = await outcome(await veraz("export", "--community", str(CHICAGO), "--out", str(out),
                                             env={"VERAZ_DATA_DIR": str(data)}))  # fmt: skip
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
