"""Submitting a report: parse when, find the place, join or open an incident. Never owes an alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from intake.place import ResolvedPlace
from intake.time import ObservedTime

from ..clustering import ACCUMULATED, CHAINED, candidate_keys, group, search_window
from ..community import Community
from ..errors import RuleViolation
from ..events import SYSTEM, ReportFacts, Resemblance
from ..incident import Incident, open_incident, replay
from ..model import MAX_MARKINGS, MAX_PEOPLE, MAX_WHAT, Agency, Language, Report
from ..ports import UnitOfWork
from ..reading import read_when, resolve_as_typed, resolve_chosen, resolve_place
from .loading import community_or_refuse, load
from .moderation import merge_incidents
from .owed_messages import Outcome, commit_events

ESTABLISHED_SCORE = 1  # one report later confirmed, none debunked


@dataclass(frozen=True, slots=True)
class ReporterRecord:
    """What a reporter's record says of them: a confirmed report adds 1, a debunked one takes 2 away."""

    established: bool
    discredited: bool

    @classmethod
    def of(cls, score: int) -> ReporterRecord:
        return cls(established=score >= ESTABLISHED_SCORE, discredited=score < 0)


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
        # Never refused for how it is written: a window, or "not given" (see docs/intake.md).
        when = read_when(data.when, now=now, zone=community.zone, language=community.language)
        # In the rate limit's window, and since retention would have forgotten them (one query, both).
        recent, retained = await uow.reports.recent_counts(
            community.id, data.reporter, (now - community.report_window, now - community.retention)
        )
        if recent >= community.report_limit:
            raise RuleViolation(
                "report_rate_limited", limit=community.report_limit, minutes=community.report_window_minutes
            )
        # Nothing of theirs retained: new here, or forgotten (the reply then says what is kept and for how long).
        first_report = retained == 0
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
        standing = ReporterRecord.of(await uow.standing.score(community.id, data.reporter))
        outcome = await _file(uow, community, place, report, when, standing, now)
        await uow.commit()
    choices = place.alternatives if place.needs_choice else ()
    return replace(outcome, place_choices=choices, first_report=first_report)


async def _file(
    uow: UnitOfWork,
    community: Community,
    place: ResolvedPlace,
    report: Report,
    when: ObservedTime,
    standing: ReporterRecord,
    now: datetime,
    *,
    excluding: int | None = None,
) -> Outcome:
    """Store the report in the open incident at its place, or in a new one that notes its near misses."""
    observed = when.at
    window = community.cluster_window
    # A window ("hace rato", "this morning") is searched whole: the report may be from any moment of it.
    reach = search_window(window) + (when.latest - when.earliest) / 2
    found = await uow.incidents.candidates(community.id, candidate_keys(place), observed, reach)
    rivals = [c for c in found if c.number != excluding]
    grouping = group(place, when.earliest, rivals, window, until=when.latest)
    if grouping.number is None:
        number = await uow.incidents.next_number(community.id)
        report_id = await uow.reports.add(community.id, number, 1, report)
        facts = _facts(report, report_id, 1, standing, when)
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
    facts = _facts(report, report_id, ordinal, standing, when)
    held = await uow.incidents.keys(community.id, number)
    keys = sorted({*held, *(k for k in grouping.keys_to_add(place.lookup_keys) if not _held(k, held))})
    new_events = incident.add_report(facts, now)
    outcome = await commit_events(uow, community, before, new_events, now, keys=keys, current=incident)
    return replace(outcome, joined=True, report_id=report_id)


async def choose_place(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, report_id: int, reporter: str, key: str | None
) -> Outcome:
    """The reporter of a report whose place was uncertain picks one of the known places they were offered
    (`key`), or keeps what they typed (None). The incident moves to that place; if an open incident that
    nobody was alerted about is already there, it is merged into it. Only its only reporter, once, within
    `REPORTER_FIX_WINDOW` of the report, and only while no moderator has acted on it (a moderator can
    still `/incident place` or merge later)."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        facts = await _own_report(uow, community.id, incident, report_id, reporter, now)
        stored = next((r for r in await uow.reports.of_incident(community.id, number) if r.id == report_id), None)
        if stored is None or stored.where is None:
            raise RuleViolation("unknown_report")
        book = await uow.places.book(community.id)
        offered = {p.key for p in resolve_place(stored.where, book).alternatives}
        if key is None:
            place = resolve_as_typed(stored.where, book)
        elif key in offered and key in book.places:
            place = resolve_chosen(book.places[key], book)
        else:
            raise RuleViolation("unknown_place", name=key)  # only what the menu offered
        new = incident.choose_place(place.ref, facts.reporter, now)
        found = await uow.incidents.candidates(
            community.id, candidate_keys(place), facts.observed_at, search_window(community.cluster_window)
        )
        others = [c for c in found if c.number != number]
        target = group(place, facts.observed_at, others, community.cluster_window).number
        if target is not None and (await load(uow, community.id, target))[1].was_confirmed:
            target = None  # never folded into an alerted incident by a reporter: moderators decide that
        if target is None or not new:
            # The typed text's keys stay (keys only grow); the chosen place's are added.
            keys = sorted({*await uow.incidents.keys(community.id, number), *place.lookup_keys})
            outcome = await commit_events(uow, community, before, new, now, keys=keys, current=incident)
        else:
            outcome = await merge_incidents(
                uow, community, number, target, now, actor=SYSTEM, reason="place chosen by its reporter",
                carry_keys=False,
            )  # fmt: skip
        await uow.commit()
    return outcome


async def _own_report(
    uow: UnitOfWork, community: int, incident: Incident, report_id: int, reporter: str, now: datetime
) -> ReportFacts:
    """The report, if `reporter` made it and it is still theirs to fix; the same refusal otherwise, so
    nothing can be probed."""
    facts = next((r for r in incident.reports if r.report_id == report_id), None)
    ordinal = (await uow.reports.reporters(community, incident.number)).get(reporter)
    if facts is None or ordinal is None or ordinal != facts.reporter:
        raise RuleViolation("unknown_report")
    if now - facts.received_at > REPORTER_FIX_WINDOW:
        raise RuleViolation("report_fixed", number=incident.number)
    return facts


def _held(key: str, held: Sequence[str]) -> bool:
    """Whether the incident already holds this evidence at this generation or an earlier one."""
    bare = key.removeprefix(ACCUMULATED).removeprefix(CHAINED)
    earlier = [bare] if key.startswith(ACCUMULATED) else [bare, ACCUMULATED + bare] if key.startswith(CHAINED) else []
    return key in held or any(k in held for k in earlier)


def _facts(report: Report, report_id: int, ordinal: int, standing: ReporterRecord, when: ObservedTime) -> ReportFacts:
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
        established=standing.established and not report.low_trust,
        discredited=standing.discredited,
    )


# What the one-click buttons under a report whose time could not be read offer: minutes before it was sent.
TIME_CHOICES = (0, 5, 15, 30, 60)
# How long after a report its reporter may still fix its time or place (with the buttons or the menu).
REPORTER_FIX_WINDOW = timedelta(minutes=30)


def _picked(sent: datetime, minutes_ago: int) -> ObservedTime:
    """A tap on "15 min ago" is a rounded guess, kept as a window (12 to 18 minutes before it was sent);
    "now" is the moment it was sent."""
    if minutes_ago == 0:
        return ObservedTime.exact(sent)
    spread = timedelta(minutes=max(1.0, minutes_ago / 5))
    ago = timedelta(minutes=minutes_ago)
    return ObservedTime.window(sent - ago - spread, sent - ago + spread)


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
        facts = await _own_report(uow, community.id, incident, report_id, reporter, now)
        observed = _picked(facts.received_at, minutes_ago)
        new = incident.time_report(report_id, observed, now)
        outcome = await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return outcome
