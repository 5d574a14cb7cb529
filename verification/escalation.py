"""When Veraz pages the on-call moderators: an urgent incident that nobody has acted on in time.

Urgent here is what a dispatcher would page for: a sensitive place (a school, a place of worship, a
hospital, a court), or two independent reporters whose accounts are not new. The page goes out once;
it may go out again only after something changes (a new report, a new place) and the incident is left
unattended for the same time again. The time of each page is an `Escalated` event in the incident's
log, a wall-clock time in the database, so a restart never pings twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .events import SYSTEM, Escalated, IncidentEvent, moderator_of
from .incident import Incident
from .model import Status

DEFAULT_ESCALATE_AFTER = timedelta(minutes=3)


def urgent(incident: Incident) -> bool:
    """A place where people are most at risk, or two independent reporters (new accounts do not count,
    as they never raise priority)."""
    return incident.place.kind.sensitive or incident.trusted_reporter_count >= 2


def attended(incident: Incident) -> bool:
    """A moderator has done something with it: voted, attached a statement, sent a verifier, closed it."""
    return any(moderator_of(e.actor) is not None for e in incident.history)


def waiting_since(incident: Incident) -> datetime:
    """Since when the incident has waited: its first report, or the first change after the last page."""
    if incident.escalated_at is None:
        return incident.opened_at
    changes = [e.at for e in incident.history if not isinstance(e, Escalated) and e.at > incident.escalated_at]
    return min(changes) if changes else datetime.max.replace(tzinfo=incident.opened_at.tzinfo)


def escalation_due(incident: Incident, now: datetime, after: timedelta) -> bool:
    if incident.closed or incident.status is not Status.UNVERIFIED or attended(incident):
        return False
    if not urgent(incident):
        return False
    return now - waiting_since(incident) >= after


def escalate_if_due(incident: Incident, now: datetime, after: timedelta) -> list[IncidentEvent]:
    """The `Escalated` event to append before pinging the on-call role, or nothing."""
    if not escalation_due(incident, now, after):
        return []
    minutes = int(after.total_seconds() // 60)
    return [Escalated(at=now, actor=SYSTEM, reason=f"urgent and unattended for {minutes} min")]
