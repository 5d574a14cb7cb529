"""What the database itself guarantees: append-only history, private reporters, purge, backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import storage
from storage.pseudonyms import KEY_FILE, Pseudonymizer
from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.community import Community
from verification.model import Agency, Language
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
REPORTER_IDS = [111111111111111111, 222222222222222222, 333333333333333333]


async def test_the_event_log_refuses_update_and_delete(database):
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline", "agents"))
    for sql in ("UPDATE incident_events SET actor = 'someone else'", "DELETE FROM incident_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await database.db.execute(sql)
    async with database.db.execute("SELECT COUNT(*) FROM incident_events") as cur:
        assert (await cur.fetchone())[0] == 1


async def test_incident_numbers_are_small_sequential_and_per_community(any_database):
    uow = any_database.unit_of_work()
    await set_up_chicago(uow)
    await usecases.configure_community(uow, usecases.Setup(2, 1, 2, 3, "America/Los_Angeles"))
    await usecases.import_places(uow, 2, "name,area,kind\nRussell Elementary,Florence,school\n")
    a = await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline", "agents"))
    b = await usecases.submit_report(uow, NOW, ReportInput(2, "r1", "Russell", "agents"))
    c = await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Whittier Park", "agents"))
    assert (a.number, b.number, c.number) == (1, 1, 2)


def test_pseudonyms_are_keyed_stable_per_community_and_the_key_is_private(tmp_path):
    first = Pseudonymizer.from_data_dir(tmp_path)
    again = Pseudonymizer.from_data_dir(tmp_path)
    assert first(1, REPORTER_IDS[0]) == again(1, REPORTER_IDS[0])
    assert first(1, REPORTER_IDS[0]) != first(2, REPORTER_IDS[0])
    assert str(REPORTER_IDS[0]) not in first(1, REPORTER_IDS[0])
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    other_key = Pseudonymizer(b"another key of sixteen+ bytes")
    assert other_key(1, REPORTER_IDS[0]) != first(1, REPORTER_IDS[0])


async def _scenario_with_real_ids(tmp_path, database) -> Pseudonymizer:
    """A whole incident life with real-looking Discord ids of reporters (moderators and subscribers too)."""
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


def _dump(path) -> str:
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


async def test_no_reporter_discord_id_is_ever_written_to_the_database(tmp_path, database):
    """Dump every row of every table after a full scenario: no reporter id, in any form, anywhere."""
    await _scenario_with_real_ids(tmp_path, database)
    await database.checkpoint()
    dump = _dump(database.path)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("veraz.db*"))
    assert "CANARY-TEXT-0" in dump  # the dump does contain the reports: it can see what we look for
    for user in REPORTER_IDS:
        assert str(user) not in dump
        assert str(user).encode() not in raw
        assert user.to_bytes(8, "big") not in raw
        assert user.to_bytes(8, "little") not in raw
    assert "444444444444444444" in dump  # subscribers are stored: delivery needs them


async def test_purge_forgets_report_text_and_pseudonyms_even_in_free_pages_and_the_wal(tmp_path, database):
    """Canary strings planted in reports are gone from every database file after the retention purge."""
    pseudonym = await _scenario_with_real_ids(tmp_path, database)
    result = await storage.purge(database, NOW + timedelta(days=29))
    assert result.reports == 0  # not old enough yet
    result = await storage.purge(database, NOW + timedelta(days=31))
    assert result.reports == 3
    files = list(tmp_path.glob("veraz.db*"))
    raw = b"".join(p.read_bytes() for p in files)
    for i in range(3):
        assert f"CANARY-TEXT-{i}".encode() not in raw
        assert f"CANARY-MARK-{i}".encode() not in raw
        assert pseudonym(CHICAGO, REPORTER_IDS[i]).encode() not in raw
    incident = await usecases.incident(database.unit_of_work(), CHICAGO, 1)
    assert len(incident.reports) == 3  # summaries and counts stay
    view = await usecases.incident_view(database.unit_of_work(), CHICAGO, 1)
    assert all(r.what is None and r.where is None for r in view.reports)


async def test_forget_me_leaves_only_a_keyed_mark_and_retention_clears_it(tmp_path, database):
    """The mark that stops a moderator confirming their own report is neither the pseudonym nor shared by
    two reports, and goes with the incident's other reports at retention."""
    pseudonym = await _scenario_with_real_ids(tmp_path, database)
    gone = pseudonym(CHICAGO, REPORTER_IDS[0])
    await usecases.forget_reporter(database.unit_of_work(), CHICAGO, gone, NOW + timedelta(hours=1))
    await storage.release_forgotten(database, NOW + timedelta(hours=1))
    await database.checkpoint()
    assert gone.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("veraz.db*"))
    uow = database.unit_of_work()
    async with uow:
        assert await uow.reports.reported_by(CHICAGO, 1, {gone, "someone else"}) == {gone}
    async with database.db.execute("SELECT mark FROM reports WHERE mark IS NOT NULL") as cur:
        [(mark,)] = await cur.fetchall()
    assert gone not in mark
    await storage.purge(database, NOW + timedelta(days=31))
    async with database.db.execute("SELECT COUNT(*) FROM reports WHERE mark IS NOT NULL") as cur:
        assert (await cur.fetchone())[0] == 0
    async with uow:
        assert await uow.reports.reported_by(CHICAGO, 1, {gone}) == set()


async def test_backup_is_a_consistent_copy_while_the_database_is_in_use(tmp_path, database):
    await _scenario_with_real_ids(tmp_path, database)
    target = tmp_path.with_name(f"{tmp_path.name}-backups") / "veraz-backup.db"  # never in the data directory
    version = await storage.backup(database.path, target)
    assert version >= 1
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM incident_events").fetchone()[0] > 0


async def test_restore_puts_a_backup_in_place_and_keeps_the_replaced_file(tmp_path):
    data = tmp_path / "data"
    database = await storage.open_database(data)
    await set_up_chicago(database.unit_of_work())
    backup_file = tmp_path / "b.db"
    await storage.backup(database.path, backup_file)
    await usecases.submit_report(database.unit_of_work(), NOW, ReportInput(CHICAGO, "r", "Hamline", "after backup"))
    await database.close()
    kept = storage.restore(backup_file, data / storage.DATABASE_NAME).kept
    assert kept is not None
    assert kept.exists()
    restored = await storage.open_database(data)
    try:
        assert await usecases.queue(restored.unit_of_work(), CHICAGO) == []
    finally:
        await restored.close()


def test_restore_refuses_a_damaged_backup(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises((storage.RestoreRefused, sqlite3.DatabaseError)):
        storage.restore(bad, tmp_path / "veraz.db")
    assert not (tmp_path / "veraz.db").exists()


def test_one_veraz_per_data_directory(tmp_path):
    with storage.DataDirLock(tmp_path), pytest.raises(storage.DataDirInUse):
        storage.DataDirLock(tmp_path).acquire()
    with storage.DataDirLock(tmp_path):
        pass  # released: a new one may start


async def test_restore_keeps_the_replaced_databases_last_commits(tmp_path):
    """Found in review: the replaced file's WAL was deleted, losing its last commits."""
    data = tmp_path / "data"
    database = await storage.open_database(data)
    await set_up_chicago(database.unit_of_work())
    backup_file = tmp_path / "b.db"
    await storage.backup(database.path, backup_file)
    await usecases.submit_report(database.unit_of_work(), NOW, ReportInput(CHICAGO, "r", "Hamline", "KEEP-ME"))
    copy = data / "copy-while-open.db"
    for suffix in ("", "-wal"):  # an unclean stop: the last commit lives only in the WAL
        src = data / f"veraz.db{suffix}"
        if src.exists():
            (data / f"copy-while-open.db{suffix}").write_bytes(src.read_bytes())
    await database.close()
    kept = storage.restore(backup_file, copy).kept
    assert kept is not None
    with sqlite3.connect(kept) as db:
        assert db.execute("SELECT COUNT(*) FROM reports WHERE what = 'KEEP-ME'").fetchone()[0] == 1


async def test_a_delivery_waiting_on_its_alert_does_not_make_the_worker_spin(any_database):
    """Found in review: next_due counted amendments that cannot be claimed yet."""
    from datetime import timedelta as td

    from tests.builders import MOD_A as A
    from tests.builders import MOD_B as B
    from tests.builders import Story, at
    from verification.alerts import owed
    from verification.community import Community, Recipient, RecipientKind
    from verification.deliveries import NewDelivery

    story = Story()
    story.do(story.incident.vote(A, at(5))).do(story.incident.vote(B, at(6)))
    story.do(story.incident.correct("fewer agents", A, at(7)))
    alert, correction = owed(story.events)
    uow = any_database.unit_of_work()
    dm = Recipient(RecipientKind.DM, 10, Language.EN)
    async with uow:
        await uow.communities.save(Community(id=1))
        await uow.incidents.append(1, 1, story.events, story.incident, ["k"], at(7))
        [row] = await uow.outbox.enqueue(await uow.outbox.add_alert(1, alert), [NewDelivery(dm, 1)], at(6))
        await uow.outbox.enqueue(await uow.outbox.add_alert(1, correction), [NewDelivery(dm, 0, row)], at(7))
        await uow.commit()
    queue = storage.delivery_queue(any_database)
    [claimed] = await queue.claim(at(8), 10)
    later = at(60)
    await queue.retry(claimed.id, "http 503", later, at(8))  # the ALERT waits out a back-off
    assert await queue.next_due() == later  # not the correction's due time, which cannot be claimed
    assert await queue.claim(at(9), 10) == []
    assert td(0) < later - at(8)


async def test_a_transaction_left_open_by_a_cancelled_begin_does_not_lock_everyone_out(tmp_path):
    """A task cancelled while its BEGIN ran in aiosqlite's thread leaves a transaction nobody owns; the
    next unit of work rolls it back and goes on, instead of failing on every BEGIN for ever."""
    database = await storage.open_database(tmp_path)
    try:
        await database.db.execute("BEGIN IMMEDIATE")  # what the cancelled task left behind
        uow = database.unit_of_work()
        async with uow:
            await uow.communities.save(Community(id=7))
            await uow.commit()
        async with uow:
            assert await uow.communities.get(7) is not None
    finally:
        await database.close()
