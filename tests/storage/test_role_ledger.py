"""The role ledger in SQLite and PostgreSQL: what retention forgets of it, and when (it names Discord users and the
times they held an area's role)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import storage
from tests import raw_sql
from tests.builders import MOD_C
from tests.scenario_steps import CHICAGO
from tests.verification.test_area_roles import BOTY, by_role, roles_on
from tests.verification.test_usecases import NOW, confirm, deliver_all, report
from verification import usecases
from verification.community import RecipientKind
from verification.model import Language


@pytest.fixture
def database(any_database: storage.AnyDatabase) -> storage.AnyDatabase:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_database


async def ledger(database: storage.AnyDatabase) -> dict[int, list[tuple[object, int | None]]]:
    """Each user's ledger rows: (removed_at, dm_channel)."""
    found = await raw_sql.fetch(database, "SELECT user_id, removed_at, dm_channel FROM role_ledger ORDER BY id")
    out: dict[int, list[tuple[object, int | None]]] = {}
    for user, removed, channel in found:
        out.setdefault(user, []).append((removed, channel))
    return out


async def test_retention_forgets_who_left_a_role_once_no_correction_can_need_them(database):
    """Found in review: the ledger (who held which area's role, when, and their DM channel) was kept for
    ever and documented nowhere."""
    uow = database.unit_of_work()
    await roles_on(uow)
    for user in (801, 802, 803):
        await by_role(uow, user, BOTY, Language.ES if user == 802 else Language.EN)
    await usecases.end_subscriptions(uow, CHICAGO, 801, None, NOW - timedelta(minutes=30))  # before any alert
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    await usecases.end_subscriptions(uow, CHICAGO, 802, None, NOW + timedelta(hours=1))  # after the alert went out
    await storage.delivery_queue(database).remember_dm_channel(CHICAGO, 802, 5802)

    # Months on, the incident still open: a correction of it must still reach 802; 801 never had it.
    await storage.purge(database, NOW + timedelta(days=90))
    kept = await ledger(database)
    assert 801 not in kept
    assert [channel for _, channel in kept[802]] == [5802]
    assert kept[803][0][0] is None  # still holds the role: kept, whatever its age

    # Closed for longer than the retention period (30 days): nothing can be owed on it any more.
    await usecases.resolve(uow, NOW + timedelta(days=91), CHICAGO, 1, MOD_C, "they left")
    await storage.purge(database, NOW + timedelta(days=120))
    assert 802 in await ledger(database)  # closed 29 days ago: a reopen and a correction may still come
    await storage.purge(database, NOW + timedelta(days=122))
    kept = await ledger(database)
    assert 802 not in kept
    assert list(kept) == [803]


async def test_role_posts_are_claimed_ahead_of_dms_of_the_same_priority(database):
    """Found in review: a second alert's role posts waited behind the first alert's whole DM fan-out,
    though one post reaches every holder of the area's roles at once."""
    uow = database.unit_of_work()
    await roles_on(uow)
    for user in range(600, 640):
        await usecases.subscribe(uow, CHICAGO, user, None, Language.EN)  # every area, by DM
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    pilsen = report(reporter="r2", where="whittier park", what="ICE van parked on 18th… 3 agents")
    await usecases.submit_report(uow, NOW + timedelta(minutes=3), pilsen)
    await confirm(uow, 2, NOW + timedelta(minutes=4))
    queue = storage.delivery_queue(database)
    first = await queue.claim(NOW + timedelta(minutes=5), 4)
    # Every post before any DM; the two alerts take turns (issue 21), the older first.
    assert [(d.message.number, d.recipient.kind) for d in first] == [
        (1, RecipientKind.ROLE_POST),
        (2, RecipientKind.ROLE_POST),  # Pilsen has an English role only: one post
        (1, RecipientKind.ROLE_POST),
        (2, RecipientKind.DM),  # alert 1 was served last
    ]
