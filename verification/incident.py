"""An incident: one real-world event that reports describe. Its state is a fold over its events.

`replay(events)` rebuilds the state; the same events always give the same state. The command methods
(`vote`, `attach_statement`, `correct`, ...) check the rules against the current state and return the
new events to append, or raise `RuleViolation`. They never change anything themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from .errors import RuleViolation
from .events import (
    SYSTEM,
    Confirmed,
    ConfirmVote,
    Corrected,
    Debunked,
    Expired,
    IncidentEvent,
    Merged,
    Misidentified,
    PlaceRef,
    Reopened,
    ReportAdded,
    Reported,
    ReportFacts,
    Resolved,
    StatementAttached,
    Updated,
    moderator_actor,
    reporter_actor,
)
from .model import (
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
    history: tuple[IncidentEvent, ...] = ()

    # --- derived -------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.status.closed or self.merged_into is not None

    @property
    def first_observed(self) -> datetime:
        return min(r.observed_at for r in self.reports)

    @property
    def last_observed(self) -> datetime:
        return max(r.observed_at for r in self.reports)

    @property
    def reporter_count(self) -> int:
        """Independent reporters: distinct people, whatever the number of their reports."""
        return len({r.reporter for r in self.reports})

    @property
    def established_reporter_count(self) -> int:
        return len({r.reporter for r in self.reports if r.established})

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
        """Sources disagree: one confirms while another denies."""
        stances = set(self.current_stances.values())
        return Stance.CONFIRMS in stances and Stance.DENIES in stances

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
        latest: dict[str, AttachedStatement] = {}
        for attached in self.statements[self.round_start :]:
            latest[attached.statement.source.casefold()] = attached
        for attached in latest.values():
            s = attached.statement
            if s.stance is Stance.CONFIRMS and s.source_kind.can_confirm:
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
            case StatementAttached(statement=statement):
                attached = AttachedStatement(statement, event.actor, event.at)
                return _evolve(state, statements=(*state.statements, attached), last_news_at=event.at)
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
                )
            case Updated():
                note = Note(event.reason, event.actor, event.at)
                return _evolve(state, updates=(*state.updates, note), last_news_at=event.at)
            case Corrected():
                note = Note(event.reason, event.actor, event.at)
                return _evolve(state, corrections=(*state.corrections, note), last_news_at=event.at)
            case Misidentified(agency=agency):
                note = Note(event.reason, event.actor, event.at)
                return _evolve(
                    state,
                    status=Status.MISIDENTIFIED,
                    corrections=(*state.corrections, note),
                    established_agency=agency,
                    closing=note,
                )
            case Resolved() | Debunked() | Expired():
                status = {
                    Resolved: Status.RESOLVED,
                    Debunked: Status.DEBUNKED,
                    Expired: Status.EXPIRED,
                }[type(event)]
                return _evolve(state, status=status, closing=Note(event.reason, event.actor, event.at))
            case Reopened():
                return _evolve(
                    state,
                    status=Status.UNVERIFIED,
                    votes=(),
                    round_start=len(state.statements),
                    confirmed_at=None,
                    confirmation_basis=None,
                    confirmation_source=None,
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

    def attach_statement(
        self, statement: Statement, by: Moderator, at: datetime, *, reporters: Collection[str] = ()
    ) -> list[IncidentEvent]:
        """Attach what a source said. `reporters`: the incident's reporter pseudonyms on record.

        A moderator who reported the incident may attach a denial or a clarification, but not a
        statement that confirms: that would be the second vote they are refused. (Refusing, rather than
        recording who reported, keeps the permanent history from linking a moderator to a report.)
        """
        self._require_open()
        if statement.stance is Stance.CONFIRMS and by.pseudonym and by.pseudonym in reporters:
            raise RuleViolation("reporter_cannot_confirm", number=self.number)
        new: list[IncidentEvent] = [StatementAttached(at=at, actor=moderator_actor(by.id), statement=statement)]
        return new + self._confirmation_if_due(new, at)

    def vote(
        self, by: Moderator, at: datetime, *, note: str = "", reporters: Collection[str] = ()
    ) -> list[IncidentEvent]:
        """A moderator's vote to confirm. `reporters`: the incident's reporter pseudonyms on record."""
        self._require_open()
        if self.status is Status.CONFIRMED:
            raise RuleViolation("already_confirmed", number=self.number)
        actor = moderator_actor(by.id)
        if actor in self.votes:
            raise RuleViolation("already_voted", number=self.number)
        if by.pseudonym and by.pseudonym in reporters:
            raise RuleViolation("reporter_cannot_vote", number=self.number)
        new: list[IncidentEvent] = [ConfirmVote(at=at, actor=actor, reason=_optional(note))]
        return new + self._confirmation_if_due(new, at)

    def update(self, text: str, by: Moderator, at: datetime) -> list[IncidentEvent]:
        self._require_open()
        return [Updated(at=at, actor=moderator_actor(by.id), reason=_required(text, "text_required"))]

    def correct(self, text: str, by: Moderator, at: datetime) -> list[IncidentEvent]:
        self._require_open()
        return [Corrected(at=at, actor=moderator_actor(by.id), reason=_required(text, "correction_required"))]

    def mark_misidentified(
        self, correction: str, by: Moderator, at: datetime, *, agency: Agency | None = None
    ) -> list[IncidentEvent]:
        self._require_open()
        text = _required(correction, "correction_required")
        return [Misidentified(at=at, actor=moderator_actor(by.id), reason=text, agency=agency)]

    def debunk(self, reason: str, by: Moderator, at: datetime) -> list[IncidentEvent]:
        self._require_open()
        return [Debunked(at=at, actor=moderator_actor(by.id), reason=_required(reason, "reason_required"))]

    def resolve(self, by: Moderator, at: datetime, *, note: str = "") -> list[IncidentEvent]:
        self._require_open()
        return [Resolved(at=at, actor=moderator_actor(by.id), reason=_optional(note))]

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
    ) -> tuple[list[IncidentEvent], list[IncidentEvent]]:
        """Move this incident's reports into `target` (`moved`: the same reports, renumbered for it).

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
            actor=moderator_actor(by.id),
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

    def _confirmation_if_due(self, new: Sequence[IncidentEvent], at: datetime) -> list[IncidentEvent]:
        """Confirm once two moderators voted, or one moderator voted and a statement confirms."""
        after = self
        for event in new:
            after = after.apply(event)
        if after.status is not Status.UNVERIFIED or not after.votes:
            return []
        actor = new[-1].actor
        if len(set(after.votes)) >= 2:
            return [Confirmed(at=at, actor=actor, basis=TWO_MODERATORS, voters=after.votes)]
        confirming = after.confirming_statement
        if confirming is not None:
            return [
                Confirmed(
                    at=at,
                    actor=actor,
                    basis=MODERATOR_AND_STATEMENT,
                    voters=after.votes,
                    source=confirming.statement.source,
                )
            ]
        return []


_FIELDS = tuple(f.name for f in fields(Incident))


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
    "AttachedStatement",
    "Incident",
    "Note",
    "Priority",
    "SourceKind",
    "open_incident",
    "replay",
]
