"""Read-only questions adapters ask: one incident, the queue, the public status, the delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..community import Community
from ..errors import RuleViolation
from ..incident import Incident, replay
from ..ports import DeliveryCounts, DeliveryRecord, IncidentSummary, StoredReport, UnitOfWork


@dataclass(frozen=True, slots=True)
class IncidentView:
    """Everything a moderator may see about an incident, reports included while they are retained."""

    incident: Incident
    reports: tuple[StoredReport, ...]
    card_message: int | None


async def incident_view(uow: UnitOfWork, community: int, number: int) -> IncidentView:
    async with uow:
        events = await uow.incidents.events(community, number)
        if not events:
            raise RuleViolation("unknown_incident", number=number)
        reports = await uow.reports.of_incident(community, number)
        card = await uow.incidents.card_message(community, number)
    return IncidentView(replay(events), tuple(reports), card)


async def incident(uow: UnitOfWork, community: int, number: int) -> Incident:
    async with uow:
        events = await uow.incidents.events(community, number)
    if not events:
        raise RuleViolation("unknown_incident", number=number)
    return replay(events)


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


async def card_message(uow: UnitOfWork, community: int, number: int) -> int | None:
    """The queue message that shows the incident (None before its card is first posted)."""
    async with uow:
        return await uow.incidents.card_message(community, number)


async def set_card(uow: UnitOfWork, community: int, number: int, message_id: int | None) -> None:
    """Remember which queue message shows the incident (so it is edited, never posted twice)."""
    async with uow:
        await uow.incidents.set_card(community, number, message_id)
        await uow.commit()


async def reports_on_record(uow: UnitOfWork, community: Community, reporter: str, now: datetime) -> int:
    """How many of this reporter's reports are still retained (0: they are new, or were forgotten)."""
    async with uow:
        return await uow.reports.recent_count(community.id, reporter, now - community.retention)
