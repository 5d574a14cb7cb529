"""What was confirmed stays confirmed (issue 13, items 1 and 5).

Once an incident is confirmed, the place, time and agencies subscribers see are those of the confirmed
snapshot: later reports reach moderators only, and only a moderator's update or correction changes
what subscribers are told. When the only statement a confirmation rested on is taken back, moderators
are asked to review it and subscribers see that sources disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import MOD_A, MOD_B, MOD_C, Story, at, facts, statement
from tests.fakes import moderator_pseudonyms
from tests.scenario_steps import CHICAGO, set_up_chicago
from verification import usecases
from verification.alerts import AlertKind, owed
from verification.errors import RuleViolation
from verification.events import FactsChange, Reconfirmed, from_record, to_record
from verification.incident import MODERATOR_AND_STATEMENT, TWO_MODERATORS
from verification.model import Agency, Language, Stance, Status
from verification.usecases import FactsInput, ReportInput, StatementInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)  # 11:20 in Chicago


def confirmed_story() -> Story:
    """Hamline: reported at 11:15 naming ICE, two people; CPS confirms, one moderator votes."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    return story.do(story.incident.vote(MOD_A, at(101)))


def withdrawn_story(stance: Stance = Stance.DENIES) -> Story:
    story = confirmed_story()
    return story.do(story.incident.attach_statement(statement(stance=stance, minutes=200), MOD_B, at(200)))


# --- item 1: later reports never change what subscribers are told -------------------------------------


def test_a_later_report_changes_neither_the_time_nor_the_agencies_of_later_messages():
    """Found in review: a late report saying it began earlier, naming Border Patrol, moved the time of the
    CORRECTION earlier and put an agency the ALERT never named into it."""
    story = confirmed_story()
    story.do(story.incident.add_report(facts(2, 2, -40, agency=Agency.CBP, people=9), at(130)))
    story.do(story.incident.correct("two agents, not four", MOD_B, at(140)))
    story.do(story.incident.update("they left toward Ashland", MOD_B, at(150)))
    alert, correction, update = owed(story.events)
    for message in (correction, update):
        assert message.facts.observed_at == alert.facts.observed_at == at(0)
        assert message.facts.agencies_named == alert.facts.agencies_named == (Agency.ICE,)
        assert message.facts.people == 2
        assert message.facts.reporter_count == 1
        assert (message.facts.place, message.facts.area) == (alert.facts.place, alert.facts.area)


def test_moderators_still_see_the_later_report():
    story = confirmed_story()
    story.do(story.incident.add_report(facts(2, 2, -40, agency=Agency.CBP), at(130)))
    incident = story.incident
    assert [r.report_id for r in incident.later_reports] == [2]
    assert incident.first_observed == at(-40)  # the card's own view of the reports
    assert incident.agencies_named == (Agency.ICE, Agency.CBP)
    assert incident.confirmed_facts is not None
    assert incident.confirmed_facts.observed_at == at(0)
    assert incident.confirmed_facts.agencies_named == (Agency.ICE,)


def test_only_a_moderators_update_or_correction_changes_what_subscribers_are_told():
    story = confirmed_story()
    story.do(story.incident.add_report(facts(2, 2, -40, agency=Agency.CBP), at(130)))
    earlier = FactsChange(observed_at=at(-40), agencies=(Agency.ICE, Agency.CBP, Agency.ICE, Agency.UNKNOWN))
    story.do(story.incident.correct("they were there from 10:35, with Border Patrol", MOD_B, at(140), facts=earlier))
    story.do(story.incident.update("four agents now", MOD_C, at(150), facts=FactsChange(people=4)))
    _, correction, update = owed(story.events)
    assert correction.facts.observed_at == at(-40)
    assert correction.facts.agencies_named == (Agency.ICE, Agency.CBP)
    assert update.facts.people == 4
    assert update.facts.observed_at == at(-40)  # the correction still stands
    for event in story.events:
        assert from_record(to_record(event)) == event


@pytest.mark.parametrize("kind", ["updated", "corrected"])
def test_updates_and_corrections_stored_before_facts_changes_existed_still_read(kind):
    event = from_record({"kind": kind, "at": at(9).isoformat(), "actor": "mod:1001", "reason": "two agents"})
    assert event.facts is None  # type: ignore[attr-defined]
    assert from_record(to_record(event)) == event


@pytest.mark.parametrize(
    ("change", "code"),
    [(FactsChange(people=0), "people_out_of_range"), (FactsChange(people=10_000), "people_out_of_range")],
)
def test_a_facts_change_out_of_range_is_refused(change, code):
    with pytest.raises(RuleViolation) as refused:
        confirmed_story().incident.correct("x", MOD_B, at(140), facts=change)
    assert refused.value.code == code


def test_facts_cannot_be_changed_before_anything_was_confirmed():
    """Subscribers were told nothing yet: the confirmation will take the reports' facts."""
    with pytest.raises(RuleViolation) as refused:
        Story().incident.update("3 agents", MOD_A, at(5), facts=FactsChange(people=3))
    assert refused.value.code == "not_confirmed"
    assert Story().incident.update("3 agents", MOD_A, at(5), facts=FactsChange())[0].facts is None


def test_a_reopen_keeps_what_subscribers_were_told_until_a_new_confirmation_takes_the_reports_again():
    story = confirmed_story()
    story.do(story.incident.resolve(MOD_B, at(200)))
    story.do(story.incident.reopen("they came back", MOD_B, at(300)))
    story.do(story.incident.add_report(facts(2, 2, 295, agency=Agency.CBP), at(300)))
    story.do(story.incident.correct("it was two agents", MOD_A, at(305)))
    assert owed(story.events)[-1].facts.agencies_named == (Agency.ICE,)
    story.do(story.incident.vote(MOD_A, at(310))).do(story.incident.vote(MOD_B, at(311)))
    new_alert = owed(story.events)[-1]
    assert new_alert.kind is AlertKind.ALERT
    assert new_alert.facts.agencies_named == (Agency.ICE, Agency.CBP)  # moderators confirmed them all


async def test_a_late_report_through_the_use_cases_reaches_the_card_not_the_subscribers(uow):
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 901, "Back of the Yards", Language.ES)
    await usecases.submit_report(
        uow, NOW, ReportInput(CHICAGO, "mamá-1", "escuela hamline", "2 agentes en la puerta!!! 😱", "11:15", Agency.ICE)
    )
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    alert = await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)
    late = await usecases.submit_report(
        uow,
        NOW + timedelta(minutes=30),
        ReportInput(CHICAGO, "vecino", "hamline school on 48th", "border patrol?? since like 10:30", "10:30",
                    Agency.CBP),
    )  # fmt: skip
    assert late.number == 1
    assert late.joined
    assert late.alerts == ()
    correction = await usecases.correct(uow, NOW + timedelta(hours=1), CHICAGO, 1, MOD_C, "two agents, not four")
    [message] = correction.alerts
    assert message.facts.observed_at == alert.alerts[0].facts.observed_at
    assert message.facts.agencies_named == (Agency.ICE,)
    status = await usecases.status_for(uow, CHICAGO, 1, "someone who never reported")
    assert status.confirmed_facts is not None
    assert status.confirmed_facts.observed_at == alert.alerts[0].facts.observed_at
    assert status.confirmed_facts.agencies_named == (Agency.ICE,)
    view = await usecases.incident_view(uow, CHICAGO, 1)
    assert [r.agency for r in view.incident.later_reports] == [Agency.CBP]


async def test_a_moderator_corrects_the_time_in_the_communitys_own_words(uow):
    await set_up_chicago(uow)
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline Elementary", "ICE at door", "11:15"))
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_B, pseudonyms=moderator_pseudonyms)
    facts_input = FactsInput(when="10:45", agencies=(Agency.ICE, Agency.CBP), people=3)
    outcome = await usecases.correct(uow, NOW, CHICAGO, 1, MOD_C, "since 10:45, with Border Patrol", facts_input)
    [message] = outcome.alerts
    assert message.facts.observed_at == datetime(2025, 1, 24, 16, 45, tzinfo=UTC)  # 10:45 in Chicago
    assert message.facts.agencies_named == (Agency.ICE, Agency.CBP)
    assert message.facts.people == 3
    with pytest.raises(RuleViolation) as refused:
        await usecases.add_update(uow, NOW, CHICAGO, 1, MOD_C, "later", FactsInput(when="in an hour"))
    assert refused.value.code == "when_future"


# --- item 5: a withdrawn confirmation is reviewed -----------------------------------------------------


def test_when_the_only_confirming_statement_is_taken_back_subscribers_see_sources_disagree():
    """Found in review: CPS confirmed, then denied; the incident stayed as confirmed as before."""
    story = withdrawn_story()
    _, update = owed(story.events)
    assert update.kind is AlertKind.UPDATE
    assert update.facts.contested
    assert [a.statement.stance for a in update.facts.statements] == [Stance.CONFIRMS, Stance.DENIES]
    assert update.facts.change_statement is not None
    assert update.facts.change_statement.statement.stance is Stance.DENIES


@pytest.mark.parametrize("stance", [Stance.DENIES, Stance.CORRECTS, Stance.CLARIFIES])
def test_when_the_only_confirming_statement_is_taken_back_the_card_asks_for_review(stance):
    """Any word of the source other than "confirms" takes it back: moderators decide what it means."""
    incident = withdrawn_story(stance).incident
    assert incident.status is Status.CONFIRMED  # what subscribers were told stands until moderators act
    assert incident.confirmation_withdrawn
    assert incident.confirmation_lapsed
    assert incident.contested


def test_a_second_moderator_reconfirms_it_without_a_new_message():
    story = withdrawn_story()
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_A, at(210))  # the moderator whose vote it rested on cannot do it alone
    assert refused.value.code == "already_voted"
    story.do(story.incident.vote(MOD_B, at(220)))
    assert isinstance(story.events[-1], Reconfirmed)
    incident = story.incident
    assert incident.status is Status.CONFIRMED
    assert not incident.confirmation_withdrawn
    assert incident.confirmation_basis == TWO_MODERATORS
    assert incident.contested  # CPS still denies what moderators confirm
    assert incident.confirmed_at == at(101)
    assert [m.kind for m in owed(story.events)] == [AlertKind.ALERT, AlertKind.UPDATE]
    assert from_record(to_record(story.events[-1])) == story.events[-1]
    with pytest.raises(RuleViolation) as again:
        incident.vote(MOD_C, at(230))
    assert again.value.code == "already_confirmed"


def test_a_reconfirmation_is_refused_to_a_moderator_who_reported():
    story = withdrawn_story()
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_B, at(220), reporting_moderators={"mod:1002"})
    assert refused.value.code == "reporter_cannot_vote"
    # MOD_A reported after voting: their old vote no longer carries a re-confirmation either.
    story.do(story.incident.vote(MOD_B, at(221), reporting_moderators={"mod:1001"}))
    assert story.incident.confirmation_withdrawn
    assert story.incident.confirmation_blocked
    story.do(story.incident.vote(MOD_C, at(222), reporting_moderators={"mod:1001"}))
    assert isinstance(story.events[-1], Reconfirmed)
    assert story.events[-1].voters == ("mod:1002", "mod:1003")


def test_a_correction_or_a_retraction_also_settles_the_review():
    corrected = withdrawn_story()
    corrected.do(corrected.incident.correct("CPS now says the visitors were not ICE", MOD_B, at(230)))
    assert not corrected.incident.confirmation_withdrawn
    assert corrected.incident.contested  # never looks as confirmed as before
    assert [m.kind for m in owed(corrected.events)][-1] is AlertKind.CORRECTION
    retracted = withdrawn_story()
    retracted.do(retracted.incident.debunk("nobody from ICE came", MOD_B, at(230)))
    assert not retracted.incident.confirmation_withdrawn
    assert [m.kind for m in owed(retracted.events)][-1] is AlertKind.RETRACTION


def test_the_source_confirming_again_settles_it_and_another_confirming_source_keeps_it():
    story = withdrawn_story()
    story.do(story.incident.attach_statement(statement(minutes=240), MOD_C, at(240)))
    assert not story.incident.confirmation_withdrawn
    assert not story.incident.contested
    two_sources = confirmed_story()
    two_sources.do(two_sources.incident.attach_statement(statement("Chicago Police", minutes=150), MOD_B, at(150)))
    two_sources.do(two_sources.incident.attach_statement(statement(stance=Stance.DENIES), MOD_B, at(200)))
    incident = two_sources.incident
    assert not incident.confirmation_withdrawn  # the police still confirm
    assert incident.confirmation_basis == MODERATOR_AND_STATEMENT
    assert incident.contested  # but CPS now denies it


def test_a_source_changing_its_word_does_not_withdraw_a_confirmation_by_two_moderators():
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_C, at(50)))
    story.do(story.incident.vote(MOD_A, at(60)))  # with the statement: confirmed on it
    assert story.incident.confirmation_basis == MODERATOR_AND_STATEMENT
    by_two = Story()
    by_two.do(by_two.incident.vote(MOD_A, at(60))).do(by_two.incident.vote(MOD_B, at(61)))
    by_two.do(by_two.incident.attach_statement(statement(), MOD_C, at(70)))
    by_two.do(by_two.incident.attach_statement(statement(stance=Stance.DENIES), MOD_C, at(80)))
    assert not by_two.incident.confirmation_withdrawn
    assert by_two.incident.contested  # moderators confirmed, CPS denies: sources disagree


async def test_a_withdrawn_confirmation_through_the_use_cases(uow):
    await set_up_chicago(uow)
    await usecases.subscribe(uow, CHICAGO, 902, None, Language.EN)
    await usecases.submit_report(uow, NOW, ReportInput(CHICAGO, "r1", "Hamline Elementary", "ICE at the door"))
    cps = StatementInput("Chicago Public Schools", Stance.CONFIRMS, quote="ICE agents came")
    await usecases.attach_statement(uow, NOW, CHICAGO, 1, MOD_A, cps, pseudonyms=moderator_pseudonyms)
    await usecases.vote_confirm(uow, NOW, CHICAGO, 1, MOD_A, pseudonyms=moderator_pseudonyms)
    taken_back = StatementInput("chicago public schools", Stance.DENIES, quote="staff assumed it was ICE")
    outcome = await usecases.attach_statement(
        uow, NOW + timedelta(hours=4), CHICAGO, 1, MOD_B, taken_back, pseudonyms=moderator_pseudonyms
    )
    assert outcome.incident.confirmation_withdrawn
    [update] = outcome.alerts
    assert update.kind is AlertKind.UPDATE
    assert update.facts.contested
    assert outcome.deliveries == 2  # the alerts channel and the subscriber
    view = await usecases.incident_view(uow, CHICAGO, 1)
    assert view.incident.confirmation_withdrawn
    [summary] = await usecases.queue(uow, CHICAGO)
    assert summary.contested
    again = await usecases.vote_confirm(
        uow, NOW + timedelta(hours=5), CHICAGO, 1, MOD_C, pseudonyms=moderator_pseudonyms
    )
    assert not again.incident.confirmation_withdrawn
    assert again.alerts == ()
