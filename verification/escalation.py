"""When Veraz pages the on-call moderators: an urgent incident that nobody has acted on in time.

Urgent here is what a dispatcher would page for: a registered sensitive place (a school, a place of
worship, a hospital, a court), a sensitive place named only in a report (“the school”) by a reporter in
good standing, or two independent reporters in good standing (`ReportFacts.in_good_standing`): one new
account, or one whose reports keep being debunked, never pages anyone. The page goes out once; it may go
out again only after a new independent reporter in good standing joins and the incident is left
unattended for the same time again. The time of each page is an `Escalated` event in the incident's log,
a wall-clock time in the database, so a restart never pings twice.

A community gets at most `PAGES_PER_HOUR` pages of their own in any hour; incidents due beyond them are
named together in one more page, and any due after that wait for the hour to free a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .events import SYSTEM, Escalated, IncidentEvent, Merged, ReportAdded, Reported, ReportFacts, moderator_of
from .incident import Incident
from .model import Status

DEFAULT_ESCALATE_AFTER = timedelta(minutes=3)
PAGES_PER_HOUR = 3  # pages of their own per community in any hour; one gathered page may follow them
PAGE_WINDOW = timedelta(hours=1)


def urgent(incident: Incident) -> bool:
    """A place where people are most at risk, or two independent reporters in good standing."""
    standing = incident.good_standing_reporter_count
    # A sensitive kind read from a report's words ("the school") is only as good as who wrote it.
    sensitive = incident.place.kind.sensitive and (incident.place.known or standing >= 1)
    return sensitive or standing >= 2


def attended(incident: Incident) -> bool:
    """A moderator has done something with it: voted, attached a statement, sent a verifier, closed it."""
    return any(moderator_of(e.actor) is not None for e in incident.history)


def waiting_since(incident: Incident) -> datetime:
    """Since when the incident has waited: its first report, or, after a page, the first report since from
    a new independent reporter in good standing (nothing else re-arms the page: not the same reporter
    again, not a new account, not a place picked from a menu)."""
    if incident.escalated_at is None:
        return incident.opened_at
    paged = incident.escalated_at
    before: set[int] = set()
    for event in incident.history:
        reports = _reports_of(event)
        if event.at <= paged:
            before.update(r.reporter for r in reports)
            continue
        if isinstance(event, ReportAdded) and event.report.in_good_standing and event.report.reporter not in before:
            return event.at
        before.update(r.reporter for r in reports)
    return datetime.max.replace(tzinfo=incident.opened_at.tzinfo)


def _reports_of(event: IncidentEvent) -> tuple[ReportFacts, ...]:
    if isinstance(event, Reported | ReportAdded):
        return (event.report,)
    if isinstance(event, Merged):
        return event.reports
    return ()


def escalation_due(incident: Incident, now: datetime, after: timedelta) -> bool:
    if incident.closed or incident.status is not Status.UNVERIFIED or attended(incident):
        return False
    if not urgent(incident):
        return False
    return now - waiting_since(incident) >= after


def escalate_if_due(
    incident: Incident, now: datetime, after: timedelta, *, gathered: bool = False
) -> list[IncidentEvent]:
    """The `Escalated` event to append before pinging the on-call role, or nothing."""
    if not escalation_due(incident, now, after):
        return []
    minutes = int(after.total_seconds() // 60)
    return [Escalated(at=now, actor=SYSTEM, reason=f"urgent and unattended for {minutes} min", gathered=gathered)]


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Which due incidents get a page of their own now, and which are named together in one page."""

    alone: tuple[int, ...]
    gathered: tuple[int, ...]


def plan_pages(due: Sequence[int], alone_this_hour: int, gathered_this_hour: int) -> PagePlan:
    """Pages of their own while the hour has room, then one page naming the rest, once an hour; any due
    after that wait (they stay due, and go out when the hour frees a page). `due` in the order to page."""
    room = max(0, PAGES_PER_HOUR - alone_this_hour)
    alone, rest = tuple(due[:room]), tuple(due[room:])
    return PagePlan(alone, rest if gathered_this_hour == 0 else ())
