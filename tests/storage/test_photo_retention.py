"""What retention does to photos (issue 24), on SQLite and PostgreSQL: the card's facts go with the report's
text and the queue post becomes due for deletion; the signature is kept its own 180 days, then goes too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import storage
from tests.builders import MOD_C
from tests.scenario_steps import CHICAGO, set_up_chicago
from tests.verification.test_photos import facts
from verification import usecases
from verification.model import Agency
from verification.photos import SIGNATURE_KEPT
from verification.usecases import ReportInput

SENT = datetime(2025, 3, 14, 15, 45, tzinfo=UTC)


async def test_retention_purges_what_the_card_said_and_the_signature_in_its_own_time(any_database):
    database = any_database
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    data = ReportInput(community=CHICAGO, reporter="r1", where="Hamline Elementary", what="agents",
                       agency=Agency.ICE)  # fmt: skip
    outcome = await usecases.submit_report(uow, SENT, data)
    photo = await usecases.add_photo(uow, SENT, CHICAGO, outcome.report_id, "r1", 1, facts(1), None)
    await usecases.photo_posted(uow, CHICAGO, photo.id, 200, 777)
    await usecases.resolve(uow, SENT + timedelta(hours=1), CHICAGO, outcome.number, MOD_C)

    # Before retention: nothing changes.
    assert (await storage.purge(database, SENT + timedelta(days=10))).photos == 0
    assert await usecases.photo_posts_to_remove(uow) == []

    # Retention (30 days after closing): the card's facts go, the post is due; the signature stays.
    result = await storage.purge(database, SENT + timedelta(days=40))
    assert result.photos == 1
    [due] = await usecases.photo_posts_to_remove(uow)
    assert (due.channel, due.message) == (200, 777)
    [shown] = (await usecases.incident_view(uow, CHICAGO, outcome.number)).photos
    assert (shown.removed, shown.camera, shown.taken) == (True, None, None)
    assert len(await usecases.photos_to_compare(uow, CHICAGO, SENT + timedelta(days=40))) == 1

    # 180 days after it was sent, the signature goes as well.
    await storage.purge(database, SENT + SIGNATURE_KEPT + timedelta(days=1))
    assert await usecases.photos_to_compare(uow, CHICAGO, SENT) == []
    [shown] = (await usecases.incident_view(uow, CHICAGO, outcome.number)).photos
    assert (shown.removed, shown.camera, shown.taken, shown.had_gps) == (True, None, None, True)


async def test_a_restore_removes_again_what_was_removed_of_photos_since_the_backup(tmp_path):
    data_dir = tmp_path / "data"
    database = await storage.open_database(data_dir)
    uow = database.unit_of_work()
    await set_up_chicago(uow)
    data = ReportInput(community=CHICAGO, reporter="r1", where="Hamline Elementary", what="agents", agency=Agency.ICE)
    outcome = await usecases.submit_report(uow, SENT, data)
    photo = await usecases.add_photo(uow, SENT, CHICAGO, outcome.report_id, "r1", 1, facts(1), None)
    await usecases.photo_posted(uow, CHICAGO, photo.id, 200, 777)
    copy = tmp_path / "backup.db"
    await storage.backup(database.path, copy)
    await usecases.forget_reporter(uow, CHICAGO, "r1", SENT + timedelta(minutes=1))
    [due] = await usecases.photo_posts_to_remove(uow)
    await usecases.photo_post_removed(uow, due.photo_id)  # the bot deleted the post
    await database.close()

    storage.restore(copy, data_dir / storage.DATABASE_NAME)
    database = await storage.open_database(data_dir)
    try:
        uow = database.unit_of_work()
        assert await usecases.photos_to_compare(uow, CHICAGO, SENT) == []  # the signature stays forgotten
        [again] = await usecases.photo_posts_to_remove(uow)  # the bot looks, and finds it gone
        assert (again.channel, again.message) == (200, 777)
        [shown] = (await usecases.incident_view(uow, CHICAGO, outcome.number)).photos
        assert (shown.removed, shown.camera) == (True, None)
    finally:
        await database.close()
