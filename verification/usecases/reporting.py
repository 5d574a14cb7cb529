"""Submitting a report: parse when, find the place, join or open an incident. Never owes an alert."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..clustering import group, search_window
from ..community import Community
from ..errors import RuleViolation
from ..events import ReportFacts, Resemblance, reporter_actor
from ..incident import open_incident, replay
from ..model import MAX_MARKINGS, MAX_PEOPLE, MAX_WHAT, Agency, Language, Report
from ..observed_time import ObservedTime
from ..place_reading import ResolvedPlace, resolve_as_typed, resolve_chosen, resolve_place
from ..ports import UnitOfWork
from ..when import read_when
from .loading import community_or_refuse, load
from .moderation import merge_incidents
from .owed_messages import Outcome, commit_events

ESTABLISHED_SCORE = 1  # one report later confirmed, none debunked


@dataclass(frozen=True, slots=True)
class ReportInput:
    community: int
    reporter: str  # pseudonym, made by storage's pseudonymiser from the Discord id
    where: str
    what: str
    when: str | None = None
    agency: Agency = Agency.UNKNOWN
    people: int | None = None
    markings: str = ""
    language: Language = Language.EN
    low_trust: bool = False


async def submit_report(uow: UnitOfWork, now: datetime, data: ReportInput) -> Outcome:
    """Store the report UNVERIFIED in the incident it describes (a new one if none is open)."""
    what = data.what.strip()
    if not what:
        raise RuleViolation("what_required")
    if len(what) > MAX_WHAT:
        raise RuleViolation("text_too_long", limit=MAX_WHAT)
    if len(data.markings) > MAX_MARKINGS:
        raise RuleViolation("text_too_long", limit=MAX_MARKINGS)
    if data.people is not None and not 1 <= data.people <= MAX_PEOPLE:
        raise RuleViolation("people_out_of_range", limit=MAX_PEOPLE)
    if not data.reporter:
        raise ValueError("a report needs the reporter's pseudonym")

    async with uow:
        community = await community_or_refuse(uow, data.community)
        # Never refused for how it is written: a window, or "not given" (see verification.when).
        when = read_when(data.when, now=now, zone=community.zone, language=community.language)
        recent = await uow.reports.recent_count(community.id, data.reporter, now - community.report_window)
        if recent >= community.report_limit:
            raise RuleViolation(
                "report_rate_limited", limit=community.report_limit, minutes=community.report_window_minutes
            )
        # Never refused for an unknown or ambiguous place either: kept, with a menu to pick from.
        place = resolve_place(data.where, await uow.places.book(community.id))
        report = Report(
            where=data.where.strip(),
            what=what,
            observed_at=when.at,
            received_at=now,
            agency=data.agency,
            people=data.people,
            markings=data.markings.strip(),
            reporter=data.reporter,
            language=data.language,
            low_trust=data.low_trust,
        )
        established = await uow.standing.score(community.id, data.reporter) >= ESTABLISHED_SCORE
        outcome = await _file(uow, community, place, report, when, established, now)
        await uow.commit()
    choices = place.alternatives if place.needs_choice else ()
    return replace(outcome, place_choices=choices)


async def _file(
    uow: UnitOfWork,
    community: Community,
    place: ResolvedPlace,
    report: Report,
    when: ObservedTime,
    established: bool,
    now: datetime,
    *,
    excluding: int | None = None,
) -> Outcome:
    """Store the report in the open incident at its place, or in a new one that notes its near misses."""
    observed = when.at
    window = community.cluster_window
    found = await uow.incidents.candidates(community.id, place.search_keys, observed, search_window(window))
    grouping = group(place, observed, [c for c in found if c.number != excluding], window)
    if grouping.number is None:
        number = await uow.incidents.next_number(community.id)
        report_id = await uow.reports.add(community.id, number, 1, report)
        facts = _facts(report, report_id, 1, established, when)
        opened = open_incident(number, place.ref, facts, now)
        others = [Resemblance(n.number, n.label, n.minutes_apart, n.reason.value) for n in grouping.near]
        new = [*opened, *replay(opened).note_resemblance(others, now)]
        outcome = await commit_events(uow, community, [], new, now, keys=place.lookup_keys)
        return replace(outcome, report_id=report_id)
    number = grouping.number
    before, incident = await load(uow, community.id, number)
    known = await uow.reports.reporters(community.id, number)
    ordinal = known.get(report.reporter) or max(r.reporter for r in incident.reports) + 1
    report_id = await uow.reports.add(community.id, number, ordinal, report)
    facts = _facts(report, report_id, ordinal, established, when)
    keys = sorted({*await uow.incidents.keys(community.id, number), *place.lookup_keys})
    new_events = incident.add_report(facts, now)
    outcome = await commit_events(uow, community, before, new_events, now, keys=keys, current=incident)
    return replace(outcome, joined=True, report_id=report_id)


async def choose_place(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, report_id: int, reporter: str, key: str | None
) -> Outcome:
    """The reporter of a report whose place was uncertain picks a known place from the menu (`key`), or
    keeps what they typed (None). The incident moves to that place; if an open incident is already
    there, it is merged into it by the usual merge rules. Only its only reporter, only before anyone
    was told (a moderator can still `/incident place` or merge later)."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        facts = next((r for r in incident.reports if r.report_id == report_id), None)
        ordinal = (await uow.reports.reporters(community.id, number)).get(reporter)
        if facts is None or ordinal is None or ordinal != facts.reporter:
            raise RuleViolation("unknown_report")
        book = await uow.places.book(community.id)
        if key is None:
            stored = next((r for r in await uow.reports.of_incident(community.id, number) if r.id == report_id), None)
            if stored is None or stored.where is None:
                raise RuleViolation("unknown_report")
            place = resolve_as_typed(stored.where, book)
        elif key in book.places:
            place = resolve_chosen(book.places[key], book)
        else:
            raise RuleViolation("unknown_place", name=key)
        new = incident.choose_place(place.ref, facts.reporter, now)
        found = await uow.incidents.candidates(
            community.id, place.search_keys, facts.observed_at, search_window(community.cluster_window)
        )
        target = group(place, facts.observed_at, [c for c in found if c.number != number], community.cluster_window)
        if target.number is None or not new:
            keys = sorted({*await uow.incidents.keys(community.id, number), *place.lookup_keys})
            outcome = await commit_events(uow, community, before, new, now, keys=keys, current=incident)
        else:
            actor = reporter_actor(facts.reporter)
            outcome = await merge_incidents(
                uow, community, number, target.number, now, actor=actor, reason="place chosen"
            )
        await uow.commit()
    return outcome


def _facts(report: Report, report_id: int, ordinal: int, established: bool, when: ObservedTime) -> ReportFacts:
    return ReportFacts(
        observed=when,
        report_id=report_id,
        reporter=ordinal,
        observed_at=report.observed_at,
        received_at=report.received_at,
        agency=report.agency,
        people=report.people,
        language=report.language,
        low_trust=report.low_trust,
        established=established and not report.low_trust,
    )


# What the one-click buttons under a report whose time could not be read offer: minutes before it was sent.
TIME_CHOICES = (0, 5, 15, 30, 60)


async def set_report_time(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, report_id: int, reporter: str, minutes_ago: int
) -> Outcome:
    """The reporter of a report whose time was not given picks one: `minutes_ago` before they sent it
    (the report's own received time, not the click's). Only that reporter, only once."""
    if minutes_ago not in TIME_CHOICES:
        raise RuleViolation("unknown_report")
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        facts = next((r for r in incident.reports if r.report_id == report_id), None)
        ordinal = (await uow.reports.reporters(community.id, number)).get(reporter)
        if facts is None or ordinal is None or ordinal != facts.reporter:
            raise RuleViolation("unknown_report")  # the same answer whoever asks: nothing to probe
        sent = facts.received_at
        observed = ObservedTime.exact(sent - timedelta(minutes=minutes_ago))
        new = incident.time_report(report_id, observed, now)
        outcome = await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return outcome
