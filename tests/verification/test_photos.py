"""Photos in the domain (issue 24): when two signatures are the same photo, what the card says of a photo's
age, what is kept, and the photo use cases on both stores (reuse only within a community, the per-reporter
limit, /forget-me, posts made after a removal)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.builders import MOD_C
from tests.fakes import FakeUnitOfWork
from tests.scenario_steps import CHICAGO as COMMUNITY
from tests.scenario_steps import set_up_chicago
from verification import usecases
from verification.community import Community
from verification.errors import RuleViolation
from verification.model import Agency, Status
from verification.photos import (
    CROPS,
    SAME_PHOTO_DISTANCE,
    Age,
    CaptureTime,
    EarlierPhoto,
    HashPair,
    PhotoFacts,
    Signature,
    date_photo,
    distance,
    earliest_match,
    same_photo,
)
from verification.ports import UnitOfWork
from verification.usecases import ReportInput

CHICAGO = ZoneInfo("America/Chicago")
SENT = datetime(2025, 3, 14, 15, 45, tzinfo=UTC)  # 10:45 in Chicago (CDT)


def signature(seed: int, aspect: float = 4 / 3) -> Signature:
    r = random.Random(seed)
    pair = lambda: HashPair(r.getrandbits(64), r.getrandbits(64))  # noqa: E731
    return Signature(aspect, pair(), tuple(pair() for _ in CROPS))


def flipped(pair: HashPair, bits: int) -> HashPair:
    return HashPair(pair.phash ^ ((1 << bits) - 1), pair.dhash)


# --- the same photo ----------------------------------------------------------------------------------


def test_a_signature_survives_the_database_and_refuses_another_version():
    found = signature(1)
    assert Signature.from_bytes(found.to_bytes()) == found
    assert len(found.to_bytes()) == 1 + 8 + 16 * (len(CROPS) + 1)
    with pytest.raises(ValueError, match="version"):
        Signature.from_bytes(b"\x09" + found.to_bytes()[1:])


def test_near_hashes_are_the_same_photo_and_far_ones_are_not():
    a = signature(1)
    near = Signature(a.aspect, flipped(a.whole, SAME_PHOTO_DISTANCE), signature(2).crops)
    far = Signature(a.aspect, flipped(a.whole, SAME_PHOTO_DISTANCE + 1), signature(2).crops)
    assert same_photo(a, near)
    assert distance(a, far) == SAME_PHOTO_DISTANCE + 1 or distance(a, far) > SAME_PHOTO_DISTANCE
    assert not same_photo(a, signature(3))


def test_a_crop_matches_the_crop_of_the_original_that_has_its_shape():
    original = signature(1, aspect=4 / 3)
    index = CROPS.index(next(c for c in CROPS if (c.left, c.top, c.right, c.bottom) == (0.2, 0.0, 0.0, 0.0)))
    shape = CROPS[index].kept_aspect(original.aspect)
    crop = Signature(shape, original.crops[index], signature(4).crops)
    assert distance(crop, original) == 0
    assert distance(original, crop) == 0  # and the other way round: the earlier one was the crop
    # The same hashes on a picture whose shape no crop explains are not compared at all.
    assert not same_photo(Signature(3.0, original.crops[index], signature(4).crops), original)


def test_the_first_photo_sent_is_the_match_not_a_later_copy():
    a = signature(1)
    earlier = [
        EarlierPhoto(7, 3, SENT - timedelta(days=2), a),
        EarlierPhoto(2, 1, SENT - timedelta(days=9), a),
        EarlierPhoto(5, 2, SENT - timedelta(days=1), signature(8)),
    ]
    found = earliest_match(a, earlier)
    assert found is not None
    assert found.number == 1
    assert earliest_match(signature(9), earlier) is None


# --- dated -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "age", "minutes"),
    [
        (CaptureTime(datetime(2025, 3, 14, 10, 42)), Age.RECENT, 3),  # community time, no offset
        (CaptureTime(datetime(2025, 3, 14, 10, 42), -300), Age.RECENT, 3),  # CDT: the same moment
        (CaptureTime(datetime(2025, 3, 14, 10, 42), 60), Age.OLDER, 363),  # 10:42 in Paris is 4:42 in Chicago
        (CaptureTime(datetime(2023, 3, 14, 10, 42)), Age.OLDER, None),
        (CaptureTime(datetime(2025, 3, 14, 2, 0)), Age.OLDER, None),  # the same day, before dawn
        (CaptureTime(datetime(2025, 3, 14, 11, 30)), Age.AFTER, -45),
        (None, Age.NO_TIME, 0),
    ],
)
def test_a_photo_is_dated_against_the_report(taken, age, minutes):
    found = date_photo(taken, SENT - timedelta(minutes=10), SENT, CHICAGO)
    assert found.age is age
    if minutes is not None:
        assert found.minutes_before == minutes


def test_an_older_photo_is_judged_against_the_reported_time_not_the_sending():
    taken = CaptureTime(datetime(2025, 3, 14, 7, 0))  # 07:00, sent at 10:45
    assert date_photo(taken, SENT - timedelta(hours=4), SENT, CHICAGO).age is Age.RECENT  # "about 7 a.m."
    assert date_photo(taken, SENT - timedelta(minutes=5), SENT, CHICAGO).age is Age.OLDER  # "just now"


# --- use cases, on both stores -----------------------------------------------------------------------


def facts(seed: int, *, gps: bool = True) -> PhotoFacts:
    return PhotoFacts(signature(seed), CaptureTime(datetime(2025, 3, 14, 10, 42), -300), "Google Pixel 7", gps)


async def reported(uow: UnitOfWork, reporter: str, where: str = "Hamline Elementary", at: datetime = SENT):
    data = ReportInput(community=COMMUNITY, reporter=reporter, where=where, what="agents", agency=Agency.ICE)
    outcome = await usecases.submit_report(uow, at, data)
    return outcome.number, outcome.report_id


async def added(uow: UnitOfWork, reporter: str, report_id: int, seed: int, at: datetime = SENT, position: int = 1):
    found = earliest_match(signature(seed), await usecases.photos_to_compare(uow, COMMUNITY, at))
    return await usecases.add_photo(uow, at, COMMUNITY, report_id, reporter, position, facts(seed), found)


async def test_a_photo_is_kept_with_what_the_card_says_and_shows_on_its_incident(uow):
    await set_up_chicago(uow)
    number, report_id = await reported(uow, "r1")
    stored = await added(uow, "r1", report_id, 1)
    assert (stored.number, stored.reporter, stored.position, stored.camera, stored.had_gps) == (
        number, 1, 1, "Google Pixel 7", True,
    )  # fmt: skip
    assert stored.dating(CHICAGO).minutes_before == 3
    assert stored.reused is None
    view = await usecases.incident_view(uow, COMMUNITY, number)
    assert view.photos == (stored,)
    if isinstance(uow, FakeUnitOfWork):
        assert uow.dispatched[-1].cards == frozenset({(COMMUNITY, number)})


async def test_the_same_photo_again_names_the_earlier_incident_and_its_outcome(uow):
    await set_up_chicago(uow)
    first, report_id = await reported(uow, "r1")
    await added(uow, "r1", report_id, 1)
    await usecases.debunk(uow, SENT, COMMUNITY, first, MOD_C, "an old photo")
    later = SENT + timedelta(days=21)
    second, other = await reported(uow, "r2", where="Davis Square Park", at=later)
    stored = await added(uow, "r2", other, 1, at=later)
    assert stored.reused is not None
    assert (stored.reused.number, stored.reused.days, stored.reused.outcome) == (first, 21, Status.DEBUNKED)
    assert not stored.reused.same_incident
    assert second != first


async def test_another_community_never_sees_the_photo(uow):
    await set_up_chicago(uow)
    async with uow:
        other = await uow.communities.get(COMMUNITY)
        assert other is not None
        await uow.communities.save(Community(id=COMMUNITY + 1, timezone=other.timezone, moderator_role=1,
                                             queue_channel=2, alerts_channel=3))  # fmt: skip
        await uow.commit()
    _, report_id = await reported(uow, "r1")
    await added(uow, "r1", report_id, 1)
    assert await usecases.photos_to_compare(uow, COMMUNITY + 1, SENT) == []
    assert len(await usecases.photos_to_compare(uow, COMMUNITY, SENT)) == 1


async def test_photos_count_against_the_reporters_limit_and_only_on_their_own_report(uow):
    await set_up_chicago(uow)
    async with uow:
        community = await uow.communities.get(COMMUNITY)
        assert community is not None
        limit = community.report_limit
    _, report_id = await reported(uow, "r1")
    with pytest.raises(RuleViolation) as refused:
        await added(uow, "someone else", report_id, 1)
    assert refused.value.code == "unknown_report"
    for seed in range(limit):
        await added(uow, "r1", report_id, 10 + seed, position=1 + seed % 2)
    with pytest.raises(RuleViolation) as refused:
        await added(uow, "r1", report_id, 99)
    assert refused.value.code == "photo_rate_limited"


async def test_forgetting_removes_the_signature_and_makes_the_post_due_for_deletion(uow):
    await set_up_chicago(uow)
    number, report_id = await reported(uow, "r1")
    kept = await added(uow, "r1", report_id, 1)
    late = await added(uow, "r1", report_id, 2, position=2)
    await usecases.photo_posted(uow, COMMUNITY, kept.id, 20, 555)
    await usecases.forget_reporter(uow, COMMUNITY, "r1", SENT + timedelta(minutes=5))
    assert await usecases.photos_to_compare(uow, COMMUNITY, SENT + timedelta(minutes=5)) == []
    [due] = await usecases.photo_posts_to_remove(uow)
    assert (due.photo_id, due.channel, due.message) == (kept.id, 20, 555)
    # A post made after the removal (the photo was being taken in) is due for deletion at once.
    await usecases.photo_posted(uow, COMMUNITY, late.id, 20, 556)
    assert [p.message for p in await usecases.photo_posts_to_remove(uow)] == [555, 556]
    await usecases.photo_post_removed(uow, kept.id)
    assert [p.message for p in await usecases.photo_posts_to_remove(uow)] == [556]
    shown = (await usecases.incident_view(uow, COMMUNITY, number)).photos
    assert [(p.removed, p.camera, p.taken) for p in shown] == [(True, None, None), (True, None, None)]
    if isinstance(uow, FakeUnitOfWork):
        assert any(e.photo_posts for e in uow.dispatched)
