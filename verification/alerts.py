"""The alert policy: a pure function from an incident's events to the messages it owes, in order.

- ALERT       when the incident becomes confirmed;
- UPDATE      when a statement or a detail is added while it is confirmed;
- CORRECTION  when confirmed details are corrected, or it is marked misidentified after an ALERT;
- RETRACTION  when it is debunked after an ALERT;
- ALL CLEAR   when it is resolved after an ALERT.

An incident never confirmed owes nothing, ever. Expiry owes nothing either (its status says so), nor
does a re-confirmation after a source took its statement back (the UPDATE for that statement told
subscribers that sources disagree). Every amendment refers to the ALERT it amends, as CAP 1.2's
`references` does, and every message carries a snapshot of the facts with their attribution, so it reads
the same whenever it is delivered.

The place, time, agencies and head count a message gives are those frozen when the incident was
confirmed (`Incident.confirmed_facts`): reports that arrive later never change them, only a moderator's
update or correction does.

Because `owed(events)` depends only on the events, the messages a new event owes are simply
`owed(all)[len(owed(before)):]`; the stateful tests check that earlier messages never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from intake.time import ObservedTime

from .events import (
    Confirmed,
    Corrected,
    Debunked,
    IncidentEvent,
    Misidentified,
    PlaceChanged,
    Reported,
    Resolved,
    StatementAttached,
    Updated,
    decode_observed,
    decode_statement,
    encode,
)
from .incident import AttachedStatement, ConfirmedFacts, Incident, Note, replay
from .model import Agency, PlaceKind, Status


class AlertKind(StrEnum):
    ALERT = "alert"
    UPDATE = "update"
    CORRECTION = "correction"
    RETRACTION = "retraction"
    ALL_CLEAR = "all_clear"

    @property
    def urgent_amendment(self) -> bool:
        """Told something wrong: these reach every earlier recipient, subscribed or not, first."""
        return self in (AlertKind.CORRECTION, AlertKind.RETRACTION)


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What a message says, frozen at the moment it was owed."""

    number: int
    status: Status
    place: str
    area: str
    place_kind: PlaceKind
    block: int | None
    observed_at: datetime
    agencies_named: tuple[Agency, ...]
    people: int | None
    reporter_count: int
    contested: bool
    confirmed_at: datetime | None
    confirmation_basis: str | None
    confirmation_source: str | None
    established_agency: Agency | None
    statements: tuple[AttachedStatement, ...]
    corrections: tuple[Note, ...]
    updates: tuple[Note, ...]
    # What this message is about: the new statement, the correction, the reason for a retraction.
    change: str
    change_statement: AttachedStatement | None
    observed: ObservedTime | None = None  # `observed_at` as precisely as it was reported: never more
    change_es: str = ""  # `change` as the moderator also wrote it in Spanish ("" when not given)
    # A moderator's update or correction changed the place, time or agencies since the ALERT: what this
    # message gives is no longer what the ALERT said.
    amended_facts: bool = False


@dataclass(frozen=True, slots=True)
class AlertMessage:
    seq: int  # 1, 2, 3... within the incident
    kind: AlertKind
    number: int
    event_index: int  # the event (position in the log) that made it owed
    at: datetime
    references: int | None  # the seq of the ALERT it amends; None for an ALERT
    facts: AlertFacts


def owed(events: Sequence[IncidentEvent]) -> list[AlertMessage]:
    """Every message the incident owes after `events`, oldest first."""
    if not events:
        return []
    if not isinstance(events[0], Reported):
        raise ValueError("an incident's history starts with a Reported event")
    messages: list[AlertMessage] = []
    state = replay(events[:1])
    alert_seq: int | None = None  # the latest ALERT, if any
    alerted: ConfirmedFacts | None = None  # what the latest ALERT said
    retracted = False  # the latest ALERT has been retracted: nothing more is owed about it
    for index, event in enumerate(events[1:], start=1):
        before = state
        state = state.apply(event)
        kind = _kind_owed(before, event, told=alert_seq is not None and not retracted)
        if kind is None:
            continue
        if kind is AlertKind.ALERT:
            reference = None
        else:
            assert alert_seq is not None, "an amendment needs a live alert"
            reference = alert_seq
        seq = len(messages) + 1
        messages.append(
            AlertMessage(
                seq=seq,
                kind=kind,
                number=state.number,
                event_index=index,
                at=event.at,
                references=reference,
                facts=_facts(state, event, alerted=None if kind is AlertKind.ALERT else alerted),
            )
        )
        if kind is AlertKind.ALERT:
            alert_seq, retracted, alerted = seq, False, state.confirmed_facts
        elif kind is AlertKind.RETRACTION:
            retracted = True
    return messages


_MAY_OWE = (Confirmed, StatementAttached, Updated, Corrected, Misidentified, Debunked, Resolved, PlaceChanged)


def may_owe(new: Sequence[IncidentEvent]) -> bool:
    """False when none of `new` is an event the policy ever turns into a message (reports, votes...)."""
    return any(isinstance(e, _MAY_OWE) for e in new)


def _kind_owed(before: Incident, event: IncidentEvent, *, told: bool) -> AlertKind | None:
    """What `event` owes. `told`: an ALERT went out and has not been retracted.

    Updates and the all clear are news about a live alert, owed only while the incident is confirmed.
    A correction or a retraction is owed to everyone ever told, whatever happened since: if an
    incident was confirmed, resolved, reopened and then found false, its alert's recipients must hear.
    """
    live = before.status is Status.CONFIRMED
    match event:
        case Confirmed() if before.status is Status.UNVERIFIED:
            return AlertKind.ALERT
        case StatementAttached() | Updated() | PlaceChanged() if live:
            return AlertKind.UPDATE
        case Corrected() | Misidentified() if told:
            return AlertKind.CORRECTION
        case Debunked() if told:
            return AlertKind.RETRACTION
        case Resolved() if live:
            return AlertKind.ALL_CLEAR
    # A confirming statement attached in the same step as a vote confirms; its ALERT comes with the
    # Confirmed event that follows, so nothing is owed for the statement itself.
    return None


# The events whose `reason` moderators write for subscribers, with its Spanish in `reason_es`.
_WRITTEN = (Updated, Corrected, Misidentified, Debunked, Resolved)


def _facts(state: Incident, event: IncidentEvent, *, alerted: ConfirmedFacts | None = None) -> AlertFacts:
    change_statement = None
    if isinstance(event, StatementAttached):
        change_statement = state.statements[-1]
    told = state.confirmed_facts or state.snapshot()  # a message is owed only once it was confirmed
    return AlertFacts(
        number=state.number,
        status=state.status,
        place=told.place.label,
        area=told.place.area,
        place_kind=told.place.kind,
        block=told.place.block,
        observed_at=told.observed_at,
        agencies_named=told.agencies_named,
        people=told.people,
        reporter_count=told.reporter_count,
        contested=state.contested,
        confirmed_at=state.confirmed_at,
        confirmation_basis=state.confirmation_basis,
        confirmation_source=state.confirmation_source,
        established_agency=state.established_agency,
        statements=state.statements,
        corrections=state.corrections,
        updates=state.updates,
        change=event.reason,
        change_statement=change_statement,
        observed=told.observed,
        change_es=event.reason_es if isinstance(event, _WRITTEN) else "",
        amended_facts=alerted is not None and state.confirmed_facts != alerted,
    )


# --- serialisation, so the outbox can keep a message and render it after a restart -----------------


def to_record(message: AlertMessage) -> dict[str, Any]:
    return cast(dict[str, Any], encode(message))


def from_record(record: dict[str, Any]) -> AlertMessage:
    f = record["facts"]

    def attached(raw: dict[str, Any]) -> AttachedStatement:
        return AttachedStatement(
            decode_statement(raw["statement"]),
            raw["attached_by"],
            datetime.fromisoformat(raw["attached_at"]),
        )

    def note(raw: dict[str, Any]) -> Note:
        return Note(raw["text"], raw["by"], datetime.fromisoformat(raw["at"]), raw.get("text_es", ""))

    def when(raw: str | None) -> datetime | None:
        return None if raw is None else datetime.fromisoformat(raw)

    facts = AlertFacts(
        number=f["number"],
        status=Status(f["status"]),
        place=f["place"],
        area=f["area"],
        place_kind=PlaceKind(f["place_kind"]),
        observed_at=datetime.fromisoformat(f["observed_at"]),
        agencies_named=tuple(Agency(a) for a in f["agencies_named"]),
        people=f["people"],
        reporter_count=f["reporter_count"],
        contested=f["contested"],
        confirmed_at=when(f["confirmed_at"]),
        confirmation_basis=f["confirmation_basis"],
        confirmation_source=f["confirmation_source"],
        established_agency=None if f["established_agency"] is None else Agency(f["established_agency"]),
        statements=tuple(attached(s) for s in f["statements"]),
        corrections=tuple(note(n) for n in f["corrections"]),
        updates=tuple(note(n) for n in f["updates"]),
        change=f["change"],
        change_statement=None if f["change_statement"] is None else attached(f["change_statement"]),
        block=f.get("block"),
        observed=decode_observed(f["observed"]) if f.get("observed") else None,
        change_es=f.get("change_es", ""),
        amended_facts=f.get("amended_facts", False),
    )
    return AlertMessage(
        seq=record["seq"],
        kind=AlertKind(record["kind"]),
        number=record["number"],
        event_index=record["event_index"],
        at=datetime.fromisoformat(record["at"]),
        references=record["references"],
        facts=facts,
    )
