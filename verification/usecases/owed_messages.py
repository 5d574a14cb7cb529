"""Who is owed which message: what every use case that changes an incident does in its transaction.

`commit_events` appends the new events, stores the read model and queues every message now owed, all in
the use case's one transaction: the events, the read model and the outbox rows are committed together or
not at all. The alert policy (`verification.alerts.owed`) decides WHAT is owed; this module decides WHO.

The recipient contract, whole:

- **ALERT** (the incident is confirmed): the community's alerts channel and every subscriber of the
  incident's area (or of every area), each once, in the language they chose. Nobody else, ever.
- **UPDATE and ALL CLEAR**: the recipients of an earlier ALERT of this incident who are still subscribed
  today to an area an ALERT of it went to (an update is news about a live alert; whoever left does not
  want it; a moderator moving the incident to another area does not unsubscribe them), in today's
  language.
- **CORRECTION and RETRACTION**: every recipient of an earlier ALERT of this incident, subscribed or not
  (they were told something wrong), in their language of today if still subscribed, else of then.
- "Recipient of an earlier ALERT" (`Outbox.earlier_recipients`, enforced in SQL by storage/sqlite/outbox.py):
  for each recipient, their latest ALERT delivery of the incident that was queued, in flight, sent, or
  given up after an attempt that may have arrived (in doubt); never one that surely failed or was
  cancelled, and never one a RETRACTION was already queued against for that recipient (someone told an
  alert was false is not sent a correction of a later alert they never got). Each amendment row
  `depends_on` that ALERT delivery.
- Order and fate (storage/sqlite/delivery_queue.py): an amendment is not sent before the ALERT it depends on has
  been sent or may have been; one recipient's messages about an incident go in order (never a
  RETRACTION before its CORRECTION); corrections and retractions go first (`PRIORITY`), and a new urgent
  amendment lifts the same recipient's queued ones to its priority. Closing an incident cancels queued
  ALERTs, UPDATEs and ALL CLEARs that no attempt has touched, and the amendments waiting on an ALERT so
  cancelled; it never cancels a CORRECTION or RETRACTION, nor a delivery in doubt.

- **The public feed** (issue 23): an ALERT while the community's feed is on; every amendment of an
  incident one of whose ALERTs it got, always. Published at once, never cancelled (`Outbox.add_alert`).

- **Area roles** (`role_recipients`): with them on, an ALERT also owes one ROLE_POST per language that has
  a role for the area or for every area (mentioning exactly those roles; it replaces the plain channel post
  in that language), and subscribers the role ledger has holding one of those roles now get no DM (any
  other role subscriber, say of a deleted role, gets one); amendments answer every role post; a
  CORRECTION or RETRACTION also reaches by DM whoever Veraz's ledger had holding a pinged role when the
  ALERT post went out and who has left it since, unless they are an earlier DM recipient or hold now any
  role a reply post of that amendment mentions (one copy each). Every role post of the incident's ALERTs
  counts (`Outbox.earlier_recipients` returns each, not the latest per address); the amendment is
  posted once per distinct set of roles.

tests/storage/test_contract.py holds the in-memory fake to the SQLite store on all of it, and
tests/verification/test_usecases.py runs the use cases on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..alerts import AlertKind, AlertMessage, may_owe, owed
from ..community import Community, Recipient, RecipientKind
from ..events import Confirmed, Debunked, IncidentEvent
from ..incident import Incident, advance, replay
from ..model import Place, Status
from ..ports import NewDelivery, UnitOfWork
from .role_recipients import left_role_holders, role_posts, role_replies

# Lower goes first. A correction must travel at least as fast as the alarm did.
PRIORITY = {
    AlertKind.CORRECTION: 0,
    AlertKind.RETRACTION: 0,
    AlertKind.ALERT: 1,
    AlertKind.UPDATE: 2,
    AlertKind.ALL_CLEAR: 2,
}


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
    priority = PRIORITY[message.kind]
    if message.kind is AlertKind.ALERT:
        recipients: list[Recipient] = []
        posts = await role_posts(uow, community, message.facts.area)
        if community.alerts_channel is not None and all(p.language is not community.language for p in posts):
            recipients.append(Recipient(RecipientKind.CHANNEL, community.alerts_channel, community.language))
        recipients += posts
        pinged = tuple(role for post in posts for role in post.roles)
        recipients += await uow.subscriptions.matching(community.id, message.facts.area, skip_roles=pinged)
        return [NewDelivery(r, priority) for r in _unique(recipients)]

    # Amendments go by the delivery log, never by today's subscriptions: only earlier recipients.
    earlier = await uow.outbox.earlier_recipients(community.id, state.number)
    direct = [e for e in earlier if e.recipient.kind is not RecipientKind.ROLE_POST]
    replies = role_replies(earlier)
    current = {(r.kind, r.address): r for r in await _current(uow, community, {*alerted, message.facts.area})}
    if message.kind.urgent_amendment:
        # Told something wrong: they get this last message even if they have since unsubscribed.
        told = [
            NewDelivery(current.get((e.recipient.kind, e.recipient.address), e.recipient), priority, e.alert_delivery)
            for e in direct
        ]
        told += [NewDelivery(e.recipient, priority, e.alert_delivery) for e in replies]
        return told + await left_role_holders(uow, community, earlier, priority)
    owed_to = [
        NewDelivery(current[(e.recipient.kind, e.recipient.address)], priority, e.alert_delivery)
        for e in direct
        if (e.recipient.kind, e.recipient.address) in current
    ]
    # A role post is answered in the same place, pinging the same roles: whoever holds them now wants it.
    if community.alerts_channel is not None:
        owed_to += [NewDelivery(e.recipient, priority, e.alert_delivery) for e in replies]
    return owed_to


async def _current(uow: UnitOfWork, community: Community, areas: set[str]) -> list[Recipient]:
    """Who is subscribed today to any of `areas` (or to every area), in the language they chose today."""
    current: list[Recipient] = []
    for area in sorted(areas):
        current += await uow.subscriptions.matching(community.id, area)
    if community.alerts_channel is not None:
        current.append(Recipient(RecipientKind.CHANNEL, community.alerts_channel, community.language))
    return current


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[tuple[RecipientKind, int]] = set()
    out = []
    for r in recipients:
        if (r.kind, r.address) not in seen:
            seen.add((r.kind, r.address))
            out.append(r)
    return out


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
