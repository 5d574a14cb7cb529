"""Submitting a report: parse when, find the place, join or open an incident. Never owes an alert."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..clustering import PlaceBook, choose_incident, resolve_place
from ..community import Community
from ..errors import RuleViolation
from ..events import ReportFacts
from ..incident import open_incident
from ..model import MAX_MARKINGS, MAX_PEOPLE, MAX_WHAT, Agency, Language, Report
from ..observed_time import ObservedTime
from ..ports import UnitOfWork
from ..when import read_when
from .common import Outcome, commit_events, community_or_refuse, load

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
        observed = when.at
        recent = await uow.reports.recent_count(community.id, data.reporter, now - community.report_window)
        if recent >= community.report_limit:
            raise RuleViolation(
                "report_rate_limited", limit=community.report_limit, minutes=community.report_window_minutes
            )
        place = resolve_place(data.where, await book_of(uow, community))
        candidates = await uow.incidents.candidates(community.id, place.lookup_keys, observed, community.cluster_window)
        number = choose_incident(place, observed, candidates, community.cluster_window)
        established = await uow.standing.score(community.id, data.reporter) >= ESTABLISHED_SCORE
        report = Report(
            where=data.where.strip(),
            what=what,
            observed_at=observed,
            received_at=now,
            agency=data.agency,
            people=data.people,
            markings=data.markings.strip(),
            reporter=data.reporter,
            language=data.language,
            low_trust=data.low_trust,
        )
        if number is None:
            number = await uow.incidents.next_number(community.id)
            report_id = await uow.reports.add(community.id, number, 1, report)
            facts = _facts(report, report_id, 1, established, when)
            outcome = await commit_events(
                uow, community, [], open_incident(number, place.ref, facts, now), now, keys=place.lookup_keys
            )
        else:
            before, incident = await load(uow, community.id, number)
            known = await uow.reports.reporters(community.id, number)
            ordinal = known.get(data.reporter) or max(r.reporter for r in incident.reports) + 1
            report_id = await uow.reports.add(community.id, number, ordinal, report)
            facts = _facts(report, report_id, ordinal, established, when)
            keys = sorted({*await uow.incidents.keys(community.id, number), *place.lookup_keys})
            new = incident.add_report(facts, now)
            outcome = await commit_events(uow, community, before, new, now, keys=keys, current=incident)
            outcome = replace(outcome, joined=True)
        await uow.commit()
    return outcome


_BOOKS: dict[tuple[int, int], PlaceBook] = {}


async def book_of(uow: UnitOfWork, community: Community) -> PlaceBook:
    """The index of a community's places, loaded and built once per stamp of them (they rarely change).

    Read-only for callers: it is shared by every report until the places change.
    """
    key = (community.id, community.places_stamp)
    book = _BOOKS.get(key)
    if book is None:
        book = PlaceBook.of(await uow.places.all(community.id))
        if len(_BOOKS) > 64:
            _BOOKS.clear()
        _BOOKS[key] = book
    return book


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
