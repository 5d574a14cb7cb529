"""An incident: one real-world event that reports describe. Its state is a fold over its events.

`replay(events)` rebuilds the state; the same events always give the same state. The command methods
(`vote`, `attach_statement`, `correct`, ...) check the rules against the current state and return the
new events to append, or raise `RuleViolation`. They never change anything themselves.

Who reported is not in the history (it would link moderators to reports for good): the use cases find
which of the incident's moderators are among its reporters and pass them to the commands that confirm.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from intake.time import ObservedTime, TimePrecision

from .errors import RuleViolation
from .events import (
    SYSTEM,
    Confirmed,
    ConfirmVote,
    Corrected,
    Debunked,
    Escalated,
    Expired,
    FactsChange,
    IncidentEvent,
    Merged,
    Misidentified,
    PageRefused,
    PlaceChanged,
    PlaceRef,
    Reconfirmed,
    Reopened,
    ReportAdded,
    Reported,
    ReportFacts,
    ReportTimed,
    Resemblance,
    Resembles,
    Resolved,
    StatementAttached,
    Updated,
    VerifierClaimed,
    VerifierRequested,
    moderator_actor,
    person_of,
    reporter_actor,
    verifier_actor,
)
from .model import (
    MAX_PEOPLE,
    MAX_REASON,
    Agency,
    Moderator,
    SourceKind,
    Stance,
    Statement,
    Status,
)

TWO_MODERATORS = "two_moderators"
MODERATOR_AND_STATEMENT = "moderator_and_statement"
# The source of every verifier's statement: one source, so a later visit's word replaces an earlier one's.
VERIFIER_SOURCE = "verifier on site"


class Priority(IntEnum):
    NORMAL = 0
    HIGH = 1
    URGENT = 2


@dataclass(frozen=True, slots=True)
class AttachedStatement:
    statement: Statement
    attached_by: str
    attached_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    """A moderator's text in the history: an update, a correction, a reason."""

    text: str
    by: str
    at: datetime
    text_es: str = ""  # the same text in Spanish, when the moderator gave it


@dataclass(frozen=True, slots=True)
class ConfirmedFacts:
    """What subscribers were told happened: the reports' facts when the incident was confirmed.

    Reports that arrive later never change it (moderators see them on the card); only a moderator's
    update or correction does, and a new confirmation after a reopen takes a new snapshot.
    """

    place: PlaceRef
    observed_at: datetime
    agencies_named: tuple[Agency, ...]
    people: int | None
    reporter_count: int
    reports: int  # how many of the incident's reports it was taken from: the rest came later
    observed: ObservedTime | None = None  # `observed_at` with the precision it was reported with


VISIT_STALE = timedelta(minutes=45)  # a claimed visit with no answer this long may be sent to others


@dataclass(frozen=True, slots=True)
class Visit:
    """A moderator's request that a verifier go and look, and how far it got."""

    requested_by: str
    requested_at: datetime
    claimed_by: str | None = None  # "verifier:ID"
    claimed_at: datetime | None = None
    answer: Stance | None = None  # set once the verifier reported: the request is over
    answered_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.answer is None

    @property
    def on_the_way(self) -> bool:
        return self.claimed_by is not None and self.answer is None


@dataclass(frozen=True, slots=True)
class Incident:
    number: int
    place: PlaceRef
    status: Status
    opened_at: datetime
    last_news_at: datetime
    reports: tuple[ReportFacts, ...] = ()
    statements: tuple[AttachedStatement, ...] = ()
    votes: tuple[str, ...] = ()  # moderator actors who voted in the current round
    round_start: int = 0  # statements before this index belong to a round closed by a reopen
    confirmed_at: datetime | None = None
    confirmation_basis: str | None = None
    confirmation_source: str | None = None
    updates: tuple[Note, ...] = ()
    corrections: tuple[Note, ...] = ()
    established_agency: Agency | None = None
    closing: Note | None = None  # why it was resolved, debunked, marked misidentified or expired
    was_confirmed: bool = False  # ever, including before a reopen
    merged_into: int | None = None
    merged_from: tuple[int, ...] = ()
    confirmed_facts: ConfirmedFacts | None = None  # kept through a reopen: what subscribers last heard
    # The only statement the confirmation rested on was taken back and no moderator has reviewed it
    # since (re-confirmed, corrected or closed it): the card asks them to.
    confirmation_withdrawn: bool = False
    resembles: tuple[Resemblance, ...] = ()  # open incidents it may be the same as, for moderators
    escalated_at: datetime | None = None  # the last time the on-call moderators were pinged about it
    pages: tuple[datetime, ...] = ()  # every page Discord did not refuse (see `PageRefused`)
    page_refused_at: datetime | None = None  # the latest page was refused, then: the card says so
    visit: Visit | None = None  # the latest request for a verifier on site
    history: tuple[IncidentEvent, ...] = ()

    # --- derived -------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.status.closed or self.merged_into is not None

    @property
    def first_observed(self) -> datetime:
        return min(r.observed_at for r in self._timed)

    @property
    def last_observed(self) -> datetime:
        return max(r.observed_at for r in self._timed)

    @property
    def _timed(self) -> tuple[ReportFacts, ...]:
        """The reports that say when the incident was: a report that said only "this morning" joined it
        without stretching its span to mid-morning (unless no report said better)."""
        precise = tuple(r for r in self.reports if not r.vague)
        return precise or self.reports

    @property
    def reporter_count(self) -> int:
        """Independent reporters: distinct people, whatever the number of their reports."""
        return len({r.reporter for r in self.reports})

    @property
    def established_reporter_count(self) -> int:
        return len({r.reporter for r in self.reports if r.established})

    @property
    def good_standing_reporter_count(self) -> int:
        """Reporters all of whose reports here came in good standing (`ReportFacts.in_good_standing`)."""
        doubtful = {r.reporter for r in self.reports if not r.in_good_standing}
        return len({r.reporter for r in self.reports} - doubtful)

    @property
    def trusted_reporter_count(self) -> int:
        """Reporters whose accounts are not new: only they raise priority."""
        low = {r.reporter for r in self.reports if r.low_trust}
        return len({r.reporter for r in self.reports} - low)

    @property
    def agencies_named(self) -> tuple[Agency, ...]:
        """Agencies reporters named, most named first (ties in the order first named)."""
        counts: dict[Agency, int] = {}
        for r in self.reports:
            if r.agency is not Agency.UNKNOWN:
                counts[r.agency] = counts.get(r.agency, 0) + 1
        return tuple(sorted(counts, key=lambda a: -counts[a]))

    @property
    def people(self) -> int | None:
        counts = [r.people for r in self.reports if r.people is not None]
        return max(counts) if counts else None

    @property
    def current_stances(self) -> dict[str, Stance]:
        """Each source's latest stance: a source that changes its account counts once, as it now stands."""
        stances: dict[str, Stance] = {}
        for attached in self.statements:
            stances[attached.statement.source.casefold()] = attached.statement.stance
        return stances

    @property
    def contested(self) -> bool:
        """Sources disagree: one denies while another confirms or moderators confirmed, or the statement
        the confirmation rested on was taken back."""
        stances = set(self.current_stances.values())
        if Stance.DENIES in stances and (Stance.CONFIRMS in stances or self.status is Status.CONFIRMED):
            return True
        return self.confirmation_lapsed

    @property
    def confirmation_lapsed(self) -> bool:
        """Confirmed by one moderator and a statement whose source no longer confirms (nor does another)."""
        return (
            self.status is Status.CONFIRMED
            and self.confirmation_basis == MODERATOR_AND_STATEMENT
            and self.confirming_statement is None
        )

    @property
    def confirmation_blocked(self) -> bool:
        """Enough votes (or a vote and a confirming statement) to confirm, yet not confirmed: one of them
        comes from a moderator who reported the incident and cannot count, so another moderator must vote.
        (Which one is not said: the history never links a moderator to a report.)"""
        if self.status is Status.UNVERIFIED:
            if self.place.reporters_words:
                return False  # the place is what holds it (`place_unapproved`)
            return len(set(self.votes)) >= 2 or (bool(self.votes) and self.confirming_statement is not None)
        return self.confirmation_lapsed and len(set(self.votes)) >= 2

    @property
    def place_unapproved(self) -> bool:
        """The place is a reporter's own words, which no alert may carry: a moderator must name it."""
        return not self.closed and self.place.reporters_words

    @property
    def later_reports(self) -> tuple[ReportFacts, ...]:
        """Reports that came after the confirmation: for moderators, never in what subscribers are told."""
        if self.confirmed_facts is None:
            return ()
        return self.reports[self.confirmed_facts.reports :]

    def snapshot(self) -> ConfirmedFacts:
        """The facts of every report so far, as a confirmation would freeze them now."""
        return ConfirmedFacts(
            place=self.place,
            observed_at=self.first_observed,
            agencies_named=self.agencies_named,
            people=self.people,
            reporter_count=self.reporter_count,
            reports=len(self.reports),
            observed=self.observed_time,
        )

    @property
    def observed_time(self) -> ObservedTime:
        """When the first report says it was seen, with the precision it was said with."""
        return min(self.reports, key=lambda r: r.observed_at).observed_time

    @property
    def priority(self) -> Priority:
        points = 2 if self.place.kind.sensitive else 0
        points += min(2, max(0, self.trusted_reporter_count - 1))
        if points >= 3:
            return Priority.URGENT
        return Priority.HIGH if points >= 1 else Priority.NORMAL

    @property
    def confirming_statement(self) -> AttachedStatement | None:
        """A statement of this round that can stand in for a second moderator (a reopen starts a round).

        Only a source whose latest word this round is "confirms" counts (a source that took its
        confirmation back does not), and never a news report.
        """
        return self.confirming_statement_besides(())

    def confirming_statement_besides(self, excluded: Collection[str]) -> AttachedStatement | None:
        """`confirming_statement`, leaving out statements attached by the moderator actors `excluded`."""
        latest: dict[str, AttachedStatement] = {}
        for attached in self.statements[self.round_start :]:
            latest[attached.statement.source.casefold()] = attached
        for attached in latest.values():
            s = attached.statement
            if s.stance is Stance.CONFIRMS and s.source_kind.can_confirm and attached.attached_by not in excluded:
                return attached
        return None

    # --- the fold ------------------------------------------------------------------------------

    def apply(self, event: IncidentEvent) -> Incident:
        """The state after `event`, except `history`, which `replay` sets once: copying it at every step
        would make replaying a long incident quadratic."""
        state = self
        match event:
            case ReportAdded(report=facts):
                return _evolve(state, reports=(*state.reports, facts), last_news_at=event.at)
            case Resembles(others=others):
                return _evolve(state, resembles=(*state.resembles, *others))
            case PlaceChanged(place=place):
                # While confirmed, a moderator's change is a change of what subscribers are told (an
                # UPDATE says so); otherwise the next confirmation's snapshot takes it.
                told = state.confirmed_facts
                if told is not None and state.status is Status.CONFIRMED:
                    told = replace(told, place=place)
                return _evolve(state, place=place, confirmed_facts=told)
            case ReportTimed(report_id=report_id, observed=observed):
                timed = tuple(
                    replace(r, observed_at=observed.at, observed=observed) if r.report_id == report_id else r
                    for r in state.reports
                )
                return _evolve(state, reports=timed)
            case Escalated():
                return _evolve(state, escalated_at=event.at, pages=(*state.pages, event.at), page_refused_at=None)
            case PageRefused(page_at=page_at):
                pages = tuple(p for p in state.pages if p != page_at)
                return _evolve(state, pages=pages, escalated_at=pages[-1] if pages else None, page_refused_at=event.at)
            case VerifierRequested():
                return _evolve(state, visit=Visit(event.actor, event.at))
            case VerifierClaimed():
                visit = state.visit or Visit(SYSTEM, event.at)
                return _evolve(state, visit=replace(visit, claimed_by=event.actor, claimed_at=event.at))
            case StatementAttached(statement=statement):
                attached = AttachedStatement(statement, event.actor, event.at)
                after = _evolve(state, statements=(*state.statements, attached), last_news_at=event.at)
                if state.visit is not None and state.visit.claimed_by == event.actor:
                    after = _evolve(after, visit=replace(state.visit, answer=statement.stance, answered_at=event.at))
                if after.status is not Status.CONFIRMED or after.confirmation_basis != MODERATOR_AND_STATEMENT:
                    return after
                if not after.confirmation_lapsed:
                    return _evolve(after, confirmation_withdrawn=False)  # a source confirms again
                if state.confirming_statement is not None:
                    return _evolve(after, confirmation_withdrawn=True)  # this statement took it back
                return after
            case ConfirmVote():
                return _evolve(state, votes=(*state.votes, event.actor))
            case Confirmed():
                return _evolve(
                    state,
                    status=Status.CONFIRMED,
                    confirmed_at=event.at,
                    confirmation_basis=event.basis,
                    confirmation_source=event.source,
                    was_confirmed=True,
                    last_news_at=event.at,
                    confirmed_facts=state.snapshot(),
                    confirmation_withdrawn=False,
                )
            case Reconfirmed():
                # Two moderators now carry it: the statement that was taken back no longer matters.
                return _evolve(
                    state,
                    confirmation_basis=TWO_MODERATORS,
                    confirmation_source=None,
                    confirmation_withdrawn=False,
                )
            case Updated(facts=change):
                note = Note(event.reason, event.actor, event.at, event.reason_es)
                return _evolve(
                    state,
                    updates=(*state.updates, note),
                    last_news_at=event.at,
                    confirmed_facts=_amended(state.confirmed_facts, change),
                )
            case Corrected(facts=change):
                note = Note(event.reason, event.actor, event.at, event.reason_es)
                return _evolve(
                    state,
                    corrections=(*state.corrections, note),
                    last_news_at=event.at,
                    confirmed_facts=_amended(state.confirmed_facts, change),
                    confirmation_withdrawn=False,  # moderators reviewed it and told subscribers
                )
            case Misidentified(agency=agency):
                note = Note(event.reason, event.actor, event.at, event.reason_es)
                return _evolve(
                    state,
                    status=Status.MISIDENTIFIED,
                    corrections=(*state.corrections, note),
                    established_agency=agency,
                    closing=note,
                    confirmation_withdrawn=False,
                )
            case Resolved() | Debunked() | Expired():
                status = {
                    Resolved: Status.RESOLVED,
                    Debunked: Status.DEBUNKED,
                    Expired: Status.EXPIRED,
                }[type(event)]
                spanish = event.reason_es if isinstance(event, Resolved | Debunked) else ""
                closing = Note(event.reason, event.actor, event.at, spanish)
                return _evolve(state, status=status, closing=closing, confirmation_withdrawn=False)
            case Reopened():
                return _evolve(
                    state,
                    status=Status.UNVERIFIED,
                    votes=(),
                    round_start=len(state.statements),
                    confirmed_at=None,
                    confirmation_basis=None,
                    confirmation_source=None,
                    confirmation_withdrawn=False,
                    closing=None,
                    last_news_at=event.at,
                )
            case Merged(source=source, target=target, reports=moved):
                if source == self.number:
                    note = Note(event.reason, event.actor, event.at)
                    return _evolve(state, merged_into=target, closing=note)
                return _evolve(
                    state,
                    reports=(*state.reports, *moved),
                    merged_from=(*state.merged_from, source),
                    last_news_at=event.at,
                )
        raise ValueError(f"event {event!r} cannot follow the first event")

    # --- commands: check the rules, return the events to append --------------------------------

    def add_report(self, facts: ReportFacts, at: datetime) -> list[IncidentEvent]:
        self._require_open()
        return [ReportAdded(at=at, actor=reporter_actor(facts.reporter), report=facts)]

    def note_resemblance(self, others: Sequence[Resemblance], at: datetime) -> list[IncidentEvent]:
        return [Resembles(at=at, actor=SYSTEM, others=tuple(others))] if others else []

    def choose_place(self, place: PlaceRef, reporter: int, at: datetime) -> list[IncidentEvent]:
        """The incident's only reporter picks where it was from a menu, once, and only while no moderator
        has looked into it: a vote or a statement was about the place as it stood."""
        self._require_open()
        self._require_untouched_by_moderators()
        if self.reporter_count != 1 or any(isinstance(e, PlaceChanged) for e in self.history):
            raise RuleViolation("place_fixed", number=self.number)
        if place == self.place:
            return []
        return [PlaceChanged(at=at, actor=reporter_actor(reporter), place=place, reason="chosen by its reporter")]

    def _require_untouched_by_moderators(self) -> None:
        """A reporter's own fixes (the place from a menu, a time from a button) stop once a moderator has
        voted, attached a statement or acted: they judged the report as it stood."""
        if self.status is not Status.UNVERIFIED or self.was_confirmed or self.votes or self.statements:
            raise RuleViolation("report_fixed", number=self.number)
        if any(e.actor.startswith("mod:") for e in self.history):
            raise RuleViolation("report_fixed", number=self.number)

    def set_place(self, place: PlaceRef, by: Moderator, at: datetime, reason: str = "") -> list[IncidentEvent]:
        """A moderator names the place as subscribers should see it (a confirmed incident's subscribers
        are sent an UPDATE). What a moderator names is approved, whatever words it is in."""
        self._require_open()
        place = replace(place, reporters_words=False, suggested="")
        if place == self.place:
            return []
        return [PlaceChanged(at=at, actor=moderator_actor(by.id), place=place, reason=_optional(reason))]

    def time_report(self, report_id: int, observed: ObservedTime, at: datetime) -> list[IncidentEvent]:
        """A reporter gives the time Veraz could not read. Only a time not given can be set this way,
        and once: a time the reporter did give is theirs, and a moderator's correction changes facts."""
        self._require_open()
        self._require_untouched_by_moderators()
        facts = next((r for r in self.reports if r.report_id == report_id), None)
        if facts is None:
            raise RuleViolation("unknown_report")
        if facts.observed_time.precision is not TimePrecision.NOT_GIVEN:
            raise RuleViolation("time_already_given")
        return [ReportTimed(at=at, actor=reporter_actor(facts.reporter), report_id=report_id, observed=observed)]

    def attach_statement(
        self,
        statement: Statement,
        by: Moderator,
        at: datetime,
        *,
        reporting_moderators: Collection[str] = (),
    ) -> list[IncidentEvent]:
        """Attach what a source said. `reporting_moderators`: the moderator actors ("mod:ID") among the
        incident's reporters (`by`, its voters and the attachers of its statements, as the use case found).

        A moderator who reported the incident may attach a denial or a clarification, but not a
        statement that confirms: that would be the second vote they are refused. (Refusing, rather than
        recording who reported, keeps the permanent history from linking a moderator to a report.)
        """
        self._require_open()
        if statement.stance is Stance.CONFIRMS and moderator_actor(by.id) in reporting_moderators:
            raise RuleViolation("reporter_cannot_confirm", number=self.number)
        new: list[IncidentEvent] = [StatementAttached(at=at, actor=moderator_actor(by.id), statement=statement)]
        return new + self._confirmation_if_due(new, at, reporting_moderators)

    def request_verifier(self, by: Moderator, at: datetime) -> list[IncidentEvent]:
        """A moderator sends a verifier, before confirmation. One request at a time, but one that nobody has
        claimed may be sent again (its post may never have gone out), and so may one claimed longer than
        `VISIT_STALE` ago without an answer: a request is never stuck."""
        self._require_open()
        if self.status is not Status.UNVERIFIED:
            raise RuleViolation("already_confirmed", number=self.number)
        visit = self.visit
        claimed = visit is not None and visit.open and visit.claimed_by is not None
        if claimed and (visit is None or visit.claimed_at is None or at - visit.claimed_at < VISIT_STALE):
            raise RuleViolation("verifier_already_requested", number=self.number)
        return [VerifierRequested(at=at, actor=moderator_actor(by.id))]

    def claim_visit(self, verifier_id: str, at: datetime) -> list[IncidentEvent]:
        """A verifier says they are going. Whoever claims first has it; a second verifier is told."""
        self._require_open()
        visit = self._open_visit()
        actor = verifier_actor(verifier_id)
        if visit.claimed_by == actor:
            return []
        if visit.claimed_by is not None:
            raise RuleViolation("verifier_already_going", number=self.number)
        return [VerifierClaimed(at=at, actor=actor)]

    def report_from_site(
        self,
        verifier_id: str,
        stance: Stance,
        at: datetime,
        *,
        note: str = "",
        reported_it: bool = False,
        reporting_moderators: Collection[str] = (),
    ) -> list[IncidentEvent]:
        """What the verifier who claimed the visit saw, as a statement from a trusted verifier on site.

        `reported_it`: the verifier is among the incident's reporters; they may say it is not there or
        add a detail, but their confirmation would be a reporter confirming their own report.
        `reporting_moderators`: as for `vote`, for a confirmation this statement completes.
        """
        self._require_open()
        visit = self._open_visit()
        actor = verifier_actor(verifier_id)
        if visit.claimed_by != actor:
            raise RuleViolation("verifier_not_yours", number=self.number)
        if stance is Stance.CONFIRMS and reported_it:
            raise RuleViolation("verifier_reported", number=self.number)
        text = _optional(note)
        if stance is Stance.CLARIFIES and not text:
            raise RuleViolation("text_required")
        statement = Statement(VERIFIER_SOURCE, SourceKind.VERIFIER, stance, at, None, text or None)
        new: list[IncidentEvent] = [StatementAttached(at=at, actor=actor, statement=statement)]
        excluded = {*reporting_moderators, *((actor,) if reported_it else ())}
        return new + self._confirmation_if_due(new, at, excluded)

    def _open_visit(self) -> Visit:
        if self.visit is None or not self.visit.open:
            raise RuleViolation("no_verifier_request", number=self.number)
        return self.visit

    def vote(
        self, by: Moderator, at: datetime, *, note: str = "", reporting_moderators: Collection[str] = ()
    ) -> list[IncidentEvent]:
        """A moderator's vote to confirm, or to re-confirm once the confirming statement was taken back.

        `reporting_moderators`: as for `attach_statement`. The vote of a moderator who reported is
        refused; one cast before its moderator reported (or before a merge brought their report in)
        stays in the history but never counts toward a confirmation.
        """
        self._require_open()
        if self.status is Status.CONFIRMED and not self.confirmation_lapsed:
            raise RuleViolation("already_confirmed", number=self.number)
        actor = moderator_actor(by.id)
        if actor in self.votes:
            raise RuleViolation("already_voted", number=self.number)
        if actor in reporting_moderators:
            raise RuleViolation("reporter_cannot_vote", number=self.number)
        if self.status is Status.UNVERIFIED and self.place.reporters_words:
            # A vote says the alert may go out as it stands: its place must be one subscribers may read.
            code = "place_unapproved_suggested" if self.place.suggested else "place_unapproved"
            raise RuleViolation(code, number=self.number, label=self.place.label, suggested=self.place.suggested)
        new: list[IncidentEvent] = [ConfirmVote(at=at, actor=actor, reason=_optional(note))]
        return new + self._confirmation_if_due(new, at, reporting_moderators)

    # `text_es` (optional everywhere): the same text in Spanish, which subscribers who read Spanish get
    # instead of the English; without it they get the English, marked as written in English.

    def update(
        self, text: str, by: Moderator, at: datetime, *, facts: FactsChange | None = None, text_es: str = ""
    ) -> list[IncidentEvent]:
        """A detail for subscribers; `facts` changes what they are told (time, agencies, people)."""
        self._require_open()
        text = _required(text, "text_required")
        return [Updated(at=at, actor=moderator_actor(by.id), reason=text, facts=self._checked_change(facts),
                        reason_es=_optional(text_es))]  # fmt: skip

    def correct(
        self, text: str, by: Moderator, at: datetime, *, facts: FactsChange | None = None, text_es: str = ""
    ) -> list[IncidentEvent]:
        """A correction for everyone told; `facts` corrects what they are told (time, agencies, people)."""
        self._require_open()
        text = _required(text, "correction_required")
        return [Corrected(at=at, actor=moderator_actor(by.id), reason=text, facts=self._checked_change(facts),
                          reason_es=_optional(text_es))]  # fmt: skip

    def mark_misidentified(
        self, correction: str, by: Moderator, at: datetime, *, agency: Agency | None = None, text_es: str = ""
    ) -> list[IncidentEvent]:
        self._require_open()
        text = _required(correction, "correction_required")
        return [Misidentified(at=at, actor=moderator_actor(by.id), reason=text, agency=agency,
                              reason_es=_optional(text_es))]  # fmt: skip

    def debunk(self, reason: str, by: Moderator, at: datetime, *, text_es: str = "") -> list[IncidentEvent]:
        self._require_open()
        return [Debunked(at=at, actor=moderator_actor(by.id), reason=_required(reason, "reason_required"),
                         reason_es=_optional(text_es))]  # fmt: skip

    def resolve(self, by: Moderator, at: datetime, *, note: str = "", text_es: str = "") -> list[IncidentEvent]:
        self._require_open()
        return [Resolved(at=at, actor=moderator_actor(by.id), reason=_optional(note), reason_es=_optional(text_es))]

    def reopen(self, reason: str, by: Moderator, at: datetime) -> list[IncidentEvent]:
        if self.merged_into is not None:
            raise RuleViolation("incident_merged", number=self.number, into=self.merged_into)
        if not self.status.closed:
            raise RuleViolation("not_closed", number=self.number)
        return [Reopened(at=at, actor=moderator_actor(by.id), reason=_required(reason, "reason_required"))]

    def expire_if_stale(self, at: datetime, stale_after: timedelta) -> list[IncidentEvent]:
        """Age out an open incident with no news for `stale_after`. Expiry sends nothing to anyone."""
        if self.closed or at - self.last_news_at < stale_after:
            return []
        hours = int(stale_after.total_seconds() // 3600)
        return [Expired(at=at, actor=SYSTEM, reason=f"no news for {hours} h")]

    def merge_into(
        self,
        target: Incident,
        by: Moderator,
        at: datetime,
        *,
        reason: str = "",
        moved: Sequence[ReportFacts] | None = None,
        actor: str | None = None,
    ) -> tuple[list[IncidentEvent], list[IncidentEvent]]:
        """Move this incident's reports into `target` (`moved`: the same reports, renumbered for it).
        `actor` overrides who did it (a reporter who picked the place from a menu).

        Returns (events for self, events for target).
        """
        if target.number == self.number:
            raise RuleViolation("merge_same", number=self.number)
        self._require_open()
        target._require_open()
        if self.was_confirmed:
            # Its recipients were told about THIS number; folding it away would orphan their corrections.
            raise RuleViolation("merge_alerted", number=self.number)
        event = Merged(
            at=at,
            actor=actor or moderator_actor(by.id),
            reason=_optional(reason),
            source=self.number,
            target=target.number,
            reports=tuple(self.reports if moved is None else moved),
        )
        return [event], [event]

    # --- helpers -------------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.merged_into is not None:
            raise RuleViolation("incident_merged", number=self.number, into=self.merged_into)
        if self.status.closed:
            raise RuleViolation("incident_closed", number=self.number, status=self.status.value)

    def _checked_change(self, facts: FactsChange | None) -> FactsChange | None:
        if facts is None or facts.empty:
            return None
        if self.confirmed_facts is None:
            # Before confirmation subscribers were told nothing; the confirmation takes the reports' facts.
            raise RuleViolation("not_confirmed", number=self.number)
        if facts.people is not None and not 1 <= facts.people <= MAX_PEOPLE:
            raise RuleViolation("people_out_of_range", limit=MAX_PEOPLE)
        if facts.agencies is not None:
            named = tuple(dict.fromkeys(a for a in facts.agencies if a is not Agency.UNKNOWN))
            facts = replace(facts, agencies=named)
        return facts

    def _confirmation_if_due(
        self, new: Sequence[IncidentEvent], at: datetime, reporting_moderators: Collection[str]
    ) -> list[IncidentEvent]:
        """Confirm once two moderators voted, or one moderator voted and a statement confirms; re-confirm a
        confirmation whose statement was taken back once two moderators voted. Neither a moderator among
        the reporters nor a statement one of them attached ever counts."""
        after = self
        for event in new:
            after = after.apply(event)
        if after.status is Status.UNVERIFIED and after.place.reporters_words:
            return []  # never an alert in a reporter's words (votes cast before Veraz checked this)
        if after.status is Status.UNVERIFIED:
            reconfirming = False
        elif after.confirmation_lapsed:
            reconfirming = True
        else:
            return []
        voters = tuple(dict.fromkeys(v for v in after.votes if v not in reporting_moderators))
        if not voters:
            return []
        actor = new[-1].actor
        if len(voters) >= 2:
            if reconfirming:
                return [Reconfirmed(at=at, actor=actor, voters=voters)]
            return [Confirmed(at=at, actor=actor, basis=TWO_MODERATORS, voters=voters)]
        # The one voter's own word from the site is still one person: it never stands in for a second.
        # (A statement they attached is a source's word, not theirs, and counts.)
        own = {verifier_actor(p) for p in _people(voters)}
        confirming = after.confirming_statement_besides({*reporting_moderators, *own})
        if confirming is not None and not reconfirming:
            return [
                Confirmed(
                    at=at,
                    actor=actor,
                    basis=MODERATOR_AND_STATEMENT,
                    voters=voters,
                    source=confirming.statement.source,
                )
            ]
        return []


_FIELDS = tuple(f.name for f in fields(Incident))


def _people(actors: Iterable[str]) -> set[str]:
    return {p for p in (person_of(a) for a in actors) if p is not None}


def open_incident(number: int, place: PlaceRef, facts: ReportFacts, at: datetime) -> list[IncidentEvent]:
    return [Reported(at=at, actor=reporter_actor(facts.reporter), number=number, place=place, report=facts)]


def replay(events: Iterable[IncidentEvent]) -> Incident:
    """The incident's state after `events`, which must start with `Reported`."""
    history = tuple(events)
    first = history[0] if history else None
    if not isinstance(first, Reported):
        raise ValueError("an incident's history starts with a Reported event")
    incident = Incident(
        number=first.number,
        place=first.place,
        status=Status.UNVERIFIED,
        opened_at=first.at,
        last_news_at=first.at,
        reports=(first.report,),
    )
    for event in history[1:]:
        incident = incident.apply(event)
    return _evolve(incident, history=history)


def _evolve(state: Incident, **changes: Any) -> Incident:
    """`dataclasses.replace` without its per-call introspection: the fold calls it for every event."""
    values = {name: getattr(state, name) for name in _FIELDS}
    values.update(changes)
    return Incident(**values)


def advance(state: Incident, new: Sequence[IncidentEvent]) -> Incident:
    """`state` after `new`: the same as replaying the whole history, without reading it again."""
    for event in new:
        state = state.apply(event)
    return _evolve(state, history=(*state.history, *new))


def _amended(facts: ConfirmedFacts | None, change: FactsChange | None) -> ConfirmedFacts | None:
    if facts is None or change is None:
        return facts
    return replace(
        facts,
        observed_at=facts.observed_at if change.observed_at is None else change.observed_at,
        observed=facts.observed if change.observed_at is None else ObservedTime.exact(change.observed_at),
        agencies_named=facts.agencies_named if change.agencies is None else change.agencies,
        people=facts.people if change.people is None else change.people,
    )


def _required(text: str, code: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise RuleViolation(code)
    if len(cleaned) > MAX_REASON:
        raise RuleViolation("text_too_long", limit=MAX_REASON)
    return cleaned


def _optional(text: str) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_REASON:
        raise RuleViolation("text_too_long", limit=MAX_REASON)
    return cleaned


__all__ = [
    "MODERATOR_AND_STATEMENT",
    "TWO_MODERATORS",
    "VERIFIER_SOURCE",
    "AttachedStatement",
    "ConfirmedFacts",
    "FactsChange",
    "Incident",
    "Note",
    "Priority",
    "SourceKind",
    "Visit",
    "open_incident",
    "replay",
]
