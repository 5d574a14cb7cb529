"""The rules of an incident's life: who may confirm, what needs a reason, what closed means."""

from __future__ import annotations

import pytest

from tests.builders import HAMLINE, MOD_A, MOD_B, MOD_C, Story, at, facts, reported, statement
from verification.errors import RuleViolation
from verification.events import Confirmed, Merged, from_record, to_record
from verification.incident import MODERATOR_AND_STATEMENT, TWO_MODERATORS, Priority, replay
from verification.model import Agency, PlaceKind, SourceKind, Stance, Status


def test_a_new_incident_is_unverified_with_its_first_report():
    """A report opens an UNVERIFIED incident holding that report."""
    incident = replay(reported())
    assert incident.status is Status.UNVERIFIED
    assert [r.report_id for r in incident.reports] == [1]
    assert incident.reporter_count == 1


def test_one_moderator_alone_cannot_confirm():
    """A single vote leaves the incident unverified."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.votes == ("mod:1001",)


def test_two_different_moderators_confirm():
    """The second moderator's vote confirms, and the history says on what basis."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    new = story.incident.vote(MOD_B, at(6))
    assert isinstance(new[-1], Confirmed)
    assert new[-1].basis == TWO_MODERATORS
    story.do(new)
    assert story.incident.status is Status.CONFIRMED
    assert story.incident.confirmation_basis == TWO_MODERATORS


def test_a_moderator_votes_once():
    """Voting twice is refused with a code the adapter can translate."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_A, at(6))
    assert refused.value.code == "already_voted"


def test_a_moderator_who_reported_cannot_vote():
    """A moderator the use case found among the reporters is refused the vote."""
    story = Story()
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_A, at(5), reporting_moderators={"mod:1001"})
    assert refused.value.code == "reporter_cannot_vote"


def test_one_moderator_and_a_confirming_official_statement_confirm():
    """A district statement that confirms plus one moderator's vote is enough, with attribution."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    assert story.incident.status is Status.UNVERIFIED
    story.do(story.incident.vote(MOD_A, at(101)))
    incident = story.incident
    assert incident.status is Status.CONFIRMED
    assert incident.confirmation_basis == MODERATOR_AND_STATEMENT
    assert incident.confirmation_source == "Chicago Public Schools"


def test_a_confirming_statement_after_a_vote_confirms():
    """The order does not matter: vote first, statement second also satisfies the rule."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    story.do(story.incident.attach_statement(statement(), MOD_B, at(100)))
    assert story.incident.status is Status.CONFIRMED


@pytest.mark.parametrize(
    ("stance", "kind"),
    [
        (Stance.DENIES, SourceKind.OFFICIAL),
        (Stance.CLARIFIES, SourceKind.OFFICIAL),
        (Stance.CONFIRMS, SourceKind.NEWS),
    ],
)
def test_statements_that_do_not_confirm_leave_one_vote_short(stance, kind):
    """Denials, clarifications and news reports never stand in for a second moderator."""
    story = Story()
    story.do(story.incident.attach_statement(statement(stance=stance, kind=kind), MOD_A, at(100)))
    story.do(story.incident.vote(MOD_A, at(101)))
    assert story.incident.status is Status.UNVERIFIED


def test_a_confirmed_incident_cannot_be_voted_again():
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5))).do(story.incident.vote(MOD_B, at(6)))
    with pytest.raises(RuleViolation) as refused:
        story.incident.vote(MOD_C, at(7))
    assert refused.value.code == "already_confirmed"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (lambda i: i.debunk("  ", MOD_A, at(9)), "reason_required"),
        (lambda i: i.mark_misidentified("", MOD_A, at(9)), "correction_required"),
        (lambda i: i.correct("\n", MOD_A, at(9)), "correction_required"),
        (lambda i: i.update("", MOD_A, at(9)), "text_required"),
        (lambda i: i.debunk("x" * 1001, MOD_A, at(9)), "text_too_long"),
    ],
)
def test_closing_and_correcting_need_their_text(command, code):
    """Debunk, misidentified and corrections need a reason; empty or huge text is refused."""
    with pytest.raises(RuleViolation) as refused:
        command(Story().incident)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "close",
    [
        lambda i: i.debunk("a delivery van", MOD_A, at(9)),
        lambda i: i.resolve(MOD_A, at(9)),
        lambda i: i.mark_misidentified("Secret Service, not ICE", MOD_A, at(9), agency=Agency.OTHER_FEDERAL),
    ],
)
def test_closed_incidents_can_only_be_reopened(close):
    """After closing, every action but reopen is refused; reopen needs a reason and resets the votes."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    story.do(close(story.incident))
    closed = story.incident
    assert closed.closed
    for action in (
        lambda i: i.vote(MOD_B, at(10)),
        lambda i: i.attach_statement(statement(), MOD_B, at(10)),
        lambda i: i.correct("x", MOD_B, at(10)),
        lambda i: i.debunk("x", MOD_B, at(10)),
        lambda i: i.resolve(MOD_B, at(10)),
        lambda i: i.add_report(facts(2, 2, 10), at(10)),
    ):
        with pytest.raises(RuleViolation) as refused:
            action(closed)
        assert refused.value.code == "incident_closed"
    with pytest.raises(RuleViolation):
        closed.reopen("", MOD_B, at(11))
    story.do(closed.reopen("agents came back", MOD_B, at(11)))
    assert story.incident.status is Status.UNVERIFIED
    assert story.incident.votes == ()


def test_reopen_is_refused_on_an_open_incident():
    with pytest.raises(RuleViolation) as refused:
        Story().incident.reopen("why", MOD_A, at(1))
    assert refused.value.code == "not_closed"


def test_misidentified_keeps_the_correction_and_the_established_agency():
    """It happened, but not as reported: the agency moderators establish is kept apart from the named one."""
    story = Story()
    story.do(story.incident.mark_misidentified("Secret Service agents", MOD_A, at(300), agency=Agency.OTHER_FEDERAL))
    incident = story.incident
    assert incident.status is Status.MISIDENTIFIED
    assert incident.agencies_named == (Agency.ICE,)
    assert incident.established_agency is Agency.OTHER_FEDERAL
    assert incident.corrections[-1].text == "Secret Service agents"


def test_statements_are_kept_side_by_side_and_disagreement_is_contested():
    """A denial never replaces a confirmation; both stay, and the incident is contested."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    story.do(
        story.incident.attach_statement(statement("ICE", Stance.DENIES, SourceKind.LAW_ENFORCEMENT), MOD_A, at(200))
    )
    incident = story.incident
    assert [a.statement.source for a in incident.statements] == ["Chicago Public Schools", "ICE"]
    assert incident.contested


def test_a_source_that_changes_its_account_counts_as_it_now_stands():
    story = Story()
    story.do(story.incident.attach_statement(statement("ICE", Stance.DENIES), MOD_A, at(100)))
    story.do(story.incident.attach_statement(statement(), MOD_A, at(110)))
    assert story.incident.contested
    story.do(story.incident.attach_statement(statement("ice", Stance.CONFIRMS), MOD_A, at(120)))
    assert not story.incident.contested


def test_priority_rises_for_sensitive_places_and_independent_reporters():
    """A school is high priority; more trusted reporters make it urgent; low-trust ones do not count."""
    story = Story()
    assert story.incident.priority is Priority.HIGH
    story.do(story.incident.add_report(facts(2, 2, 3, low_trust=True), at(3)))
    assert story.incident.priority is Priority.HIGH
    story.do(story.incident.add_report(facts(3, 3, 4), at(4)))
    assert story.incident.priority is Priority.URGENT
    corner = Story(place=HAMLINE.__class__(key="corner:26|pulaski", label="26th & Pulaski", kind=PlaceKind.OTHER))
    assert corner.incident.priority is Priority.NORMAL


def test_the_same_reporter_twice_is_one_independent_reporter():
    story = Story()
    story.do(story.incident.add_report(facts(2, 1, 3), at(3)))
    assert len(story.incident.reports) == 2
    assert story.incident.reporter_count == 1


def test_expiry_needs_quiet_time_and_sends_nothing_itself():
    from datetime import timedelta

    story = Story()
    assert story.incident.expire_if_stale(at(60), timedelta(hours=6)) == []
    story.do(story.incident.expire_if_stale(at(6 * 60), timedelta(hours=6)))
    assert story.incident.status is Status.EXPIRED


def test_merge_moves_reports_and_keeps_both_histories():
    source, target = Story(number=2), Story(number=1)
    for_source, for_target = source.incident.merge_into(target.incident, MOD_A, at(20), reason="same school")
    source.do(for_source)
    target.do(for_target)
    assert source.incident.merged_into == 1
    assert source.incident.closed
    assert target.incident.merged_from == (2,)
    assert len(target.incident.reports) == 2
    assert isinstance(source.events[-1], Merged)
    assert isinstance(target.events[-1], Merged)


def test_an_alerted_incident_cannot_be_merged_away():
    """Its recipients know it by its number: corrections must keep reaching them under it."""
    source, target = Story(number=2), Story(number=1)
    source.do(source.incident.vote(MOD_A, at(5))).do(source.incident.vote(MOD_B, at(6)))
    with pytest.raises(RuleViolation) as refused:
        source.incident.merge_into(target.incident, MOD_A, at(20))
    assert refused.value.code == "merge_alerted"
    with pytest.raises(RuleViolation) as same:
        target.incident.merge_into(target.incident, MOD_A, at(20))
    assert same.value.code == "merge_same"


def test_every_event_survives_a_round_trip_through_its_record():
    """Storage keeps events as JSON records; each comes back equal."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    story.do(story.incident.vote(MOD_A, at(101)))
    story.do(story.incident.correct("two agents, not four", MOD_B, at(102)))
    story.do(story.incident.mark_misidentified("Secret Service", MOD_B, at(103), agency=Agency.OTHER_FEDERAL))
    story.do(story.incident.reopen("new reports", MOD_A, at(104)))
    other = Story(number=9)
    for_source, _ = other.incident.merge_into(story.incident, MOD_A, at(105))
    for event in [*story.events, *for_source]:
        assert from_record(to_record(event)) == event


def test_after_a_reopen_an_old_confirming_statement_no_longer_counts():
    """A statement confirmed the earlier event; new activity needs its own confirmation."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    story.do(story.incident.vote(MOD_A, at(101)))
    story.do(story.incident.resolve(MOD_B, at(200)))
    story.do(story.incident.reopen("they came back", MOD_B, at(300)))
    story.do(story.incident.vote(MOD_A, at(301)))
    assert story.incident.status is Status.UNVERIFIED
    story.do(story.incident.vote(MOD_B, at(302)))
    assert story.incident.status is Status.CONFIRMED


def test_a_source_that_took_its_confirmation_back_no_longer_confirms():
    """Found in review: CPS confirms, then denies; one moderator's vote must not confirm on it."""
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    story.do(story.incident.attach_statement(statement(stance=Stance.DENIES), MOD_A, at(110)))
    story.do(story.incident.vote(MOD_B, at(120)))
    assert story.incident.status is Status.UNVERIFIED


def test_a_moderator_who_reported_cannot_attach_a_confirming_statement():
    """It would be the second vote they are refused; a denial or a clarification they may attach."""
    story = Story()
    with pytest.raises(RuleViolation) as refused:
        story.incident.attach_statement(
            statement(kind=SourceKind.VERIFIER), MOD_A, at(100), reporting_moderators={"mod:1001"}
        )
    assert refused.value.code == "reporter_cannot_confirm"
    story.do(
        story.incident.attach_statement(
            statement(stance=Stance.DENIES), MOD_A, at(101), reporting_moderators={"mod:1001"}
        )
    )
    assert len(story.incident.statements) == 1
