"""Time to truth (issue 16): paging the on-call moderators, sending a verifier, and the figures.

A verifier is not a moderator: the adapter checks they hold the community's verifier role; these use
cases check the rules of the incident (one claim per request, only the claimer answers, a verifier who
reported never confirms, a verifier's word never stands in for their own vote).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta

from ..community import Community
from ..deliveries import DeliveryState
from ..errors import RuleViolation
from ..escalation import PAGE_WINDOW, PagePlan, escalate_if_due, escalation_due, plan_pages
from ..events import SYSTEM, IncidentEvent, PageRefused
from ..incident import Incident, replay
from ..model import Moderator, Stance, Status
from ..ports import Pseudonyms, UnitOfWork
from ..time_to_truth import Figures, figures
from .loading import community_or_refuse, load
from .moderation import reporting_moderators
from .owed_messages import Outcome, commit_events

MAX_STATS_DAYS = 365
_Step = Callable[[Incident, Community], list[IncidentEvent]]
PEOPLE_SETTINGS = ("on_call_role", "verifier_role", "verifier_channel")


async def set_people(uow: UnitOfWork, community_id: int, **changes: int | None) -> Community:
    """Set (an id) or clear (None) the on-call role, the verifier role and the verifiers' channel."""
    for name, value in changes.items():
        if name not in PEOPLE_SETTINGS:
            raise ValueError(f"not a setting: {name}")
        if name.endswith("_role") and value == community_id:
            # Discord gives @everyone the server's own id: a page would reach the whole server.
            raise RuleViolation("role_is_everyone")
    async with uow:
        current = await community_or_refuse(uow, community_id)
        channel = changes.get("verifier_channel", current.verifier_channel)
        if channel is not None and channel in (current.alerts_channel, current.queue_channel):
            # Requests name the place before anything is confirmed: never where subscribers read, and not
            # among the moderators' cards, where verifiers may not be allowed.
            raise RuleViolation("verifier_channel_shared")
        updated = replace(current, **changes)  # type: ignore[arg-type]
        await uow.communities.save(updated)
        await uow.commit()
    return updated


async def escalate_due(uow: UnitOfWork, now: datetime, community_id: int) -> PagePlan:
    """Record a page for every urgent incident nobody has acted on in time, within the community's pages
    of the hour (`escalation.plan_pages`); the adapter then pings the on-call role about the numbers
    returned, each alone or gathered in one page. Nothing when no on-call role is set."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        if community.on_call_role is None:
            return PagePlan((), ())
        due: dict[int, tuple[list[IncidentEvent], Incident]] = {}
        for summary in await uow.incidents.summaries(community.id):
            if summary.status is not Status.UNVERIFIED:
                continue
            before, incident = await load(uow, community.id, summary.number)
            if escalation_due(incident, now, community.escalate_after):
                due[summary.number] = (before, incident)
        if not due:
            return PagePlan((), ())
        alone, gathered = await uow.incidents.pages_since(community.id, now - PAGE_WINDOW)
        plan = plan_pages(sorted(due), alone, gathered)
        for number in (*plan.alone, *plan.gathered):
            before, incident = due[number]
            new = escalate_if_due(incident, now, community.escalate_after, gathered=number in plan.gathered)
            await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return plan


async def page_refused(
    uow: UnitOfWork, now: datetime, community_id: int, numbers: Collection[int], paged_at: datetime
) -> None:
    """Discord refused the page recorded at `paged_at` for these incidents: it is no escalation (the card
    and the figures do not count it), and each may be paged again when it is next due."""
    async with uow:
        community = await community_or_refuse(uow, community_id, configured=False)
        for number in numbers:
            before, incident = await load(uow, community.id, number)
            if paged_at not in incident.pages:
                continue
            refused = PageRefused(at=now, actor=SYSTEM, page_at=paged_at)
            await commit_events(uow, community, before, [refused], now, current=incident)
        await uow.commit()


async def escalate_due_everywhere(
    uow: UnitOfWork, now: datetime, served: Collection[int] | None = None
) -> dict[int, PagePlan]:
    """`escalate_due` in every configured community with an on-call role (among `served`, the servers the
    bot is in, when given: a page nobody can receive must not be recorded as sent): id to pages."""
    async with uow:
        communities = [
            c
            for c in await uow.communities.all()
            if c.configured and c.on_call_role is not None and (served is None or c.id in served)
        ]
    found = {c.id: await escalate_due(uow, now, c.id) for c in communities}
    return {community: plan for community, plan in found.items() if plan.alone or plan.gathered}


async def request_verifier(uow: UnitOfWork, now: datetime, community_id: int, number: int, by: Moderator) -> Outcome:
    return await _visit(uow, now, community_id, number, lambda incident, _: incident.request_verifier(by, now))


async def claim_visit(uow: UnitOfWork, now: datetime, community_id: int, number: int, verifier: int) -> Outcome:
    return await _visit(uow, now, community_id, number, lambda incident, _: incident.claim_visit(str(verifier), now))


async def report_from_site(
    uow: UnitOfWork,
    now: datetime,
    community_id: int,
    number: int,
    verifier: int,
    stance: Stance,
    note: str = "",
    *,
    pseudonyms: Pseudonyms,
) -> Outcome:
    """What the verifier saw; with a moderator's vote already cast it may confirm (and owe the alert)."""
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        own = pseudonyms(community.id, verifier)
        reported_it = bool(await uow.reports.reported_by(community.id, number, {own}))
        reporting = await reporting_moderators(uow, community.id, incident, Moderator(str(verifier), own), pseudonyms)
        new = incident.report_from_site(
            str(verifier), stance, now, note=note, reported_it=reported_it, reporting_moderators=reporting
        )
        outcome = await commit_events(uow, community, before, new, now, current=incident)
        await uow.commit()
    return outcome


async def _visit(uow: UnitOfWork, now: datetime, community_id: int, number: int, command: _Step) -> Outcome:
    async with uow:
        community = await community_or_refuse(uow, community_id)
        before, incident = await load(uow, community.id, number)
        if not community.verifiers:
            raise RuleViolation("verifiers_not_set")
        outcome = await commit_events(uow, community, before, command(incident, community), now, current=incident)
        await uow.commit()
    return outcome


async def stats(uow: UnitOfWork, now: datetime, community_id: int, days: int) -> Figures:
    """The figures for the incidents first reported in the last `days` days."""
    if not 1 <= days <= MAX_STATS_DAYS:
        raise RuleViolation("setting_out_of_range", setting="days", low=1, high=MAX_STATS_DAYS)
    since = now - timedelta(days=days)
    histories: list[list[IncidentEvent]] = []
    notified: dict[int, datetime] = {}
    async with uow.reading():  # a year of incidents is a long read: never under the write lock
        community = await community_or_refuse(uow, community_id, configured=False)
        for summary in await uow.incidents.summaries(community.id, open_only=False):
            if summary.updated_at < since:
                continue  # nothing happened to it since: it was not first reported in the period
            events = await uow.incidents.events(community.id, summary.number)
            if replay(events).opened_at < since:
                continue
            histories.append(events)
            sent = [r.updated_at for r in await uow.outbox.log(community.id, summary.number)
                    if r.state is DeliveryState.SENT]  # fmt: skip
            if sent:
                notified[summary.number] = min(sent)
    return figures(histories, notified, since, now)
