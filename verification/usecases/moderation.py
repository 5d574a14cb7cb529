"""What moderators do to an incident. Each function is one transaction and returns an `Outcome`.

The adapter has already checked that the caller holds the community's moderator role; these functions
check the rules of the incident itself (two-person confirmation, one vote each, reasons required...).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from intake.place.words import clean

from ..community import Community
from ..errors import RuleViolation
from ..events import FactsChange, IncidentEvent, ReportFacts, moderator_actor, person_of
from ..incident import VERIFIER_SOURCE, Incident, advance
from ..model import MAX_QUOTE, MAX_SOURCE, MAX_URL, MAX_WHERE, Agency, Moderator, SourceKind, Stance, Statement
from ..ports import Pseudonyms, UnitOfWork
from ..reading import parse_when, resolve_named
from .loading import community_or_refuse, load
from .owed_messages import Outcome, commit_events

_Command = Callable[[Incident, Community], list[IncidentEvent]]


@dataclass(frozen=True, slots=True)
class StatementInput:
    source: str
    stance: Stance
    source_kind: SourceKind = SourceKind.OFFICIAL
    url: str | None = None
    quote: str | None = None
    published: str | None = None  # free text like a report's "when"; empty means now
    quote_es: str | None = None  # the quote in Spanish, for subscribers who read Spanish


@dataclass(frozen=True, slots=True)
class FactsInput:
    """What an update or a correction changes in what subscribers are told; None keeps it as it is."""

    when: str | None = None  # free text like a report's "when": when it really started
    agencies: tuple[Agency, ...] | None = None
    people: int | None = None


async def attach_statement(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    data: StatementInput,
    *,
    pseudonyms: Pseudonyms,
) -> Outcome:
    """Attach a source's statement; it may confirm, with a vote already cast. `pseudonyms`: how to find
    the reporter pseudonym of each moderator involved, so that no moderator confirms their own report."""
    source = clean(data.source)
    if not source:
        raise RuleViolation("source_required")
    if source.casefold() == VERIFIER_SOURCE:
        # Shown as "a trusted verifier of this network on site": only a verifier's own answer is that.
        raise RuleViolation("source_reserved", source=source)
    if len(source) > MAX_SOURCE:
        raise RuleViolation("text_too_long", limit=MAX_SOURCE)
    quote = clean(data.quote or "") or None
    quote_es = clean(data.quote_es or "") or None
    if any(q is not None and len(q) > MAX_QUOTE for q in (quote, quote_es)):
        raise RuleViolation("text_too_long", limit=MAX_QUOTE)
    url = _checked_url(data.url)
    async with uow:
        community = await community_or_refuse(uow, community_id)
        published = parse_when(data.published, now=now, zone=community.zone, language=community.language)
        statement = Statement(source, data.source_kind, data.stance, published, url, quote, quote_es)
        before, incident = await load(uow, community.id, number)
        reporting = await reporting_moderators(uow, community.id, incident, by, pseudonyms)
        new = incident.attach_statement(statement, by, now, reporting_moderators=reporting)
        outcome = await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return outcome


async def vote_confirm(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    note: str = "",
    *,
    pseudonyms: Pseudonyms,
    place: str | None = None,
) -> Outcome:
    """A vote to confirm, or to re-confirm an incident whose confirming statement was taken back.

    Checked when cast (a moderator who reported may not vote) and again when it would confirm: only
    votes and statements of moderators who are not, by then, among the reporters count. `place` names
    the place as subscribers will read it first, in the same transaction: a refused vote changes nothing.
    """
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        placed: list[IncidentEvent] = []
        keys: list[str] = []
        if place is not None:
            placed, keys = await _placed(uow, community, incident, by, place, now)
        current = advance(incident, placed) if placed else incident
        reporting = await reporting_moderators(uow, community.id, current, by, pseudonyms)
        new = [*placed, *current.vote(by, now, note=note, reporting_moderators=reporting)]
        outcome = await commit_events(uow, community, before, new, now, keys=keys, current=incident)
        await uow.commit()
    return outcome


async def reporting_moderators(
    uow: UnitOfWork, community: int, incident: Incident, by: Moderator, pseudonyms: Pseudonyms
) -> frozenset[str]:
    """The moderator and verifier actors of the incident's current round (`by`, its voters, who attached
    its statements) who are among its reporters: on record now, or as /forget-me left their mark."""
    actors = {moderator_actor(by.id), *incident.votes}
    actors.update(a.attached_by for a in incident.statements[incident.round_start :])
    theirs: dict[str, set[str]] = {}
    for actor in actors:
        member_id = person_of(actor)
        if member_id is not None:
            theirs[actor] = {pseudonyms(community, int(member_id))}
    if by.pseudonym:
        theirs.setdefault(moderator_actor(by.id), set()).add(by.pseudonym)
    found = await uow.reports.reported_by(community, incident.number, {p for ps in theirs.values() for p in ps})
    return frozenset(actor for actor, ps in theirs.items() if ps & found)


async def add_update(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    text: str,
    facts: FactsInput | None = None,
    *,
    text_es: str = "",
) -> Outcome:
    """A detail for those told; with `facts`, it also changes the time, agencies or head count they see.
    `text_es`: the same detail in Spanish (optional)."""
    return await _change(
        uow, now, community_id, number,
        lambda i, c: i.update(text, by, now, facts=_facts_change(facts, c, now), text_es=text_es),
    )  # fmt: skip


async def correct(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    text: str,
    facts: FactsInput | None = None,
    *,
    text_es: str = "",
) -> Outcome:
    """A correction for everyone told; with `facts`, it corrects the time, agencies or head count they see.
    `text_es`: the same correction in Spanish (optional)."""
    return await _change(
        uow, now, community_id, number,
        lambda i, c: i.correct(text, by, now, facts=_facts_change(facts, c, now), text_es=text_es),
    )  # fmt: skip


def _facts_change(data: FactsInput | None, community: Community, now: datetime) -> FactsChange | None:
    if data is None:
        return None
    observed = None
    if data.when is not None and data.when.strip():
        observed = parse_when(data.when, now=now, zone=community.zone, language=community.language)
    return FactsChange(observed_at=observed, agencies=data.agencies, people=data.people)


async def mark_misidentified(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    by: Moderator,
    correction: str,
    agency: Agency | None = None,
    *,
    text_es: str = "",
) -> Outcome:
    return await _change(
        uow, now, community_id, number,
        lambda i, _: i.mark_misidentified(correction, by, now, agency=agency, text_es=text_es),
    )  # fmt: skip


async def debunk(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, reason: str, *, text_es: str = ""
) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i, _: i.debunk(reason, by, now, text_es=text_es))


async def resolve(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, note: str = "", *, text_es: str = ""
) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i, _: i.resolve(by, now, note=note, text_es=text_es))


async def reopen(uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, reason: str) -> Outcome:
    return await _change(uow, now, community_id, number, lambda i, _: i.reopen(reason, by, now))


async def set_place(
    uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator, label: str
) -> Outcome:
    """Name the incident's place as subscribers should see it, approved: the text is read like a report's
    place (`resolve_named`), so a known place is named as the community knows it and a house number still
    shows as its block; the label no longer counts as a reporter's words."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        new, keys = await _placed(uow, community, incident, by, label, now)
        outcome = await commit_events(uow, community, before, new, now, keys=keys, current=incident)
        await uow.commit()
    return outcome


async def _placed(
    uow: UnitOfWork, community: Community, incident: Incident, by: Moderator, label: str, now: datetime
) -> tuple[list[IncidentEvent], list[str]]:
    """The events that name the incident's place `label`, and the incident's lookup keys after them."""
    text = clean(label)
    if not text:
        raise RuleViolation("place_required")
    if len(text) > MAX_WHERE:
        raise RuleViolation("text_too_long", limit=MAX_WHERE)
    resolved = resolve_named(text, await uow.places.book(community.id))
    area = resolved.ref.area or ("" if resolved.ref.key.startswith("area:") else incident.place.area)
    ref = replace(resolved.ref, area=area)
    keys = sorted({*await uow.incidents.keys(community.id, incident.number), *resolved.lookup_keys})
    return incident.set_place(ref, by, now), keys


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
        outcome = await merge_incidents(uow, community, source, target, now, by=by, reason=reason)
        await uow.commit()
    return outcome


async def merge_incidents(
    uow: UnitOfWork,
    community: Community,
    source: int,
    target: int,
    now: datetime,
    *,
    by: Moderator | None = None,
    actor: str | None = None,
    reason: str = "",
    carry_keys: bool = True,
) -> Outcome:
    """The merge itself, inside the caller's transaction: by a moderator, or `actor` (a reporter who
    picked the place of their report from a menu)."""
    source_events, source_incident = await load(uow, community.id, source)
    target_events, target_incident = await load(uow, community.id, target)
    moved, ordinals = await _renumbered(uow, community.id, source_incident, target_incident)
    for_source, for_target = source_incident.merge_into(
        target_incident, by or Moderator("system"), now, reason=reason, moved=moved, actor=actor
    )
    # The target takes over the source's keys, so later reports about either place find it.
    # A reporter's pick carries only the place they picked, not what they first typed.
    keys = sorted(
        {
            *await uow.incidents.keys(community.id, target),
            *(await uow.incidents.keys(community.id, source) if carry_keys else ()),
        }
    )
    await commit_events(uow, community, source_events, for_source, now)
    await uow.reports.move(community.id, source, target, ordinals)
    return await commit_events(uow, community, target_events, for_target, now, keys=keys)


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
        outcome = await commit_events(uow, community, before, command(incident, community), now, current=incident)
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


_NOT_IN_URLS = ("Cc", "Co", "Cs", "Cn")


def _checked_url(url: str | None) -> str | None:
    """Only plain web links: no javascript:, no data:, no credentials, nothing over the limit.

    Invisible characters (zero-width, bidi controls) are removed, and the host is kept in its ASCII
    form (IDNA: "xn--..."), so a link that looks like an official site but is not shows its real host.
    """
    text = "".join(c for c in (url or "") if unicodedata.category(c) != "Cf").strip()
    if not text:
        return None
    if len(text) > MAX_URL:
        raise RuleViolation("text_too_long", limit=MAX_URL)
    # Controls, and what no web address holds but breaks the public feed's XML: private-use characters,
    # lone surrogates, and noncharacters such as U+FFFE (all of them, and unassigned ones, are "C?").
    if any(c.isspace() or c in "<>\"'`" or unicodedata.category(c) in _NOT_IN_URLS for c in text):
        raise RuleViolation("bad_url")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise RuleViolation("bad_url")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port
    except (UnicodeError, ValueError) as exc:
        raise RuleViolation("bad_url") from exc
    netloc = f"{host}:{port}" if port is not None else host
    shown = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if len(shown) > MAX_URL:
        raise RuleViolation("text_too_long", limit=MAX_URL)
    return shown
