"""Hypothesis drives random incident lives through the real commands and checks the invariants.

Moderators may also report (the use case would find them among the reporters; the history never says
so): from then on they are passed to the commands as `reporting_moderators`, as the use cases do.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.builders import MOD_A, MOD_B, MOD_C, at, facts, reported, statement
from verification.alerts import AlertKind, owed
from verification.errors import RuleViolation
from verification.events import (
    Confirmed,
    ConfirmVote,
    Corrected,
    FactsChange,
    IncidentEvent,
    Reconfirmed,
    StatementAttached,
    Updated,
    moderator_actor,
)
from verification.incident import MODERATOR_AND_STATEMENT, TWO_MODERATORS, advance, replay
from verification.model import Agency, SourceKind, Stance, Status

MODERATORS = st.sampled_from([MOD_A, MOD_B, MOD_C])
AGENCIES = st.sampled_from([Agency.ICE, Agency.CBP, Agency.POLICE, Agency.UNKNOWN])
FACTS_CHANGES = st.one_of(
    st.none(),
    st.builds(
        FactsChange,
        observed_at=st.one_of(st.none(), st.integers(-120, 0).map(at)),
        agencies=st.one_of(st.none(), st.lists(AGENCIES, max_size=3).map(tuple)),
        people=st.one_of(st.none(), st.integers(1, 30)),
    ),
)


class IncidentLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[IncidentEvent] = reported()
        self.minute = 0.0
        self.reports = 1
        self.reported_at: dict[str, int] = {}  # moderator actor -> index of their first report

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

    @property
    def reporting(self) -> set[str]:
        return set(self.reported_at)

    @rule(earlier=st.integers(0, 90), agency=AGENCIES, people=st.integers(1, 12))
    def report(self, earlier, agency, people) -> None:
        """A community member reports, maybe saying it began before anyone else said, naming any agency."""
        self.reports += 1
        n = self.reports
        report = facts(n, n, self.minute - earlier, agency=agency, people=people)
        self.attempt(lambda i: i.add_report(report, self.now()))

    @rule(moderator=MODERATORS)
    def moderator_reports(self, moderator) -> None:
        self._reports_as(moderator_actor(moderator.id))

    @rule(pick=st.integers(0, 5))
    def a_moderator_who_voted_or_attached_a_statement_reports(self, pick) -> None:
        """The orders of events found in review: vote (or attach) first, report afterwards."""
        incident = replay(self.events)
        involved = sorted({*incident.votes, *(a.attached_by for a in incident.statements)})
        if involved:
            self._reports_as(involved[pick % len(involved)])

    def _reports_as(self, actor: str) -> None:
        self.reports += 1
        n = self.reports
        before = len(self.events)
        self.attempt(lambda i: i.add_report(facts(n, n, self.minute), self.now()))
        if len(self.events) > before:
            self.reported_at.setdefault(actor, before)

    @rule(moderator=MODERATORS)
    def vote(self, moderator) -> None:
        self.attempt(lambda i: i.vote(moderator, self.now(), reporting_moderators=self.reporting))

    @initialize(
        start=st.sampled_from(
            ["reported", "two_moderators", "moderator_and_statement", "a_voter_reported", "an_attacher_reported"]
        )
    )
    def start(self, start) -> None:
        """Most lives start confirmed, where the rules about what subscribers were told matter, or in one of
        the orders of events review found a moderator could confirm their own report by."""
        if start == "two_moderators":
            self.vote(MOD_A)
            self.vote(MOD_B)
        elif start == "moderator_and_statement":
            self.attach(MOD_C, Stance.CONFIRMS, SourceKind.OFFICIAL, "CPS")
            self.vote(MOD_A)
        elif start == "a_voter_reported":
            self.vote(MOD_A)
            self._reports_as(moderator_actor(MOD_A.id))
        elif start == "an_attacher_reported":
            self.attach(MOD_C, Stance.CONFIRMS, SourceKind.VERIFIER, "Verifier on site")
            self._reports_as(moderator_actor(MOD_C.id))

    @rule(pair=st.permutations([MOD_A, MOD_B, MOD_C]).map(lambda mods: mods[:2]))
    def two_moderators_confirm(self, pair) -> None:
        for moderator in pair:
            self.vote(moderator)

    @rule(moderator=MODERATORS, stance=st.sampled_from([Stance.DENIES, Stance.CORRECTS, Stance.CLARIFIES]))
    def the_confirming_source_takes_it_back(self, moderator, stance) -> None:
        source = replay(self.events).confirmation_source
        if source is not None:
            self.attach(moderator, stance, SourceKind.OFFICIAL, source.upper())  # the same source, typed anew

    @rule(
        moderator=MODERATORS,
        stance=st.sampled_from(list(Stance)),
        kind=st.sampled_from(list(SourceKind)),
        source=st.sampled_from(["CPS", "ICE", "DHS", "Police"]),
    )
    def attach(self, moderator, stance, kind, source) -> None:
        said = statement(source, stance, kind, self.minute)
        self.attempt(lambda i: i.attach_statement(said, moderator, self.now(), reporting_moderators=self.reporting))

    @rule(
        moderator=MODERATORS,
        text=st.sampled_from(["", "two agents", "Secret Service, not ICE"]),
        change=FACTS_CHANGES,
    )
    def correct(self, moderator, text, change) -> None:
        self.attempt(lambda i: i.correct(text, moderator, self.now(), facts=change))

    @rule(moderator=MODERATORS, text=st.sampled_from(["", "they left"]), change=FACTS_CHANGES)
    def update(self, moderator, text, change) -> None:
        self.attempt(lambda i: i.update(text, moderator, self.now(), facts=change))

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
            if isinstance(e, Reconfirmed):
                assert len(set(e.voters)) >= 2

    @invariant()
    def no_confirmation_while_a_confirming_moderator_is_a_reporter(self) -> None:
        """Whatever the order: a vote or a statement of a moderator who had reported by then never counts."""
        for i, event in enumerate(self.events):
            if not isinstance(event, Confirmed | Reconfirmed):
                continue
            reporters = {actor for actor, index in self.reported_at.items() if index < i}
            assert not set(event.voters) & reporters
            then = replay(self.events[:i])
            assert set(event.voters) <= set(then.votes)
            if isinstance(event, Confirmed) and event.basis == MODERATOR_AND_STATEMENT:
                assert then.confirming_statement_besides(reporters) is not None
            else:
                assert len(set(event.voters)) >= 2

    @invariant()
    def a_moderator_who_had_reported_never_votes_nor_attaches_a_confirming_statement(self) -> None:
        for i, event in enumerate(self.events):
            if self.reported_at.get(event.actor, i) >= i:
                continue
            assert not isinstance(event, ConfirmVote)
            assert not (isinstance(event, StatementAttached) and event.statement.stance is Stance.CONFIRMS)

    @invariant()
    def subscriber_facts_after_confirmation_change_only_through_a_moderators_update_or_correction(self) -> None:
        state = replay(self.events[:1])
        for event in self.events[1:]:
            after = state.apply(event)
            if after.confirmed_facts != state.confirmed_facts:
                assert isinstance(event, Confirmed) or (
                    isinstance(event, Updated | Corrected) and event.facts is not None
                )
            state = after
        messages = owed(self.events)
        for earlier, later in pairwise(messages):
            if later.kind is AlertKind.ALERT:
                continue
            between = self.events[earlier.event_index + 1 : later.event_index + 1]
            if any(isinstance(e, Updated | Corrected) and e.facts is not None for e in between):
                continue
            told, now = earlier.facts, later.facts
            assert (told.place, told.area, told.block) == (now.place, now.area, now.block)
            assert (told.observed_at, told.agencies_named, told.people) == (now.observed_at, now.agencies_named,
                                                                            now.people)  # fmt: skip
        for message in messages:
            if message.kind is AlertKind.ALERT:  # a confirmation takes every report there is
                confirmed = replay(self.events[: message.event_index])
                assert message.facts.observed_at == confirmed.first_observed
                assert message.facts.agencies_named == confirmed.agencies_named

    @invariant()
    def a_confirmation_whose_statement_was_taken_back_never_looks_as_before(self) -> None:
        incident = replay(self.events)
        if incident.confirmation_lapsed or incident.confirmation_withdrawn:
            assert incident.status is Status.CONFIRMED
            assert incident.contested
        messages = {m.event_index: m for m in owed(self.events)}
        state = replay(self.events[:1])
        for index, event in enumerate(self.events[1:], start=1):
            after = state.apply(event)
            rested_on_it = state.confirmation_basis == MODERATOR_AND_STATEMENT and state.status is Status.CONFIRMED
            taken_back = state.confirming_statement is not None and after.confirming_statement is None
            if isinstance(event, StatementAttached) and rested_on_it and taken_back:
                assert after.confirmation_withdrawn  # the card asks moderators to review it
                assert messages[index].kind is AlertKind.UPDATE
                assert messages[index].facts.contested  # subscribers see that sources disagree
            if after.confirmation_withdrawn and not state.confirmation_withdrawn:
                assert isinstance(event, StatementAttached)
            if state.confirmation_withdrawn and not after.confirmation_withdrawn:
                settled = Reconfirmed | Corrected | StatementAttached
                assert isinstance(event, settled) or after.status.closed
            if isinstance(event, Reconfirmed):
                assert after.confirmation_basis == TWO_MODERATORS
            state = after

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
