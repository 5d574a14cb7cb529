"""Read-only questions adapters ask: one incident, the queue, the public status, the delivery log."""

from __future__ import annotations

from dataclasses import dataclass

from ..community import Community
from ..errors import RuleViolation
from ..events import Merged
from ..incident import Incident, replay
from ..photos import StoredPhoto
from ..ports import DeliveryCounts, DeliveryRecord, IncidentSummary, StoredReport, UnitOfWork


@dataclass(frozen=True, slots=True)
class IncidentView:
    """Everything a moderator may see about an incident, reports included while they are retained."""

    incident: Incident
    reports: tuple[StoredReport, ...]
    card_message: int | None
    photos: tuple[StoredPhoto, ...] = ()  # what the card says of each photo; the photos are in the queue


async def incident_view(uow: UnitOfWork, community: int, number: int) -> IncidentView:
    async with uow:
        events = await uow.incidents.events(community, number)
        if not events:
            raise RuleViolation("unknown_incident", number=number)
        reports = await uow.reports.of_incident(community, number)
        card = await uow.incidents.card_message(community, number)
        photos = await uow.photos.of_incident(community, number)
    return IncidentView(replay(events), tuple(reports), card, tuple(photos))


async def incident(uow: UnitOfWork, community: int, number: int) -> Incident:
    async with uow:
        events = await uow.incidents.events(community, number)
    if not events:
        raise RuleViolation("unknown_incident", number=number)
    return replay(events)


async def status_for(uow: UnitOfWork, community: int, number: int, asker: str) -> Incident:
    """The incident as /status may show it to the person whose reporter pseudonym is `asker`.

    An incident never confirmed is refused exactly as a number that does not exist, except to its own
    reporters (a merged one: to the reporters of the incident it was merged into), so that /status can
    neither spread a rumour nor confirm that something was reported. Of a confirmed one, show
    `confirmed_facts` (what subscribers were told), never the reports' facts.
    """
    async with uow:
        found = await uow.incidents.current(community, number)
        if found is None:
            raise RuleViolation("unknown_incident", number=number)
        state = found[1]
        if state.was_confirmed or (asker and await _reported(uow, community, state, asker)):
            return state
    raise RuleViolation("unknown_incident", number=number)


async def _reported(uow: UnitOfWork, community: int, state: Incident, asker: str) -> bool:
    """Whether `asker` is on record as a reporter of `state` (of a merged one: of the reports it gave)."""
    if state.merged_into is None:
        return asker in await uow.reports.reporters(community, state.number)
    # Its reports now belong to the target, numbered as the merge renumbered them.
    ordinal = (await uow.reports.reporters(community, state.merged_into)).get(asker)
    moved = {r.reporter for e in state.history if isinstance(e, Merged) and e.source == state.number for r in e.reports}
    return ordinal is not None and ordinal in moved


async def queue(uow: UnitOfWork, community: int) -> list[IncidentSummary]:
    """Open incidents, most urgent first, then the most recently observed."""
    async with uow:
        summaries = await uow.incidents.summaries(community, open_only=True)
    return sorted(summaries, key=lambda s: (-s.priority, -s.last_observed.timestamp(), -s.number))


async def all_incidents(uow: UnitOfWork, community: int) -> list[IncidentSummary]:
    async with uow:
        return await uow.incidents.summaries(community, open_only=False)


async def delivery_log(uow: UnitOfWork, community: int, number: int) -> list[DeliveryRecord]:
    async with uow:
        return await uow.outbox.log(community, number)


async def delivery_counts(uow: UnitOfWork, community: int | None = None) -> DeliveryCounts:
    async with uow:
        return await uow.outbox.counts(community)


async def all_communities(uow: UnitOfWork) -> list[Community]:
    """Every community in the database, whether or not the bot is still in its server."""
    async with uow:
        return await uow.communities.all()


async def card_message(uow: UnitOfWork, community: int, number: int) -> int | None:
    """The queue message that shows the incident (None before its card is first posted)."""
    async with uow:
        return await uow.incidents.card_message(community, number)


async def set_card(uow: UnitOfWork, community: int, number: int, message_id: int | None) -> None:
    """Remember which queue message shows the incident (so it is edited, never posted twice)."""
    async with uow:
        await uow.incidents.set_card(community, number, message_id)
        await uow.commit()
