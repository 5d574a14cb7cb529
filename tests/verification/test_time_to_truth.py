"""Issue 16, the domain: escalation to on-call moderators, a verifier on site, and the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import MOD_A, MOD_B, Story, at, facts
from verification.errors import RuleViolation
from verification.escalation import PAGES_PER_HOUR, PagePlan, escalate_if_due, escalation_due, plan_pages
from verification.events import (
    SYSTEM,
    Confirmed,
    Escalated,
    PageRefused,
    PlaceRef,
    StatementAttached,
    from_record,
    to_record,
)
from verification.incident import MODERATOR_AND_STATEMENT, VERIFIER_SOURCE, replay
from verification.model import PlaceKind, SourceKind, Stance, Status
from verification.time_to_truth import figures, spread

THREE = timedelta(minutes=3)
CORNER = PlaceRef(key="corner:26th & pulaski", label="26th & Pulaski", area="Little Village")
VERIFIER = "2001"


# --- escalation ---------------------------------------------------------------------------------------


def test_an_unattended_school_report_escalates_once_after_three_minutes():
    story = Story()
    assert not escalation_due(story.incident, at(2.9), THREE)
    new = escalate_if_due(story.incident, at(3), THREE)
    assert [type(e) for e in new] == [Escalated]
    story.do(new)
    assert story.incident.escalated_at == at(3)
    assert escalate_if_due(story.incident, at(4), THREE) == []
    assert escalate_if_due(story.incident, at(60), THREE) == []  # no second ping while nothing changes


def test_a_change_after_the_ping_rearms_it_after_the_same_wait():
    story = Story()
    story.do(escalate_if_due(story.incident, at(3), THREE))
    story.do(story.incident.add_report(facts(2, 2, 5), at(5)))
    assert escalate_if_due(story.incident, at(7.5), THREE) == []
    assert len(escalate_if_due(story.incident, at(8), THREE)) == 1


def test_a_corner_with_one_reporter_is_not_urgent_but_two_independent_reporters_are():
    story = Story(place=CORNER)
    assert escalate_if_due(story.incident, at(30), THREE) == []
    story.do(story.incident.add_report(facts(2, 2, 1, low_trust=True), at(1)))
    assert escalate_if_due(story.incident, at(30), THREE) == []  # a brand-new account never raises priority
    story.do(story.incident.add_report(facts(3, 3, 2), at(2)))
    assert len(escalate_if_due(story.incident, at(30), THREE)) == 1


def test_any_moderator_action_stops_escalation():
    story = Story()
    story.do(story.incident.request_verifier(MOD_A, at(1)))
    assert escalate_if_due(story.incident, at(10), THREE) == []
    voted = Story()
    voted.do(voted.incident.vote(MOD_A, at(1)))
    assert escalate_if_due(voted.incident, at(10), THREE) == []


@pytest.mark.parametrize("kind", [PlaceKind.WORSHIP, PlaceKind.HOSPITAL, PlaceKind.COURT])
def test_every_sensitive_place_is_urgent(kind):
    story = Story(place=PlaceRef(key="x", label="Iglesia San Pío", kind=kind, known=True))
    assert len(escalate_if_due(story.incident, at(3), THREE)) == 1


def test_escalation_survives_the_log_round_trip():
    story = Story()
    story.do(escalate_if_due(story.incident, at(3), THREE))
    again = replay([from_record(to_record(e)) for e in story.events])
    assert again.escalated_at == at(3)
    assert escalate_if_due(again, at(50), THREE) == []


# --- issue 23 §4: one account cannot page again and again -----------------------------------------------

SCHOOL_WORDS = PlaceRef(key="vague:school", label="School", kind=PlaceKind.SCHOOL, reporters_words=True)


def test_a_sensitive_kind_in_a_reports_words_pages_only_for_a_reporter_in_good_standing():
    newcomer = Story(place=SCHOOL_WORDS, low_trust=True)  # "the school", from an account minutes old
    assert escalate_if_due(newcomer.incident, at(30), THREE) == []
    discredited = Story(place=SCHOOL_WORDS, discredited=True)  # their reports were debunked more than not
    assert escalate_if_due(discredited.incident, at(30), THREE) == []
    member = Story(place=SCHOOL_WORDS)
    assert len(escalate_if_due(member.incident, at(3), THREE)) == 1
    registered = Story(low_trust=True)  # Hamline Elementary, a registered school: whoever says so
    assert len(escalate_if_due(registered.incident, at(3), THREE)) == 1


def test_two_reporters_page_only_when_both_are_in_good_standing():
    story = Story(place=CORNER)
    story.do(story.incident.add_report(facts(2, 2, 1, discredited=True), at(1)))
    assert escalate_if_due(story.incident, at(30), THREE) == []
    story.do(story.incident.add_report(facts(3, 3, 2), at(2)))
    assert len(escalate_if_due(story.incident, at(30), THREE)) == 1


def test_only_a_new_independent_reporter_in_good_standing_rearms_the_page():
    story = Story(low_trust=True)  # a registered school: the first page is owed
    story.do(escalate_if_due(story.incident, at(3), THREE))
    story.do(story.incident.add_report(facts(2, 1, 4, low_trust=True), at(4)))  # the same account again
    story.do(story.incident.add_report(facts(3, 2, 5, low_trust=True), at(5)))  # another new account
    story.do(story.incident.add_report(facts(4, 3, 6, discredited=True), at(6)))
    assert escalate_if_due(story.incident, at(60), THREE) == []
    story.do(story.incident.add_report(facts(5, 4, 61), at(61)))  # a member in good standing
    assert escalate_if_due(story.incident, at(63.9), THREE) == []
    assert len(escalate_if_due(story.incident, at(64), THREE)) == 1


def test_a_good_reporter_seen_before_the_page_does_not_rearm_it_by_reporting_again():
    story = Story(place=CORNER)
    story.do(story.incident.add_report(facts(2, 2, 1), at(1)))
    story.do(escalate_if_due(story.incident, at(4), THREE))
    story.do(story.incident.add_report(facts(3, 2, 10), at(10)))
    assert escalate_if_due(story.incident, at(60), THREE) == []


def test_pages_of_an_hour_are_capped_and_the_rest_gathered_in_one_page():
    assert PAGES_PER_HOUR == 3
    assert plan_pages([1, 2], 0, 0) == PagePlan((1, 2), ())
    assert plan_pages([1, 2, 3, 4, 5, 6], 0, 0) == PagePlan((1, 2, 3), (4, 5, 6))
    assert plan_pages([7, 8], 2, 0) == PagePlan((7,), (8,))
    assert plan_pages([7, 8], 3, 0) == PagePlan((), (7, 8))
    assert plan_pages([9], 3, 1) == PagePlan((), ())  # they wait for the hour to free a page


def test_a_refused_page_is_no_escalation_and_the_incident_is_paged_again():
    story = Story()
    story.do(escalate_if_due(story.incident, at(3), THREE))
    story.do([PageRefused(at=at(3.1), actor=SYSTEM, page_at=at(3))])
    again = replay([from_record(to_record(e)) for e in story.events])
    assert again.escalated_at is None
    assert again.page_refused_at == at(3.1)
    assert figures([story.events], {}, at(-1), at(60)).escalated == 0
    story.do(escalate_if_due(story.incident, at(4), THREE))  # due again at the next round
    assert story.incident.escalated_at == at(4)
    assert story.incident.page_refused_at is None
    assert figures([story.events], {}, at(-1), at(60)).escalated == 1


def test_a_merged_incident_is_timed_from_the_first_report_of_either():
    early = Story(number=1, place=CORNER)  # reported at minute 0
    late = Story(number=2, place=CORNER, minutes=20)
    late.events = [replace(late.events[0], at=at(20))]
    moved = [replace(r, reporter=2) for r in early.incident.reports]
    gone, gained = early.incident.merge_into(late.incident, MOD_A, at(25), moved=moved)
    early.do(gone)
    late.do(gained)
    result = figures([early.events, late.events], {}, at(-60), at(60))
    assert result.incidents == 1  # the source is left out: its reports count with the target
    assert result.to_first_action.median == timedelta(minutes=25)  # from minute 0, not minute 20


# --- a verifier on site -------------------------------------------------------------------------------


def sent_and_claimed() -> Story:
    story = Story()
    story.do(story.incident.request_verifier(MOD_A, at(1)))
    story.do(story.incident.claim_visit(VERIFIER, at(2)))
    return story


def test_a_verifier_confirming_and_one_moderator_confirm_the_incident():
    story = sent_and_claimed()
    assert story.incident.visit is not None
    assert story.incident.visit.on_the_way
    story.do(story.incident.report_from_site(VERIFIER, Stance.CONFIRMS, at(9)))
    assert story.incident.status is Status.UNVERIFIED  # a verifier alone never confirms
    attached = story.events[-1]
    assert isinstance(attached, StatementAttached)
    assert attached.statement.source_kind is SourceKind.VERIFIER
    assert attached.statement.source == VERIFIER_SOURCE
    assert attached.actor == "verifier:2001"
    story.do(story.incident.vote(MOD_B, at(10)))
    confirmed = story.events[-1]
    assert isinstance(confirmed, Confirmed)
    assert confirmed.basis == MODERATOR_AND_STATEMENT
    assert confirmed.source == VERIFIER_SOURCE
    assert story.incident.visit is not None
    assert story.incident.visit.answer is Stance.CONFIRMS


def test_the_moderator_who_votes_cannot_also_be_the_verifier_who_confirmed():
    story = Story()
    story.do(story.incident.request_verifier(MOD_B, at(1)))
    story.do(story.incident.claim_visit(MOD_A.id, at(2)))
    story.do(story.incident.report_from_site(MOD_A.id, Stance.CONFIRMS, at(9)))
    story.do(story.incident.vote(MOD_A, at(10)))
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.confirmation_blocked
    story.do(story.incident.vote(MOD_B, at(11)))
    assert story.incident.status is Status.CONFIRMED


def test_a_verifier_who_reported_cannot_confirm_but_can_say_it_is_not_there():
    story = sent_and_claimed()
    with pytest.raises(RuleViolation) as refused:
        story.incident.report_from_site(VERIFIER, Stance.CONFIRMS, at(9), reported_it=True)
    assert refused.value.code == "verifier_reported"
    story.do(story.incident.report_from_site(VERIFIER, Stance.DENIES, at(9), reported_it=True))
    assert story.incident.visit is not None
    assert story.incident.visit.answer is Stance.DENIES


def test_a_verifier_statement_whose_verifier_turned_out_a_reporter_never_counts():
    story = sent_and_claimed()
    story.do(story.incident.report_from_site(VERIFIER, Stance.CONFIRMS, at(9)))
    story.do(story.incident.vote(MOD_B, at(10), reporting_moderators={"verifier:2001"}))
    assert story.incident.status is Status.UNVERIFIED


def test_two_verifiers_cannot_both_claim_and_only_the_claimer_answers():
    story = sent_and_claimed()
    with pytest.raises(RuleViolation) as second:
        story.incident.claim_visit("2002", at(3))
    assert second.value.code == "verifier_already_going"
    assert story.incident.claim_visit(VERIFIER, at(3)) == []  # pressing twice changes nothing
    with pytest.raises(RuleViolation) as other:
        story.incident.report_from_site("2002", Stance.CONFIRMS, at(9))
    assert other.value.code == "verifier_not_yours"


def test_one_request_at_a_time_and_a_new_one_after_an_answer():
    story = Story()
    with pytest.raises(RuleViolation) as unsent:
        story.incident.claim_visit(VERIFIER, at(1))
    assert unsent.value.code == "no_verifier_request"
    story.do(story.incident.request_verifier(MOD_A, at(1)))
    # Nobody claimed it (its post may never have gone out): it can be sent again, never stuck.
    story.do(story.incident.request_verifier(MOD_B, at(2)))
    story.do(story.incident.claim_visit(VERIFIER, at(2)))
    with pytest.raises(RuleViolation) as twice:
        story.incident.request_verifier(MOD_B, at(3))
    assert twice.value.code == "verifier_already_requested"
    story.do(
        story.incident.report_from_site(VERIFIER, Stance.CLARIFIES, at(8), note="solo 1 camioneta blanca, sin agentes")
    )
    assert story.incident.statements[-1].statement.quote == "solo 1 camioneta blanca, sin agentes"
    story.do(story.incident.request_verifier(MOD_B, at(20)))
    assert story.incident.visit is not None
    assert story.incident.visit.claimed_by is None


def test_something_else_needs_words():
    story = sent_and_claimed()
    with pytest.raises(RuleViolation) as empty:
        story.incident.report_from_site(VERIFIER, Stance.CLARIFIES, at(9), note="   ")
    assert empty.value.code == "text_required"


def test_a_visit_survives_the_log_round_trip():
    story = sent_and_claimed()
    story.do(story.incident.report_from_site(VERIFIER, Stance.DENIES, at(9)))
    again = replay([from_record(to_record(e)) for e in story.events])
    assert again.visit == story.incident.visit


# --- figures --------------------------------------------------------------------------------------------


def test_spread_is_the_median_and_the_nearest_rank_90th_percentile():
    mins = [timedelta(minutes=m) for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 30)]
    result = spread(mins)
    assert result.reached == 10
    assert result.median == timedelta(minutes=5.5)
    assert result.p90 == timedelta(minutes=9)
    assert spread([]).median is None


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=50))
def test_spread_lies_within_the_durations(seconds):
    durations = [timedelta(seconds=s) for s in seconds]
    result = spread(durations)
    assert result.median is not None
    assert result.p90 is not None
    assert min(durations) <= result.median <= result.p90 <= max(durations)
    assert sum(d <= result.p90 for d in durations) >= 0.9 * len(durations)


def test_figures_of_a_scripted_morning():
    on_site = sent_and_claimed()  # #1: school, verifier confirms, moderator confirms, alert sent
    on_site.do(on_site.incident.report_from_site(VERIFIER, Stance.CONFIRMS, at(9)))
    on_site.do(on_site.incident.vote(MOD_B, at(10)))
    escalated = Story(number=2)  # #2: nobody looked for 3 minutes, then two moderators confirmed
    escalated.do(escalate_if_due(escalated.incident, at(3), THREE))
    escalated.do(escalated.incident.vote(MOD_A, at(4)))
    escalated.do(escalated.incident.vote(MOD_B, at(6)))
    ignored = Story(number=3, place=CORNER)  # #3: never touched
    notified = {1: at(10.5), 2: at(7)}
    result = figures([on_site.events, escalated.events, ignored.events], notified, at(-60), at(60))
    assert result.incidents == 3
    assert result.to_first_action.reached == 2
    assert result.to_first_action.median == timedelta(minutes=2.5)
    assert result.to_confirmation.median == timedelta(minutes=8)
    assert result.to_confirmation.p90 == timedelta(minutes=10)
    assert result.to_first_notified.median == timedelta(minutes=8.75)
    assert (result.escalated, result.sent_to_verifier, result.confirmed_on_site) == (1, 1, 1)
    later = figures([on_site.events], notified, at(1), at(60))
    assert later.incidents == 0  # first reported before the period


@given(st.text(max_size=1200))
def test_whatever_a_verifier_types_is_kept_as_typed_or_refused_politely(note):
    story = sent_and_claimed()
    stripped = note.strip()
    if not stripped or len(stripped) > 1000:
        with pytest.raises(RuleViolation) as refused:
            story.incident.report_from_site(VERIFIER, Stance.CLARIFIES, at(9), note=note)
        assert refused.value.code in ("text_required", "text_too_long")
        return
    [attached] = story.incident.report_from_site(VERIFIER, Stance.CLARIFIES, at(9), note=note)
    assert isinstance(attached, StatementAttached)
    assert attached.statement.quote == stripped


def test_a_claimed_request_with_no_answer_for_long_can_go_to_others_and_none_after_confirmation():
    """Found in review: a request whose verifier never answered, or whose post failed, stayed open for
    the rest of the incident's life."""
    from verification.incident import VISIT_STALE

    story = Story()
    story.do(story.incident.request_verifier(MOD_A, at(1)))
    story.do(story.incident.claim_visit(VERIFIER, at(2)))
    later = at(2) + VISIT_STALE
    story.do(story.incident.request_verifier(MOD_B, later))
    assert story.incident.visit is not None
    assert story.incident.visit.claimed_by is None
