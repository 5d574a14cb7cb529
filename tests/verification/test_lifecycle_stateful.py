"""Hypothesis drives random incident lives through the real commands and checks the invariants."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.builders import MOD_A, MOD_B, MOD_C, at, facts, reported, statement
from verification.alerts import AlertKind, owed
from verification.errors import RuleViolation
from verification.events import Confirmed, IncidentEvent
from verification.incident import advance, replay
from verification.model import Agency, SourceKind, Stance

MODERATORS = st.sampled_from([MOD_A, MOD_B, MOD_C])


class IncidentLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[IncidentEvent] = reported()
        self.minute = 0.0
        self.reports = 1

    def now(self):
        self.minute += 1
        return at(self.minute)

    def attempt(self, command) -> None:
        """Apply a command; a refusal must leave the history untouched."""
        before = list(self.events)
        try:
            new = command(replay(self.events))
        except RuleViolation:
            assert self.events == before
            return
        self.events += new

    @rule()
    def report(self) -> None:
        self.reports += 1
        n = self.reports
        self.attempt(lambda i: i.add_report(facts(n, n, self.minute), self.now()))

    @rule(moderator=MODERATORS, own=st.booleans())
    def vote(self, moderator, own) -> None:
        reporting = {f"mod:{moderator.id}"} if own else set()
        self.attempt(lambda i: i.vote(moderator, self.now(), reporting_moderators=reporting))

    @rule(
        moderator=MODERATORS,
        stance=st.sampled_from(list(Stance)),
        kind=st.sampled_from(list(SourceKind)),
        source=st.sampled_from(["CPS", "ICE", "DHS", "Police"]),
    )
    def attach(self, moderator, stance, kind, source) -> None:
        self.attempt(lambda i: i.attach_statement(statement(source, stance, kind, self.minute), moderator, self.now()))

    @rule(moderator=MODERATORS, text=st.sampled_from(["", "two agents", "Secret Service, not ICE"]))
    def correct(self, moderator, text) -> None:
        self.attempt(lambda i: i.correct(text, moderator, self.now()))

    @rule(moderator=MODERATORS, text=st.sampled_from(["", "they left"]))
    def update(self, moderator, text) -> None:
        self.attempt(lambda i: i.update(text, moderator, self.now()))

    @rule(moderator=MODERATORS, reason=st.sampled_from(["", "not ICE"]))
    def misidentify(self, moderator, reason) -> None:
        self.attempt(lambda i: i.mark_misidentified(reason, moderator, self.now(), agency=Agency.OTHER_FEDERAL))

    @rule(moderator=MODERATORS, reason=st.sampled_from(["", "a film crew"]))
    def debunk(self, moderator, reason) -> None:
        self.attempt(lambda i: i.debunk(reason, moderator, self.now()))

    @rule(moderator=MODERATORS)
    def resolve(self, moderator) -> None:
        self.attempt(lambda i: i.resolve(moderator, self.now()))

    @rule(moderator=MODERATORS, reason=st.sampled_from(["", "they came back"]))
    def reopen(self, moderator, reason) -> None:
        self.attempt(lambda i: i.reopen(reason, moderator, self.now()))

    @precondition(lambda self: True)
    @rule(hours=st.integers(min_value=0, max_value=12))
    def time_passes(self, hours) -> None:
        self.minute += hours * 60
        self.attempt(lambda i: i.expire_if_stale(at(self.minute), timedelta(hours=6)))

    @invariant()
    def never_confirmed_owes_nothing(self) -> None:
        if not any(isinstance(e, Confirmed) for e in self.events):
            assert owed(self.events) == []

    @invariant()
    def every_amendment_refers_to_an_alert_already_owed(self) -> None:
        messages = owed(self.events)
        by_seq = {m.seq: m for m in messages}
        for m in messages:
            if m.kind is AlertKind.ALERT:
                assert m.references is None
            else:
                assert m.references is not None
                assert m.references < m.seq
                assert by_seq[m.references].kind is AlertKind.ALERT

    @invariant()
    def one_moderator_alone_never_confirms(self) -> None:
        for e in self.events:
            if isinstance(e, Confirmed):
                if e.basis == "two_moderators":
                    assert len(set(e.voters)) >= 2
                else:
                    assert len(set(e.voters)) >= 1
                    assert e.source is not None

    @invariant()
    def every_confirmation_had_two_moderators_or_a_confirming_statement_at_the_time(self) -> None:
        for i, event in enumerate(self.events):
            if isinstance(event, Confirmed):
                then = replay(self.events[:i])  # just before: the vote or statement that confirmed
                assert len(set(then.votes)) >= 2 or (then.votes and then.confirming_statement)

    @invariant()
    def replaying_the_events_gives_the_same_state(self) -> None:
        assert replay(self.events) == replay(list(self.events))
        incident = replay(self.events)
        assert incident.history == tuple(self.events)

    @invariant()
    def advancing_a_state_equals_replaying_everything(self) -> None:
        cut = len(self.events) // 2 or 1
        assert advance(replay(self.events[:cut]), self.events[cut:]) == replay(self.events)

    @invariant()
    def earlier_messages_never_change(self) -> None:
        full = owed(self.events)
        shorter = owed(self.events[:-1]) if len(self.events) > 1 else []
        assert full[: len(shorter)] == shorter


IncidentLife.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestIncidentLife = IncidentLife.TestCase
