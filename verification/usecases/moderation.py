"""What moderators do to an incident. Each function is one transaction and returns an `Outcome`.

The adapter has already checked that the caller holds the community's moderator role; these functions
check the rules of the incident itself (two-person confirmation, one vote each, reasons required...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from ..errors import RuleViolation
from ..events import IncidentEvent, ReportFacts
from ..incident import Incident
from ..model import MAX_QUOTE, MAX_SOURCE, MAX_URL, Agency, Moderator, SourceKind, Stance, Statement
from ..places import clean
from ..ports import UnitOfWork
from ..when import parse_when
from .common import Outcome, commit_events, community_or_refuse, load

_Command = Callable[[Incident], list[IncidentEvent]]


@dataclass(frozen=True, slots=True)
class StatementInput:
    source: str
    stance: Stance
    source_kind: SourceKind = SourceKind.OFFICIAL
    url: str | None = None
    quote: str | None = None
    published: str | None = None  # free text like a report's "when"; empty means now


async def attach_statement(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, data: StatementInput
) -> Outcome:
    source = clean(data.source)
    if not source:
        raise RuleViolation("source_required")
    if len(source) > MAX_SOURCE:
        raise RuleViolation("text_too_long", limit=MAX_SOURCE)
    quote = clean(data.quote or "") or None
    if quote is not None and len(quote) > MAX_QUOTE:
        raise RuleViolation("text_too_long", limit=MAX_QUOTE)
    url = _checked_url(data.url)
    async with uow:
        community = await community_or_refuse(uow, community_id)
        published = parse_when(data.published, now=now, zone=community.zone, language=community.language)
        statement = Statement(source, data.source_kind, data.stance, published, url, quote)
        before, incident = await load(uow, community.id, number)
        reporters = await uow.reports.reporters(community.id, number)
        new = incident.attach_statement(statement, by, now, reporters=reporters.keys())
        outcome = await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return outcome


async def vote_confirm(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, note: str = ""
) -> Outcome:
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        reporters = await uow.reports.reporters(community.id, number)
        new = incident.vote(by, now, note=note, reporters=reporters.keys())
        outcome = await commit_events(uow, community, before, new, now)
        await uow.commit()
    return outcome


async def add_update(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, text: str
) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i: i.update(text, by, now))


async def correct(uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, text: str) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i: i.correct(text, by, now))


async def mark_misidentified(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    correction: str,
    agency: Agency | None = None,
) -> Outcome:
    return await _change(
        uow, now, community_id, number, lambda i: i.mark_misidentified(correction, by, now, agency=agency)
    )


async def debunk(uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, reason: str) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i: i.debunk(reason, by, now))


async def resolve(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, note: str = ""
) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i: i.resolve(by, now, note=note))


async def reopen(uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, reason: str) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i: i.reopen(reason, by, now))


async def merge(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    source: int,
    target: int,
    by: Moderator,
    reason: str = "",
) -> Outcome:
    """Fold duplicate incident `source` into `target`: its reports move, both histories say so."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        source_events, source_incident = await load(uow, community.id, source)
        target_events, target_incident = await load(uow, community.id, target)
        moved, ordinals = await _renumbered(uow, community.id, source_incident, target_incident)
        for_source, for_target = source_incident.merge_into(target_incident, by, now, reason=reason, moved=moved)
        # The target takes over the source's keys, so later reports about either place find it.
        keys = sorted(
            {*await uow.incidents.keys(community.id, target), *await uow.incidents.keys(community.id, source)}
        )
        await commit_events(uow, community, source_events, for_source, now)
        await uow.reports.move(community.id, source, target, ordinals)
        outcome = await commit_events(uow, community, target_events, for_target, now, keys=keys)
        await uow.commit()
    return outcome


async def expire_stale(uow: UnitOfWork, now: datetime, community_id: int) -> list[int]:
    """Age out open incidents with no news for the community's stale period. Sends nothing."""
    expired: list[int] = []
    async with uow:
        community = await community_or_refuse(uow, community_id, configured=False)
        for number in await uow.incidents.stale(community.id, now - community.stale_after):
            before, incident = await load(uow, community.id, number)
            new = incident.expire_if_stale(now, community.stale_after)
            if new:
                await commit_events(uow, community, before, new, now)
                expired.append(number)
        await uow.commit()
    return expired


async def _change(uow: UnitOfWork, now: datetime, community_id: int, number: int, command: _Command) -> Outcome:
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        outcome = await commit_events(uow, community, before, command(incident), now, current=incident)
        await uow.commit()
    return outcome


async def _renumbered(
    uow: UnitOfWork, community: int, source: Incident, target: Incident
) -> tuple[list[ReportFacts], dict[int, int]]:
    """Source reports with reporter numbers of the target: the same person keeps one number."""
    source_people = {
        ordinal: pseudonym for pseudonym, ordinal in (await uow.reports.reporters(community, source.number)).items()
    }
    target_people = await uow.reports.reporters(community, target.number)
    next_ordinal = max(r.reporter for r in target.reports) + 1
    assigned: dict[int, int] = {}
    moved: list[ReportFacts] = []
    ordinals: dict[int, int] = {}
    for facts in source.reports:
        if facts.reporter not in assigned:
            pseudonym = source_people.get(facts.reporter)
            if pseudonym is not None and pseudonym in target_people:
                assigned[facts.reporter] = target_people[pseudonym]
            else:
                assigned[facts.reporter] = next_ordinal
                next_ordinal += 1
        moved.append(replace(facts, reporter=assigned[facts.reporter]))
        ordinals[facts.report_id] = assigned[facts.reporter]
    return moved, ordinals


def _checked_url(url: str | None) -> str | None:
    """Only plain web links: no javascript:, no data:, no credentials, nothing over the limit."""
    text = (url or "").strip()
    if not text:
        return None
    if len(text) > MAX_URL:
        raise RuleViolation("text_too_long", limit=MAX_URL)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise RuleViolation("bad_url")
    if any(c.isspace() or c in "<>\"'`" for c in text):
        raise RuleViolation("bad_url")
    return text
