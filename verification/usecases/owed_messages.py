"""Who is owed which message: what every use case that changes an incident does in its transaction.

`commit_events` appends the new events, stores the read model and queues every message now owed, all in
the use case's one transaction: the events, the read model and the outbox rows are committed together or
not at all. The alert policy (`verification.alerts.owed`) decides WHAT is owed; this module decides WHO.

Who is owed each message is `verification.recipients.recipients`, a pure function of the rows loaded here
(its docstring states the recipient contract whole). Order and fate (storage/sqlite/delivery_queue.py): an
amendment is not sent before the ALERT it depends on has been sent or may have been; one recipient's
messages about an incident go in order (never a RETRACTION before its CORRECTION); corrections and
retractions go first (`PRIORITY`), and a new urgent amendment lifts the same recipient's queued ones to its
priority. Closing an incident cancels queued ALERTs, UPDATEs and ALL CLEARs that no attempt has touched, and
the amendments waiting on an ALERT so cancelled; it never cancels a CORRECTION or RETRACTION, nor a delivery
in doubt. The public feed is a recipient decided here (`_owe`), published at once and never cancelled.

tests/storage/test_contract.py holds the in-memory fake to the SQLite store on all of it, and
tests/verification/test_usecases.py runs the use cases on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..alerts import AlertKind, AlertMessage, may_owe, owed
from ..community import Community, Recipient
from ..deliveries import NewDelivery, Subscriber
from ..effects import Queued
from ..events import Confirmed, Debunked, IncidentEvent
from ..incident import Incident, advance, replay
from ..model import Place, Status
from ..ports import UnitOfWork
from ..recipients import Audience, left_role_posts, recipients


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an adapter needs to show after a change: the incident as it now stands and what it owes."""

    number: int
    status: Status
    incident: Incident
    alerts: tuple[AlertMessage, ...] = ()
    deliveries: int = 0  # outbox rows queued by this change
    cancelled: int = 0  # outbox rows this change cancelled
    joined: bool = False  # for a report: it joined an incident that was already open
    report_id: int | None = None  # for a report: the one just stored
    # For a report whose place text named no known place surely: the closest known places, for the
    # reporter to pick from (or keep what they typed).
    place_choices: tuple[Place, ...] = ()
    first_report: bool = False  # for a report: none of this reporter's reports was on record


async def commit_events(
    uow: UnitOfWork,
    community: Community,
    before: list[IncidentEvent],
    new: Sequence[IncidentEvent],
    at: datetime,
    *,
    keys: Sequence[str] = (),
    current: Incident | None = None,
) -> Outcome:
    """Append `new`, store the read model, queue every message now owed, settle reporter standing.

    `current`, when given, is the state `before` replays to (the caller has it already).
    """
    after_events = [*before, *new]
    state = advance(current, new) if current is not None else replay(after_events)
    index_keys = list(keys) or await uow.incidents.keys(community.id, state.number)
    await uow.incidents.append(community.id, state.number, new, state, index_keys, at)
    await _settle_standing(uow, community, state, before, new, at)

    all_owed = owed(after_events) if may_owe(new) else []
    messages = all_owed[len(owed(before)) :] if all_owed else []
    # "Still subscribed" means to an area an ALERT of this incident went to, even if a moderator has
    # since moved the incident to another area.
    alerted = {m.facts.area for m in all_owed if m.kind is AlertKind.ALERT}
    queued = cancelled = 0
    for message in messages:
        q, c = await _owe(uow, community, state, message, at, alerted)
        queued += q
        cancelled += c
    uow.effects.card(community.id, state.number)
    if messages or cancelled:
        uow.effects.owed(Queued(community.id, state.number, tuple(m.kind.value for m in messages), queued, cancelled))
    return Outcome(state.number, state.status, state, tuple(messages), queued, cancelled)


async def _owe(
    uow: UnitOfWork, community: Community, state: Incident, message: AlertMessage, at: datetime, alerted: set[str]
) -> tuple[int, int]:
    """Queue one message to its recipients. Returns (deliveries queued, deliveries cancelled)."""
    cancelled = 0
    if state.status.closed:
        # Closing (retracted, misidentified, all clear): whoever has not been told yet never will be,
        # and stale updates still queued are dropped; the closing message goes to those already told.
        cancelled = await uow.outbox.cancel_queued(community.id, state.number, message.kind.value, at)
    # The public feed is a recipient too: it gets an ALERT while the community's feed is on, and every
    # amendment of an incident whose ALERT it got, always (even while off: shown when it is on again), so
    # it never shows an alert without its retraction, whatever became of the other deliveries.
    if message.kind is AlertKind.ALERT:
        feed = community.feed
    else:
        feed = await uow.outbox.on_feed(community.id, state.number)
    alert_id = await uow.outbox.add_alert(community.id, message, feed_at=at if feed else None)
    deliveries = await _recipients(uow, community, state, message, alerted)
    await uow.outbox.enqueue(alert_id, deliveries, at)
    return len(deliveries), cancelled


async def _recipients(
    uow: UnitOfWork, community: Community, state: Incident, message: AlertMessage, alerted: set[str]
) -> list[NewDelivery]:
    """Load what the rules need, then let them decide (`verification.recipients`)."""
    area = message.facts.area
    if message.kind is AlertKind.ALERT:
        roles = await uow.area_roles.all(community.id) if community.area_roles else []
        subscribers = await uow.subscriptions.matching(community.id, area)
        return recipients(
            message.kind, community, area, Audience(subscribers=tuple(subscribers), area_roles=tuple(roles))
        )
    # Amendments go by the delivery log, never by today's subscriptions alone: only earlier recipients.
    log = tuple(await uow.outbox.alert_log(community.id, state.number))
    today: dict[int, Subscriber] = {}
    for covered in sorted({*alerted, area}):
        for subscriber in await uow.subscriptions.matching(community.id, covered):
            today.setdefault(subscriber.recipient.address, subscriber)
    left: dict[int, tuple[Recipient, ...]] = {}
    wearing: dict[int, frozenset[int]] = {}
    if message.kind.urgent_amendment:
        for post in left_role_posts(log):
            left[post] = tuple(await uow.area_roles.left_since(community.id, post))
            for holder in left[post]:
                if holder.address not in wearing:
                    held = await uow.area_roles.held(community.id, holder.address)
                    wearing[holder.address] = frozenset(role.role for role in held)
    audience = Audience(log=log, subscribers=tuple(today.values()), left=left, wearing=wearing)
    return recipients(message.kind, community, area, audience)


async def _settle_standing(
    uow: UnitOfWork,
    community: Community,
    state: Incident,
    before: list[IncidentEvent],
    new: Sequence[IncidentEvent],
    at: datetime,
) -> None:
    """Reports later confirmed raise their reporters' standing; debunked ones lower it (twice as much)."""
    if not any(isinstance(e, Confirmed | Debunked) for e in new):
        return
    was_confirmed = bool(before) and replay(before).was_confirmed
    delta = 0
    for event in new:
        if isinstance(event, Confirmed) and not was_confirmed:
            delta += 1
        elif isinstance(event, Debunked):
            delta -= 2
    if delta:
        reporters = await uow.reports.reporters(community.id, state.number)
        await uow.standing.credit(community.id, sorted(reporters), delta, at)
