"""How long truth took: the figures a network reads in its debriefs.

For the incidents first reported in a period, the time from the first report to the first moderator
action, to the confirmation, and to the first subscriber notified (median and 90th percentile), and how
many were escalated to the on-call moderators, sent to a verifier, and confirmed on site.

The 90th percentile is the nearest-rank one: the time within which 9 incidents in 10 got there. An
incident that never got there (never confirmed, never alerted) is left out of that figure and counted
in `reached`, so a small `reached` says the median speaks for few incidents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .events import (
    Confirmed,
    Escalated,
    IncidentEvent,
    Merged,
    PageRefused,
    Reported,
    StatementAttached,
    VerifierRequested,
    moderator_of,
)
from .model import SourceKind, Stance


@dataclass(frozen=True, slots=True)
class Spread:
    reached: int  # incidents that got there
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True, slots=True)
class Milestones:
    """When one incident got where: None for never."""

    number: int
    first_report: datetime
    first_action: datetime | None
    confirmed: datetime | None
    escalated: bool
    sent_to_verifier: bool
    confirmed_on_site: bool
    merged_away: bool


@dataclass(frozen=True, slots=True)
class Figures:
    since: datetime
    until: datetime
    incidents: int
    to_first_action: Spread
    to_confirmation: Spread
    to_first_notified: Spread
    escalated: int
    sent_to_verifier: int
    confirmed_on_site: int


def milestones(history: Sequence[IncidentEvent]) -> Milestones:
    first = history[0]
    if not isinstance(first, Reported):
        raise ValueError("an incident's history starts with a Reported event")
    action = next((e.at for e in history if moderator_of(e.actor) is not None), None)
    confirmed = next((e.at for e in history if isinstance(e, Confirmed)), None)
    on_site = any(
        isinstance(e, StatementAttached)
        and e.statement.source_kind is SourceKind.VERIFIER
        and e.statement.stance is Stance.CONFIRMS
        for e in history
    )
    refused = {e.page_at for e in history if isinstance(e, PageRefused)}
    # An incident merged into this one brought its reports: the event was first reported with the earliest.
    merged = [r.received_at for e in history if isinstance(e, Merged) and e.target == first.number for r in e.reports]
    return Milestones(
        number=first.number,
        first_report=min([first.at, *merged]),
        first_action=action,
        confirmed=confirmed,
        escalated=any(isinstance(e, Escalated) and e.at not in refused for e in history),  # a refused page paged nobody
        sent_to_verifier=any(isinstance(e, VerifierRequested) for e in history),
        confirmed_on_site=on_site,
        merged_away=any(isinstance(e, Merged) and e.source == first.number for e in history),
    )


def spread(durations: Sequence[timedelta]) -> Spread:
    if not durations:
        return Spread(0, None, None)
    ordered = sorted(durations)
    n = len(ordered)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return Spread(n, middle, ordered[math.ceil(0.9 * n) - 1])


def figures(
    histories: Sequence[Sequence[IncidentEvent]],
    first_notified: dict[int, datetime],
    since: datetime,
    until: datetime,
) -> Figures:
    """The figures for incidents first reported in [since, until). `first_notified`: incident number to
    when its first message reached a subscriber (a DM, or a post in the alerts channel) was sent.

    An incident merged into another is left out: its reports count with the one they joined."""
    marks = [m for m in map(milestones, histories) if since <= m.first_report < until and not m.merged_away]
    return Figures(
        since=since,
        until=until,
        incidents=len(marks),
        to_first_action=spread([m.first_action - m.first_report for m in marks if m.first_action]),
        to_confirmation=spread([m.confirmed - m.first_report for m in marks if m.confirmed]),
        to_first_notified=spread(
            [first_notified[m.number] - m.first_report for m in marks if m.number in first_notified]
        ),
        escalated=sum(m.escalated for m in marks),
        sent_to_verifier=sum(m.sent_to_verifier for m in marks),
        confirmed_on_site=sum(m.confirmed_on_site for m in marks),
    )
