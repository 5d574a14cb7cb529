"""What a reporter may still fix about their own report (its time from a button, its place from a menu)
and what they may not: found in an adversarial review. On the in-memory fake and on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from tests.verification.test_usecases import NOW, confirm, deliver_all, log, report
from verification import usecases
from verification.alerts import AlertKind
from verification.deliveries import DeliveryState
from verification.errors import RuleViolation
from verification.model import Language

pytestmark = pytest.mark.parametrize("uow", ["memory", "sqlite"], indirect=True)


async def _uncertain(uow, who: str = "r1", where: str = "whittier", minutes: int = 0) -> usecases.Outcome:
    outcome = await usecases.submit_report(uow, NOW + timedelta(minutes=minutes), report(who, where, when=None))
    assert outcome.place_choices, "the place should be uncertain"
    return outcome


async def test_a_reporter_picks_a_place_once_and_only_among_those_offered(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    offered = [p.key for p in first.place_choices]
    assert "hamline school" not in offered
    with pytest.raises(RuleViolation) as refused:  # a forged menu value
        await usecases.choose_place(uow, NOW, CHICAGO, first.number, first.report_id, "r1", "hamline school")
    assert refused.value.code == "unknown_place"
    picked = await usecases.choose_place(uow, NOW, CHICAGO, first.number, first.report_id, "r1", offered[0])
    assert picked.incident.place.key == f"place:{offered[0]}"
    with pytest.raises(RuleViolation) as again:
        await usecases.choose_place(uow, NOW, CHICAGO, first.number, first.report_id, "r1", offered[-1])
    assert again.value.code == "place_fixed"


async def test_nobody_else_can_fix_a_report_and_the_answer_tells_nothing(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    for who, report_id in (("r2", first.report_id), ("r1", 999)):
        with pytest.raises(RuleViolation) as refused:
            await usecases.set_report_time(uow, NOW, CHICAGO, first.number, report_id, who, 15)
        assert refused.value.code == "unknown_report"


async def test_once_a_moderator_has_voted_the_reporter_can_change_neither_place_nor_time(uow):
    """Found in review: the place moved after one vote, and a second vote then alerted another area."""
    await set_up_chicago(uow)
    # A street (a place subscribers may read), on which the reporter could still pick a known place.
    first = await _uncertain(uow, where="on 48th St")
    await usecases.vote_confirm(uow, NOW, CHICAGO, first.number, MOD_A, pseudonyms=moderator_pseudonyms)
    key = first.place_choices[0].key
    for change in (
        usecases.choose_place(uow, NOW, CHICAGO, first.number, first.report_id, "r1", key),
        usecases.set_report_time(uow, NOW, CHICAGO, first.number, first.report_id, "r1", 60),
    ):
        with pytest.raises(RuleViolation) as refused:
            await change
        assert refused.value.code == "report_fixed"


async def test_a_reporter_cannot_fix_a_report_long_after_sending_it(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    later = NOW + timedelta(hours=2)
    with pytest.raises(RuleViolation) as refused:
        await usecases.set_report_time(uow, later, CHICAGO, first.number, first.report_id, "r1", 5)
    assert refused.value.code == "report_fixed"


async def test_a_tapped_time_is_a_window_around_the_minutes_before_the_report_was_sent(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    outcome = await usecases.set_report_time(uow, NOW + timedelta(minutes=3), CHICAGO, 1, first.report_id, "r1", 15)
    timed = outcome.incident.reports[0].observed_time
    assert timed.earliest <= NOW - timedelta(minutes=15) <= timed.latest  # before it was sent, not the tap
    assert timed.latest < NOW


async def test_a_pick_never_folds_a_report_into_an_alerted_incident(uow):
    """Found in review: a pick merged a report into a confirmed incident, whose keys then swallowed later
    reports without a card. A reporter's pick moves their report; only moderators merge into an alert."""
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    school = await usecases.submit_report(
        uow, NOW + timedelta(minutes=1), report("r0", "Whittier Elementary", when=None)
    )
    assert school.number != first.number
    await confirm(uow, school.number, NOW + timedelta(minutes=2))
    picked = await usecases.choose_place(
        uow, NOW + timedelta(minutes=3), CHICAGO, first.number, first.report_id, "r1", "whittier elementary"
    )
    assert picked.number == first.number  # moved, not merged
    assert (await usecases.incident(uow, CHICAGO, school.number)).reporter_count == 1


async def test_a_pick_merges_into_an_open_unalerted_incident_at_that_place(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    school = await usecases.submit_report(
        uow, NOW + timedelta(minutes=1), report("r0", "Whittier Elementary", when=None)
    )
    picked = await usecases.choose_place(
        uow, NOW + timedelta(minutes=3), CHICAGO, first.number, first.report_id, "r1", "whittier elementary"
    )
    assert picked.number == school.number
    assert picked.incident.reporter_count == 2
    assert (await usecases.incident(uow, CHICAGO, first.number)).merged_into == school.number


async def test_a_refused_vote_with_a_place_changes_nothing(uow):
    await set_up_chicago(uow)
    outcome = await usecases.submit_report(uow, NOW, report("r1", "Hamline Elementary"))
    await usecases.vote_confirm(uow, NOW, CHICAGO, outcome.number, MOD_A, pseudonyms=moderator_pseudonyms)
    before = await usecases.incident(uow, CHICAGO, outcome.number)
    with pytest.raises(RuleViolation):  # MOD_A votes twice, naming a place with it
        await usecases.vote_confirm(
            uow, NOW, CHICAGO, outcome.number, MOD_A, pseudonyms=moderator_pseudonyms, place="Whittier Park"
        )
    assert await usecases.incident(uow, CHICAGO, outcome.number) == before


async def test_updates_still_reach_earlier_recipients_after_a_moderator_moves_the_incident(uow):
    """Found in review: moving a confirmed incident to another area cut its alert's recipients off the
    UPDATE and the ALL CLEAR."""
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 501, "Back of the Yards", Language.EN)
    await usecases.subscribe(uow, CHICAGO, 502, "Pilsen", Language.EN)
    outcome = await usecases.submit_report(uow, NOW, report("r1", "Hamline Elementary"))
    await confirm(uow, outcome.number)
    await deliver_all(uow, outcome.number)
    moved = await usecases.set_place(uow, NOW, CHICAGO, outcome.number, MOD_C, "Whittier Park")
    assert [m.kind for m in moved.alerts] == [AlertKind.UPDATE]
    await deliver_all(uow, outcome.number)
    await usecases.resolve(uow, NOW + timedelta(minutes=30), CHICAGO, outcome.number, MOD_C, "they left")
    got = {
        (r.kind, r.recipient.address)
        for r in await log(uow, outcome.number)
        if r.state is not DeliveryState.CANCELLED and r.recipient.kind.value == "dm"
    }
    assert (AlertKind.UPDATE, 501) in got
    assert (AlertKind.ALL_CLEAR, 501) in got
    assert not any(address == 502 for _, address in got)  # never alerted: told nothing


async def test_the_read_model_follows_a_place_change(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    key = first.place_choices[0].key
    await usecases.choose_place(uow, NOW, CHICAGO, first.number, first.report_id, "r1", key)
    [summary] = await usecases.queue(uow, CHICAGO)
    place = (await usecases.incident(uow, CHICAGO, first.number)).place
    assert (summary.place, summary.area) == (place.label, place.area)


async def test_a_closed_incident_takes_no_time_from_its_reporter(uow):
    await set_up_chicago(uow)
    first = await _uncertain(uow)
    await usecases.debunk(uow, NOW, CHICAGO, first.number, MOD_B, "a film crew")
    with pytest.raises(RuleViolation):
        await usecases.set_report_time(uow, NOW, CHICAGO, first.number, first.report_id, "r1", 5)
