"""The use cases end to end on both stores: one transaction each, the right recipients, nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import raw_sql
from tests.builders import MOD_A, MOD_B, MOD_C
from tests.fakes import FakeUnitOfWork, moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import AlertKind
from verification.community import RecipientKind
from verification.deliveries import DeliveryState
from verification.errors import RuleViolation
from verification.model import Agency, Language, PlaceKind, SourceKind, Stance, Status
from verification.ports import UnitOfWork
from verification.usecases import ReportInput, StatementInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)  # 11:20 in Chicago


def report(reporter: str = "r1", where: str = "Hamline Elementary", **kw: object) -> ReportInput:
    base: dict[str, object] = {"what": "two agents at the door", "when": "11:15", "agency": Agency.ICE, "people": 2}
    base.update(kw)
    return ReportInput(community=CHICAGO, reporter=reporter, where=where, **base)  # type: ignore[arg-type]


async def confirm(uow: UnitOfWork, number: int, at: datetime = NOW) -> usecases.Outcome:
    await usecases.vote_confirm(uow, at, CHICAGO, number, MOD_A, pseudonyms=moderator_pseudonyms)
    return await usecases.vote_confirm(uow, at, CHICAGO, number, MOD_B, pseudonyms=moderator_pseudonyms)


async def log(uow: UnitOfWork, number: int):
    return await usecases.delivery_log(uow, CHICAGO, number)


async def deliver_all(uow: UnitOfWork, number: int) -> None:
    """Stand in for the delivery worker: every queued delivery of the incident arrives."""
    if isinstance(uow, FakeUnitOfWork):
        for record in await log(uow, number):
            if record.state is DeliveryState.QUEUED:
                uow.outbox.mark(record.id, DeliveryState.SENT)
        return
    async with uow:
        await raw_sql.execute(
            uow, "UPDATE deliveries SET state = 'sent', message_id = id WHERE number = ? AND state = 'queued'", number
        )
        await uow.commit()


async def test_a_report_is_stored_unverified_and_owes_nothing(uow):
    await set_up_chicago(uow)
    outcome = await usecases.submit_report(uow, NOW, report())
    assert outcome.number == 1
    assert outcome.status is Status.UNVERIFIED
    assert outcome.alerts == ()
    assert outcome.deliveries == 0
    assert outcome.incident.first_observed == datetime(2025, 1, 24, 17, 15, tzinfo=UTC)


async def test_reports_of_one_event_become_one_incident_and_other_places_another(uow):
    """Three ways to name Hamline within minutes are one incident; another school is another."""
    await set_up_chicago(uow)
    first = await usecases.submit_report(uow, NOW, report("r1", "Hamline Elementary"))
    second = await usecases.submit_report(uow, NOW + timedelta(minutes=2), report("r2", "la escuela Hamline"))
    third = await usecases.submit_report(uow, NOW + timedelta(minutes=3), report("r3", "hamline school on 48th"))
    other = await usecases.submit_report(uow, NOW + timedelta(minutes=4), report("r4", "Whittier Elementary"))
    assert (first.number, second.number, third.number, other.number) == (1, 1, 1, 2)
    assert second.joined
    assert third.incident.reporter_count == 3
    queue = await usecases.queue(uow, CHICAGO)
    assert [s.number for s in queue] == [1, 2]  # more reporters: more urgent


async def test_the_same_reporter_twice_keeps_one_reporter_number(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("r1"))
    outcome = await usecases.submit_report(uow, NOW + timedelta(minutes=1), report("r1", what="still there"))
    assert [r.reporter for r in outcome.incident.reports] == [1, 1]


async def test_unknown_places_cluster_on_their_words(uow):
    await set_up_chicago(uow)
    a = await usecases.submit_report(uow, NOW, report("r1", "26th & Pulaski", when=None))
    b = await usecases.submit_report(uow, NOW, report("r2", "pulaski/26th", when=None))
    c = await usecases.submit_report(uow, NOW, report("r3", "27th and Pulaski", when=None))
    assert a.number == b.number != c.number


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"when": "x" * 101}, "when_unparseable"),  # oversized; text that is no time is kept (below)
        ({"when": "in an hour"}, "when_future"),
        ({"where": "   "}, "place_required"),
        ({"what": "   "}, "what_required"),
        ({"what": "x" * 5000}, "text_too_long"),
        ({"people": 0}, "people_out_of_range"),
    ],
)
async def test_bad_reports_are_refused_and_change_nothing(uow, change, code):
    await set_up_chicago(uow)
    with pytest.raises(RuleViolation) as refused:
        await usecases.submit_report(uow, NOW, report(**change))
    assert refused.value.code == code
    assert await usecases.queue(uow, CHICAGO) == []


async def test_a_vague_place_is_kept_as_a_report_of_its_own(uow):
    """ "the school" names no school: kept (the reporter can pick one later), never joined to another."""
    await set_up_chicago(uow)
    first = await usecases.submit_report(uow, NOW, report("r1", "the school", when=None))
    second = await usecases.submit_report(uow, NOW, report("r2", "la escuela", when=None))
    assert first.number != second.number
    assert first.incident.place.label == "School"


async def test_reports_before_setup_are_refused_politely(uow):
    with pytest.raises(RuleViolation) as refused:
        await usecases.submit_report(uow, NOW, report())
    assert refused.value.code == "not_configured"


async def test_a_reporter_over_the_limit_is_refused(uow):
    await set_up_chicago(uow)
    for i in range(5):
        await usecases.submit_report(uow, NOW + timedelta(seconds=i), report("flood", what=f"report {i}"))
    with pytest.raises(RuleViolation) as refused:
        await usecases.submit_report(uow, NOW + timedelta(seconds=9), report("flood"))
    assert refused.value.code == "report_rate_limited"
    assert refused.value.details == {"limit": 5, "minutes": 10}
    later = await usecases.submit_report(uow, NOW + timedelta(minutes=11), report("flood"))
    assert len(later.incident.reports) == 6


async def test_an_unknown_incident_is_refused(uow):
    await set_up_chicago(uow)
    with pytest.raises(RuleViolation) as refused:
        await usecases.vote_confirm(uow, NOW, CHICAGO, 42, MOD_A, pseudonyms=moderator_pseudonyms)
    assert refused.value.code == "unknown_incident"


async def test_confirmation_queues_one_alert_for_the_channel_and_matching_subscribers_only(uow):
    """The alerts channel plus subscribers of the area or of every area, each once, in their language."""
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 501, "Back of the Yards", Language.ES)
    await usecases.subscribe(uow, CHICAGO, 502, None, None)
    await usecases.subscribe(uow, CHICAGO, 503, "Pilsen", Language.EN)
    await usecases.subscribe(uow, CHICAGO, 501, None, Language.ES)  # both an area and everything: once
    await usecases.submit_report(uow, NOW, report())
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    assert await log(uow, 1) == []  # one moderator: nothing
    outcome = await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)
    assert outcome.status is Status.CONFIRMED
    assert [m.kind for m in outcome.alerts] == [AlertKind.ALERT]
    sent_to = {(r.recipient.kind, r.recipient.address, r.recipient.language) for r in await log(uow, 1)}
    assert sent_to == {
        (RecipientKind.CHANNEL, 300, Language.EN),
        (RecipientKind.DM, 501, Language.ES),
        (RecipientKind.DM, 502, Language.EN),
    }


async def test_a_moderator_who_reported_cannot_confirm_their_own_report(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report(MOD_A.pseudonym))
    with pytest.raises(RuleViolation) as refused:
        await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    assert refused.value.code == "reporter_cannot_vote"


async def test_amendments_reach_exactly_the_earlier_recipients(uow):
    """CORRECTION: everyone told before, even after unsubscribing; UPDATE: only those still subscribed.
    Someone who subscribed after the ALERT gets neither."""
    await set_up_chicago(uow)
    for user in (601, 602):
        await usecases.subscribe(uow, CHICAGO, user, "Back of the Yards", Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    await usecases.unsubscribe(uow, CHICAGO, 602, None)
    await usecases.subscribe(uow, CHICAGO, 603, None, Language.EN)  # too late for this incident

    ice = StatementInput("ICE", Stance.DENIES, SourceKind.LAW_ENFORCEMENT)
    update = await usecases.attach_statement(
        uow, NOW + timedelta(hours=3), CHICAGO, 1, MOD_C, ice, pseudonyms=moderator_pseudonyms
    )
    assert [m.kind for m in update.alerts] == [AlertKind.UPDATE]
    correction = await usecases.mark_misidentified(
        uow, NOW + timedelta(hours=5), CHICAGO, 1, MOD_C, "Secret Service, not ICE", Agency.OTHER_FEDERAL
    )
    assert [m.kind for m in correction.alerts] == [AlertKind.CORRECTION]

    by_kind: dict[AlertKind, set[int]] = {}
    for record in await log(uow, 1):
        by_kind.setdefault(record.kind, set()).add(record.recipient.address)
    assert by_kind[AlertKind.ALERT] == {300, 601, 602}
    assert by_kind[AlertKind.UPDATE] == {300, 601}
    assert by_kind[AlertKind.CORRECTION] == {300, 601, 602}


async def test_a_retraction_while_the_alert_is_queued_cancels_it_and_tells_only_those_already_told(uow):
    await set_up_chicago(uow, alerts_channel=None)
    for user in (701, 702, 703):
        await usecases.subscribe(uow, CHICAGO, user, None, Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    first = [r for r in await log(uow, 1) if r.recipient.address == 701]
    if isinstance(uow, FakeUnitOfWork):
        uow.outbox.mark(first[0].id, DeliveryState.SENT)
    else:
        async with uow:
            await raw_sql.execute(uow, "UPDATE deliveries SET state = 'sent' WHERE id = ?", first[0].id)
            await uow.commit()
    outcome = await usecases.debunk(uow, NOW + timedelta(minutes=30), CHICAGO, 1, MOD_C, "it was a film crew")
    assert [m.kind for m in outcome.alerts] == [AlertKind.RETRACTION]
    assert outcome.cancelled == 2
    records = await log(uow, 1)
    states = {(r.kind, r.recipient.address): r.state for r in records}
    assert states[(AlertKind.ALERT, 702)] is DeliveryState.CANCELLED
    assert states[(AlertKind.ALERT, 703)] is DeliveryState.CANCELLED
    assert {r.recipient.address for r in records if r.kind is AlertKind.RETRACTION} == {701}


async def test_a_refused_action_rolls_back_everything(uow):
    """A rule violation mid-use-case leaves no half-written record behind."""
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report())
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    before = await usecases.incident(uow, CHICAGO, 1)
    with pytest.raises(RuleViolation):
        await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    assert await usecases.incident(uow, CHICAGO, 1) == before


async def test_statements_are_checked_before_anything_is_written(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report())
    for data, code in [
        (StatementInput("", Stance.CONFIRMS), "source_required"),
        (StatementInput("CPS", Stance.CONFIRMS, url="javascript:alert(1)"), "bad_url"),
        (StatementInput("CPS", Stance.CONFIRMS, url="https://user:pw@evil.example"), "bad_url"),
        # What no link holds and XML cannot carry (issue 23): a noncharacter, private use, a lone surrogate.
        (StatementInput("CPS", Stance.CONFIRMS, url="https://cps.edu/\ufffe"), "bad_url"),
        (StatementInput("CPS", Stance.CONFIRMS, url="https://cps.edu/\ue000news"), "bad_url"),
        (StatementInput("CPS", Stance.CONFIRMS, url="https://cps.edu/\udc80"), "bad_url"),
        (StatementInput("CPS", Stance.CONFIRMS, url="https://cps.edu/\U0010fffd"), "bad_url"),
        (StatementInput("CPS", Stance.CONFIRMS, published="tomorrow"), "when_future"),
        (StatementInput("CPS", Stance.CONFIRMS, published="near the school"), "when_unparseable"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            await usecases.attach_statement(uow, NOW, CHICAGO, 1, MOD_A, data, pseudonyms=moderator_pseudonyms)
        assert refused.value.code == code
    assert (await usecases.incident(uow, CHICAGO, 1)).statements == ()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://cps.edu/\u200bnews", "https://cps.edu/news"),  # a zero-width space hides nothing
        ("https://\u202ecps.edu/news", "https://cps.edu/news"),  # nor does a right-to-left override
        ("https://ICE.gov/news", "https://ice.gov/news"),
        ("https://сps.edu/news", "https://xn--ps-nmc.edu/news"),  # a Cyrillic "с": its real host shows
        ("https://cps.edu:8443/a?b=1#c", "https://cps.edu:8443/a?b=1#c"),
    ],
)
async def test_statement_links_lose_invisible_characters_and_show_their_real_host(uow, typed, kept):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report())
    data = StatementInput("CPS", Stance.CONFIRMS, url=typed)
    outcome = await usecases.attach_statement(uow, NOW, CHICAGO, 1, MOD_A, data, pseudonyms=moderator_pseudonyms)
    assert outcome.incident.statements[-1].statement.url == kept


async def test_merge_moves_reports_and_renumbers_reporters(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("r1", "26th & Pulaski", when=None))
    await usecases.submit_report(uow, NOW, report("r2", "Pulaski Walmart", when=None))
    await usecases.submit_report(uow, NOW, report("r1", "Walmart on Pulaski", when=None))
    outcome = await usecases.merge(uow, NOW, CHICAGO, 2, 1, MOD_A, "same event")
    assert outcome.number == 1
    assert sorted(r.reporter for r in outcome.incident.reports) == [1, 1, 2]
    source = await usecases.incident(uow, CHICAGO, 2)
    assert source.merged_into == 1
    assert [s.number for s in await usecases.queue(uow, CHICAGO)] == [1]


async def test_stale_incidents_expire_without_sending_anything(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    before = len(await log(uow, 1))
    assert await usecases.expire_stale(uow, NOW + timedelta(hours=5), CHICAGO) == []
    assert await usecases.expire_stale(uow, NOW + timedelta(hours=6), CHICAGO) == [1]
    assert (await usecases.incident(uow, CHICAGO, 1)).status is Status.EXPIRED
    assert len(await log(uow, 1)) == before


async def test_confirmed_reports_make_their_reporters_established(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("veteran"))
    await confirm(uow, 1)
    later = await usecases.submit_report(
        uow, NOW + timedelta(hours=3), report("veteran", "Whittier Elementary", when=None)
    )
    assert later.incident.established_reporter_count == 1


async def test_subscribing_to_an_unknown_area_is_refused_with_the_known_ones(uow):
    await set_up_chicago(uow)
    with pytest.raises(RuleViolation) as refused:
        await usecases.subscribe(uow, CHICAGO, 1, "Narnia", None)
    assert refused.value.code == "unknown_area"
    assert "Back of the Yards" in str(refused.value.details["areas"])
    sub = await usecases.subscribe(uow, CHICAGO, 1, "back of the yards", None)
    assert sub.area == "Back of the Yards"


async def test_places_import_is_all_or_nothing(uow):
    await set_up_chicago(uow)
    bad = "name,area,kind,aliases\nNew School,Pilsen,school,\nBroken,Pilsen,castle,\n"
    with pytest.raises(RuleViolation) as refused:
        await usecases.import_places(uow, CHICAGO, bad)
    assert refused.value.code == "import_line"
    assert refused.value.details == {"line": 3, "problem": "kind"}
    names = [p.name for p in await usecases.list_places(uow, CHICAGO)]
    assert "New School" not in names
    with pytest.raises(RuleViolation) as dup:
        await usecases.add_place(uow, CHICAGO, usecases.make_place("hamline school", "X", PlaceKind.SCHOOL))
    assert dup.value.code == "place_exists"


@pytest.mark.parametrize(
    "text", ["name,area,kind\r\nX School,Pilsen,school\r", "name,area,kind\rX School,Pilsen,school"]
)
def test_csv_files_with_carriage_returns_are_read(text):
    """Found by the fuzzer: a lone carriage return used to raise csv.Error out of the import."""
    assert [p.name for _, p in usecases.parse_places_csv(text)] == ["X School"]


@pytest.mark.parametrize("text", ["\r", 'name,area,kind\n"unclosed,Pilsen,school\n'])
def test_broken_csv_files_are_refused_politely(text):
    with pytest.raises(RuleViolation) as refused:
        usecases.parse_places_csv(text)
    assert refused.value.code.startswith("import_")


async def test_forget_me_cannot_be_used_to_reset_the_rate_limit(uow):
    """Found in review: forgetting cleared the pseudonym the limit counts by."""
    await set_up_chicago(uow)
    for i in range(5):
        await usecases.submit_report(uow, NOW + timedelta(seconds=i), report("flood", what=f"r{i}"))
    await usecases.forget_reporter(uow, CHICAGO, "flood", NOW + timedelta(seconds=6))
    with pytest.raises(RuleViolation) as refused:
        await usecases.submit_report(uow, NOW + timedelta(seconds=7), report("flood"))
    assert refused.value.code == "report_rate_limited"
    views = await usecases.incident_view(uow, CHICAGO, 1)
    assert all(not r.what for r in views.reports)  # the text is gone at once


async def test_after_a_merge_reports_about_either_place_join_the_merged_incident(uow):
    """Found in review: the source's keys were lost, so its place opened new incidents again."""
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("r1", "Whittier Elementary", when=None))
    await usecases.submit_report(uow, NOW, report("r2", "26th & Pulaski", when=None))
    await usecases.merge(uow, NOW, CHICAGO, 2, 1, MOD_A, "the same agents, seen from the corner")
    later = await usecases.submit_report(uow, NOW + timedelta(minutes=5), report("r3", "pulaski/26", when=None))
    assert later.number == 1
    assert later.joined


def recipients_by_kind(records) -> dict[tuple[int, AlertKind], set[int]]:
    """(seq, kind) -> who it is queued or sent to (cancelled rows left out)."""
    out: dict[tuple[int, AlertKind], set[int]] = {}
    for r in records:
        if r.state is not DeliveryState.CANCELLED:
            out.setdefault((r.seq, r.kind), set()).add(r.recipient.address)
    return out


async def test_a_correction_of_a_second_alert_skips_who_got_only_the_retracted_first_one(uow):
    """Found in review: after ALERT, RETRACTION, unsubscribe, reopen and a second confirmation, the
    CORRECTION of the second alert reached someone told only the first alert and that it was false."""
    await set_up_chicago(uow)
    for user in (801, 802):
        await usecases.subscribe(uow, CHICAGO, user, "Back of the Yards", Language.EN)
    await usecases.submit_report(uow, NOW, report("r1", "hamline school!!", what="2 agentes en la puerta 😰"))
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    await usecases.debunk(uow, NOW + timedelta(minutes=20), CHICAGO, 1, MOD_C, "fake, it was a film crew")
    await deliver_all(uow, 1)
    await usecases.unsubscribe(uow, CHICAGO, 801, None)
    await usecases.reopen(uow, NOW + timedelta(hours=1), CHICAGO, 1, MOD_C, "no era película, volvieron")
    await confirm(uow, 1, NOW + timedelta(hours=1, minutes=5))
    await deliver_all(uow, 1)
    outcome = await usecases.correct(uow, NOW + timedelta(hours=2), CHICAGO, 1, MOD_C, "3 agents not 2")
    [correction] = outcome.alerts
    assert (correction.kind, correction.references) == (AlertKind.CORRECTION, 3)

    sent = recipients_by_kind(await log(uow, 1))
    assert sent[(1, AlertKind.ALERT)] == {300, 801, 802}
    assert sent[(2, AlertKind.RETRACTION)] == {300, 801, 802}
    assert sent[(3, AlertKind.ALERT)] == {300, 802}
    assert sent[(4, AlertKind.CORRECTION)] == {300, 802}


async def test_a_correction_still_reaches_who_got_an_earlier_alert_never_retracted(uow):
    """The protective side of the rule above: resolved (all clear), reopened and confirmed again, then
    found misidentified: someone told the first alert, never told it was wrong, must hear it."""
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 811, "Back of the Yards", Language.ES)
    await usecases.submit_report(uow, NOW, report("r1", "Hamline Elementary"))
    await confirm(uow, 1)
    await deliver_all(uow, 1)
    await usecases.resolve(uow, NOW + timedelta(minutes=40), CHICAGO, 1, MOD_C, "se fueron")
    await deliver_all(uow, 1)
    await usecases.unsubscribe(uow, CHICAGO, 811, None)
    await usecases.reopen(uow, NOW + timedelta(hours=1), CHICAGO, 1, MOD_C, "came back??")
    await confirm(uow, 1, NOW + timedelta(hours=1, minutes=5))
    await deliver_all(uow, 1)
    await usecases.mark_misidentified(
        uow, NOW + timedelta(hours=3), CHICAGO, 1, MOD_C, "Secret Service, not ICE", Agency.OTHER_FEDERAL
    )
    sent = recipients_by_kind(await log(uow, 1))
    assert sent[(3, AlertKind.ALERT)] == {300}
    assert sent[(4, AlertKind.CORRECTION)] == {300, 811}


async def test_closing_leaves_no_amendment_queued_for_ever(uow):
    """Found in review: a retraction cancelled the ALERTs not yet sent but not the corrections waiting
    on them, which then waited for ever. Whoever the ALERT reached still gets both amendments."""
    await set_up_chicago(uow, alerts_channel=None)
    for user in (821, 822):
        await usecases.subscribe(uow, CHICAGO, user, None, Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    [reached] = [r for r in await log(uow, 1) if r.recipient.address == 821]
    if isinstance(uow, FakeUnitOfWork):
        uow.outbox.mark(reached.id, DeliveryState.SENT)
    else:
        async with uow:
            await raw_sql.execute(uow, "UPDATE deliveries SET state = 'sent' WHERE id = ?", reached.id)
            await uow.commit()
    await usecases.correct(uow, NOW + timedelta(minutes=10), CHICAGO, 1, MOD_C, "two agents, not four")
    outcome = await usecases.debunk(uow, NOW + timedelta(minutes=30), CHICAGO, 1, MOD_C, "film crew")
    assert outcome.cancelled == 2  # 822's ALERT and the correction waiting on it
    states = {(r.kind, r.recipient.address): r.state for r in await log(uow, 1)}
    assert states == {
        (AlertKind.ALERT, 821): DeliveryState.SENT,
        (AlertKind.CORRECTION, 821): DeliveryState.QUEUED,
        (AlertKind.RETRACTION, 821): DeliveryState.QUEUED,
        (AlertKind.ALERT, 822): DeliveryState.CANCELLED,
        (AlertKind.CORRECTION, 822): DeliveryState.CANCELLED,
    }


async def test_an_alert_given_up_after_a_timeout_still_gets_its_amendments(uow):
    """It may have arrived: whoever may have read it must also read that it was wrong."""
    await set_up_chicago(uow, alerts_channel=None)
    await usecases.subscribe(uow, CHICAGO, 831, None, Language.ES)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    [alert] = await log(uow, 1)
    if isinstance(uow, FakeUnitOfWork):
        uow.outbox.mark(alert.id, DeliveryState.FAILED, in_doubt=True)
    else:
        async with uow:
            await raw_sql.execute(
                uow,
                "UPDATE deliveries SET state = 'failed', in_doubt = ?, error = 'gave up: network: TimeoutError' "
                "WHERE id = ?",
                True,
                alert.id,
            )
            await uow.commit()
    outcome = await usecases.debunk(uow, NOW + timedelta(minutes=30), CHICAGO, 1, MOD_C, "no era ICE")
    assert outcome.deliveries == 1
    assert {(r.kind, r.recipient.address) for r in await log(uow, 1)} >= {(AlertKind.RETRACTION, 831)}


async def test_expiry_covers_every_community_including_one_the_bot_has_left(uow):
    """Found in review: expiry ran only for the servers the bot was in, so an incident in a server it
    left stayed open for ever (and its reports were never purged, since only closed ones are)."""
    from verification.usecases.administration import expire_stale_everywhere

    await set_up_chicago(uow)
    await usecases.configure_community(uow, usecases.Setup(2, 1, 2, 3, "America/Los_Angeles"))
    await usecases.import_places(uow, 2, "name,area,kind\nRussell Elementary,Florence-Firestone,school\n")
    await usecases.submit_report(uow, NOW, report())
    await usecases.submit_report(uow, NOW, ReportInput(2, "r9", "russell elementary", "4 agentes DHS...", "9:05"))
    await usecases.submit_report(uow, NOW + timedelta(hours=5), report("r2", "Whittier Park", when=None))
    expired = await expire_stale_everywhere(uow, NOW + timedelta(hours=7))
    assert expired == {CHICAGO: [1], 2: [1]}
    assert await expire_stale_everywhere(uow, NOW + timedelta(hours=7)) == {}


async def _status_refusal(uow, number: int, asker: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        await usecases.status_for(uow, CHICAGO, number, asker)
    return refused.value


async def test_status_of_an_unconfirmed_incident_is_the_same_as_of_none_except_to_its_reporters(uow):
    """/status can neither spread a rumour nor tell anyone that something was reported."""
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("r1", what="ICE en la puerta de la escuela!!"))
    unconfirmed = await _status_refusal(uow, 1, "a stranger")
    missing = await _status_refusal(uow, 2, "a stranger")
    assert (unconfirmed.code, unconfirmed.details) == ("unknown_incident", {"number": 1})
    assert (missing.code, missing.details) == ("unknown_incident", {"number": 2})
    assert (await _status_refusal(uow, 1, "")).code == "unknown_incident"
    assert (await usecases.status_for(uow, CHICAGO, 1, "r1")).status is Status.UNVERIFIED
    await confirm(uow, 1)
    assert (await usecases.status_for(uow, CHICAGO, 1, "a stranger")).status is Status.CONFIRMED


async def test_status_after_a_merge_or_a_close_without_confirmation(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, report("r1", "26th & Pulaski", when=None))
    await usecases.submit_report(uow, NOW, report("r2", "Pulaski Walmart", when=None))
    await usecases.merge(uow, NOW, CHICAGO, 2, 1, MOD_A, "same event")
    assert (await usecases.status_for(uow, CHICAGO, 2, "r2")).merged_into == 1
    assert (await _status_refusal(uow, 2, "r1")).code == "unknown_incident"  # r1 reported #1, not #2
    assert (await _status_refusal(uow, 2, "a stranger")).code == "unknown_incident"
    await usecases.debunk(uow, NOW, CHICAGO, 1, MOD_A, "a delivery van")
    assert (await _status_refusal(uow, 1, "a stranger")).code == "unknown_incident"
    assert (await usecases.status_for(uow, CHICAGO, 1, "r2")).status is Status.DEBUNKED


async def _on_the_feed(uow: UnitOfWork) -> list[tuple[int, AlertKind]]:
    """(incident, kind) of every message published to the public feed, oldest first."""
    if isinstance(uow, FakeUnitOfWork):
        alerts = uow.data.alerts
        return [(alerts[i][1].number, alerts[i][1].kind) for i in sorted(uow.data.on_feed)]
    from storage.postgres.unit_of_work import PostgresUnitOfWork

    query = "SELECT number, kind FROM alerts WHERE feed_at IS NOT NULL ORDER BY id"
    async with uow:
        if isinstance(uow, PostgresUnitOfWork):
            rows = list(await (await uow.conn()).fetch(query))
        else:
            rows = list(await uow.db.execute_fetchall(query))  # type: ignore[attr-defined]
    return [(r[0], AlertKind(r[1])) for r in rows]


async def test_the_feed_gets_alerts_while_on_and_every_amendment_of_one_it_got(uow):
    """Issue 23: the feed is a recipient. An ALERT whose deliveries all failed, or were cancelled, still gets
    its retraction on the feed; an amendment is published even while the feed is off (shown when back on)."""
    await set_up_chicago(uow)
    await usecases.set_feed(uow, CHICAGO, on=True)
    await usecases.subscribe(uow, CHICAGO, 501, None, Language.EN)
    await usecases.submit_report(uow, NOW, report())
    await confirm(uow, 1)
    await usecases.debunk(uow, NOW + timedelta(minutes=1), CHICAGO, 1, MOD_A, reason="a film crew")
    assert {r.state for r in await log(uow, 1) if r.kind is AlertKind.ALERT} == {DeliveryState.CANCELLED}
    await usecases.submit_report(uow, NOW, report("r2", "Whittier Elementary"))
    await confirm(uow, 2)
    await usecases.set_feed(uow, CHICAGO, on=False)
    await usecases.submit_report(uow, NOW, report("r3", "Russell Elementary"))
    await confirm(uow, 3)  # confirmed while the feed is off: never published to it
    await usecases.resolve(uow, NOW + timedelta(minutes=2), CHICAGO, 2, MOD_A)
    await usecases.resolve(uow, NOW + timedelta(minutes=2), CHICAGO, 3, MOD_A)
    assert await _on_the_feed(uow) == [(1, AlertKind.ALERT), (1, AlertKind.RETRACTION), (2, AlertKind.ALERT),
                                       (2, AlertKind.ALL_CLEAR)]  # fmt: skip
    async with uow:
        assert await uow.outbox.on_feed(CHICAGO, 2)
        assert not await uow.outbox.on_feed(CHICAGO, 3)
