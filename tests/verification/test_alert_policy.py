"""The alert policy: which messages an incident's history owes, in order, and what each refers to."""

from __future__ import annotations

from tests.builders import MOD_A, MOD_B, Story, at, statement
from verification.alerts import AlertKind, from_record, owed, to_record
from verification.model import Agency, SourceKind, Stance, Status


def kinds(story: Story) -> list[AlertKind]:
    return [m.kind for m in owed(story.events)]


def confirmed_story() -> Story:
    story = Story()
    story.do(story.incident.attach_statement(statement(), MOD_A, at(100)))
    return story.do(story.incident.vote(MOD_A, at(101)))


def test_an_incident_never_confirmed_owes_nothing_ever():
    """Reports, statements, votes, corrections and closing of an unverified incident owe no message."""
    story = Story()
    story.do(story.incident.vote(MOD_A, at(5)))
    story.do(story.incident.attach_statement(statement(stance=Stance.DENIES), MOD_A, at(6)))
    story.do(story.incident.correct("three agents", MOD_A, at(7)))
    story.do(story.incident.debunk("a delivery van", MOD_A, at(8)))
    assert owed(story.events) == []


def test_confirmation_owes_one_alert_with_attribution():
    story = confirmed_story()
    [alert] = owed(story.events)
    assert alert.kind is AlertKind.ALERT
    assert alert.references is None
    assert alert.facts.confirmation_source == "Chicago Public Schools"
    assert alert.facts.place == "Hamline Elementary"
    assert alert.facts.status is Status.CONFIRMED


def test_the_hamline_chain_owes_alert_update_correction_each_referring_to_the_alert():
    """Confirm, ICE denies (UPDATE, contested), Secret Service: misidentified (CORRECTION)."""
    story = confirmed_story()
    ice = statement("ICE", Stance.DENIES, SourceKind.LAW_ENFORCEMENT, minutes=240)
    story.do(story.incident.attach_statement(ice, MOD_B, at(240)))
    story.do(
        story.incident.mark_misidentified(
            "U.S. Secret Service agents on a threat inquiry; no immigration enforcement",
            MOD_B,
            at(400),
            agency=Agency.OTHER_FEDERAL,
        )
    )
    messages = owed(story.events)
    assert [m.kind for m in messages] == [AlertKind.ALERT, AlertKind.UPDATE, AlertKind.CORRECTION]
    assert [m.references for m in messages] == [None, 1, 1]
    assert messages[1].facts.contested
    assert messages[1].facts.change_statement is not None
    assert messages[1].facts.change_statement.statement.source == "ICE"
    assert messages[2].facts.status is Status.MISIDENTIFIED
    assert messages[2].facts.established_agency is Agency.OTHER_FEDERAL


def test_debunk_after_an_alert_owes_a_retraction_and_resolve_an_all_clear():
    debunked = confirmed_story()
    debunked.do(debunked.incident.debunk("it was a film crew", MOD_B, at(200)))
    assert kinds(debunked) == [AlertKind.ALERT, AlertKind.RETRACTION]
    resolved = confirmed_story()
    resolved.do(resolved.incident.resolve(MOD_B, at(200), note="agents left at 11:40"))
    assert kinds(resolved) == [AlertKind.ALERT, AlertKind.ALL_CLEAR]


def test_updates_and_corrections_while_confirmed():
    story = confirmed_story()
    story.do(story.incident.update("they left toward Ashland", MOD_B, at(150)))
    story.do(story.incident.correct("two agents, not four", MOD_B, at(160)))
    assert kinds(story) == [AlertKind.ALERT, AlertKind.UPDATE, AlertKind.CORRECTION]
    assert owed(story.events)[2].facts.change == "two agents, not four"


def test_expiry_of_a_confirmed_incident_owes_nothing():
    from datetime import timedelta

    story = confirmed_story()
    story.do(story.incident.expire_if_stale(at(101 + 6 * 60), timedelta(hours=6)))
    assert story.incident.status is Status.EXPIRED
    assert kinds(story) == [AlertKind.ALERT]


def test_a_reopened_and_reconfirmed_incident_owes_a_new_alert_that_amendments_then_refer_to():
    story = confirmed_story()
    story.do(story.incident.resolve(MOD_B, at(200)))
    story.do(story.incident.reopen("they came back", MOD_B, at(300)))
    story.do(story.incident.vote(MOD_A, at(301))).do(story.incident.vote(MOD_B, at(302)))
    story.do(story.incident.correct("only one car", MOD_A, at(303)))
    messages = owed(story.events)
    assert [m.kind for m in messages] == [AlertKind.ALERT, AlertKind.ALL_CLEAR, AlertKind.ALERT, AlertKind.CORRECTION]
    assert messages[3].references == 3


def test_earlier_messages_never_change_as_history_grows():
    """owed(prefix) is always a prefix of owed(all): what was owed stays owed, as it was."""
    story = confirmed_story()
    story.do(story.incident.update("detail", MOD_B, at(150)))
    story.do(story.incident.debunk("wrong", MOD_B, at(160)))
    full = owed(story.events)
    for cut in range(1, len(story.events) + 1):
        assert owed(story.events[:cut]) == full[: len(owed(story.events[:cut]))]


def test_messages_survive_a_round_trip_through_their_record():
    story = confirmed_story()
    story.do(story.incident.attach_statement(statement("ICE", Stance.DENIES, minutes=200), MOD_B, at(200)))
    story.do(story.incident.mark_misidentified("Secret Service", MOD_B, at(300), agency=Agency.OTHER_FEDERAL))
    for message in owed(story.events):
        assert from_record(to_record(message)) == message


def test_a_retraction_reaches_those_told_even_after_an_all_clear_and_a_reopen():
    """Found in review: confirmed, resolved, reopened, then found false: the alert's recipients must hear."""
    story = confirmed_story()
    story.do(story.incident.resolve(MOD_B, at(200)))
    story.do(story.incident.reopen("new doubts", MOD_B, at(300)))
    story.do(story.incident.correct("it was two people, not four", MOD_A, at(310)))
    story.do(story.incident.debunk("it was a film crew", MOD_A, at(320)))
    story.do(story.incident.reopen("checking again", MOD_A, at(330)))
    story.do(story.incident.debunk("still a film crew", MOD_B, at(340)))
    messages = owed(story.events)
    assert [m.kind for m in messages] == [AlertKind.ALERT, AlertKind.ALL_CLEAR, AlertKind.CORRECTION,
                                          AlertKind.RETRACTION]  # fmt: skip
    assert {m.references for m in messages[1:]} == {1}
