"""In-memory implementations of `verification.ports`: the test double every fast test uses.

They keep the same contract as storage (the contract tests run both), including transactions: a unit
of work snapshots the data when it begins and puts the snapshot back unless it commits.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from verification.alerts import AlertKind, AlertMessage
from verification.clustering import Candidate, ClusterIndex
from verification.community import AreaRole, Community, Recipient, RecipientKind, Subscription, Via
from verification.events import IncidentEvent
from verification.incident import Incident, replay
from verification.model import Language, Place, Report
from verification.place_book import PlaceBook
from verification.ports import (
    DeliveryCounts,
    DeliveryRecord,
    DeliveryState,
    EarlierRecipient,
    IncidentSummary,
    NewDelivery,
    StoredReport,
    UnitOfWork,
)


@dataclass
class Delivery:
    id: int
    alert_id: int
    community: int
    number: int
    seq: int
    kind: AlertKind
    recipient: Recipient
    priority: int
    depends_on: int | None
    state: DeliveryState = DeliveryState.QUEUED
    attempts: int = 0
    message_id: int | None = None
    error: str | None = None
    updated_at: datetime | None = None
    in_doubt: bool = False  # an attempt may have reached Discord; only a recorded send clears it
    created_at: datetime | None = None


@dataclass
class Grant:
    community: int
    user: int
    role: int
    granted_at: datetime
    removed_at: datetime | None = None


@dataclass
class Data:
    communities: dict[int, Community] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)
    places: dict[int, dict[str, Place]] = field(default_factory=dict)
    events: dict[tuple[int, int], list[IncidentEvent]] = field(default_factory=dict)
    states: dict[tuple[int, int], Incident] = field(default_factory=dict)
    updated: dict[tuple[int, int], datetime] = field(default_factory=dict)
    cards: dict[tuple[int, int], int | None] = field(default_factory=dict)
    keys: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    indexes: dict[int, ClusterIndex] = field(default_factory=dict)
    reports: dict[int, tuple[int, int, int, Report]] = field(default_factory=dict)  # id -> (c, n, ordinal, r)
    marks: dict[int, str] = field(default_factory=dict)  # report id -> pseudonym /forget-me dropped from it
    standing: dict[tuple[int, str], int] = field(default_factory=dict)
    subscriptions: dict[tuple[int, int], dict[str, Language]] = field(default_factory=dict)
    via: dict[tuple[int, int, str], Via] = field(default_factory=dict)  # (community, user, area key): not DM
    area_roles: dict[tuple[int, str, Language], AreaRole] = field(default_factory=dict)
    ledger: list[Grant] = field(default_factory=list)
    alerts: dict[int, tuple[int, AlertMessage]] = field(default_factory=dict)
    on_feed: dict[int, datetime] = field(default_factory=dict)  # alert id: when published to the feed
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    unreachable: set[tuple[int, int]] = field(default_factory=set)


class FakeCommunities:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def get(self, community: int) -> Community | None:
        return self.uow.data.communities.get(community)

    async def save(self, community: Community) -> None:
        self.uow.data.communities[community.id] = community

    async def all(self) -> list[Community]:
        return list(self.uow.data.communities.values())


class FakePlaces:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def all(self, community: int) -> list[Place]:
        return list(self.uow.data.places.get(community, {}).values())

    async def book(self, community: int) -> PlaceBook:
        return PlaceBook.of(await self.all(community))

    def _changed(self, community: int) -> None:
        current = self.uow.data.communities.get(community)
        if current is not None:
            self.uow.data.communities[community] = replace(current, places_stamp=random.getrandbits(62))

    async def add(self, community: int, place: Place) -> None:
        self.uow.data.places.setdefault(community, {})[place.key] = place
        self._changed(community)

    async def remove(self, community: int, key: str) -> bool:
        removed = self.uow.data.places.get(community, {}).pop(key, None) is not None
        if removed:
            self._changed(community)
        return removed

    async def areas(self, community: int) -> list[str]:
        return sorted({p.area for p in self.uow.data.places.get(community, {}).values()}, key=str.casefold)


class FakeIncidents:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def next_number(self, community: int) -> int:
        number = self.uow.data.numbers.get(community, 0) + 1
        self.uow.data.numbers[community] = number
        return number

    async def events(self, community: int, number: int) -> list[IncidentEvent]:
        return list(self.uow.data.events.get((community, number), []))

    async def current(self, community: int, number: int) -> tuple[list[IncidentEvent], Incident] | None:
        events = await self.events(community, number)
        return (events, replay(events)) if events else None

    async def append(
        self,
        community: int,
        number: int,
        new: Sequence[IncidentEvent],
        state: Incident,
        keys: Sequence[str],
        at: datetime,
    ) -> None:
        data = self.uow.data
        data.events.setdefault((community, number), []).extend(new)
        data.states[(community, number)] = state
        data.updated[(community, number)] = at
        known = data.keys.get((community, number), [])
        data.keys[(community, number)] = list(dict.fromkeys([*known, *keys]))  # keys only grow, as in SQLite
        index = data.indexes.setdefault(community, ClusterIndex(window=timedelta(hours=24)))
        if state.closed:
            index.remove(number)
        else:
            candidate = Candidate(
                number, state.place.key, _words(state), state.first_observed, state.last_observed,
                label=state.place.label,
            )  # fmt: skip
            index.put(candidate, data.keys[(community, number)])

    async def candidates(
        self, community: int, keys: Sequence[str], observed_at: datetime, window: timedelta
    ) -> list[Candidate]:
        index = self.uow.data.indexes.get(community)
        if index is None:
            return []
        return [
            c
            for c in index.candidates(keys, observed_at)
            if c.first_observed - window <= observed_at <= c.last_observed + window
        ]

    async def keys(self, community: int, number: int) -> list[str]:
        return list(self.uow.data.keys.get((community, number), []))

    async def summaries(self, community: int, *, open_only: bool = True) -> list[IncidentSummary]:
        data = self.uow.data
        return [
            IncidentSummary(
                number=n,
                status=s.status,
                place=s.place.label,
                area=s.place.area,
                priority=int(s.priority),
                contested=s.contested,
                reports=len(s.reports),
                reporters=s.reporter_count,
                first_observed=s.first_observed,
                last_observed=s.last_observed,
                updated_at=data.updated[(c, n)],
                card_message=data.cards.get((c, n)),
            )
            for (c, n), s in sorted(data.states.items())
            if c == community and not (open_only and s.closed)
        ]

    async def stale(self, community: int, quiet_since: datetime) -> list[int]:
        return [
            n
            for (c, n), s in sorted(self.uow.data.states.items())
            if c == community and not s.closed and s.last_news_at <= quiet_since
        ]

    async def set_card(self, community: int, number: int, message_id: int | None) -> None:
        self.uow.data.cards[(community, number)] = message_id

    async def card_message(self, community: int, number: int) -> int | None:
        return self.uow.data.cards.get((community, number))


def _words(state: Incident) -> tuple[str, ...]:
    from verification.places import distinctive, tokens

    return tuple(distinctive(tokens(state.place.label)))


class FakeReports:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def add(self, community: int, number: int, ordinal: int, report: Report) -> int:
        report_id = len(self.uow.data.reports) + 1
        self.uow.data.reports[report_id] = (community, number, ordinal, report)
        return report_id

    async def reporters(self, community: int, number: int) -> dict[str, int]:
        return {
            r.reporter: o
            for c, n, o, r in self.uow.data.reports.values()
            if (c, n) == (community, number) and r.reporter
        }

    async def reported_by(self, community: int, number: int, pseudonyms: Collection[str]) -> set[str]:
        held = [
            who
            for report_id, (c, n, _, r) in self.uow.data.reports.items()
            if (c, n) == (community, number)
            for who in (r.reporter, self.uow.data.marks.get(report_id, ""))
        ]
        return set(pseudonyms) & set(held) - {""}

    async def move(self, community: int, source: int, target: int, ordinals: dict[int, int]) -> None:
        for report_id, (c, n, o, r) in list(self.uow.data.reports.items()):
            if (c, n) == (community, source):
                self.uow.data.reports[report_id] = (c, target, ordinals.get(report_id, o), r)

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        return sum(
            1
            for c, _, _, r in self.uow.data.reports.values()
            if c == community and r.reporter == reporter and r.received_at >= since
        )

    async def of_incident(self, community: int, number: int) -> list[StoredReport]:
        return [
            StoredReport(i, n, o, r.where, r.what, r.markings, r.observed_at, r.received_at, r.low_trust)
            for i, (c, n, o, r) in sorted(self.uow.data.reports.items())
            if (c, n) == (community, number)
        ]

    async def forget(self, community: int, reporter: str, at: datetime, keep_since: datetime) -> list[int]:
        numbers = set()
        for report_id, (c, n, o, r) in list(self.uow.data.reports.items()):
            if c == community and r.reporter == reporter:
                numbers.add(n)
                self.uow.data.marks[report_id] = reporter
                kept = r.reporter if r.received_at >= keep_since else ""
                self.uow.data.reports[report_id] = (c, n, o, replace(r, where="", what="", markings="", reporter=kept))
        return sorted(numbers)


class FakeStanding:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def score(self, community: int, reporter: str) -> int:
        return self.uow.data.standing.get((community, reporter), 0)

    async def forget(self, community: int, reporter: str) -> None:
        self.uow.data.standing.pop((community, reporter), None)

    async def credit(self, community: int, reporters: Sequence[str], delta: int, at: datetime) -> None:
        for reporter in reporters:
            key = (community, reporter)
            self.uow.data.standing[key] = self.uow.data.standing.get(key, 0) + delta


class FakeSubscriptions:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def subscribe(self, community: int, user: int, area: str, language: Language, via: Via = Via.DM) -> None:
        areas = self.uow.data.subscriptions.setdefault((community, user), {})
        for a in list(areas):
            if a.casefold() == area.casefold():
                del areas[a]
        areas[area] = language
        for a in areas:
            areas[a] = language  # one language per subscriber
        self.uow.data.via[(community, user, area.casefold())] = via
        self.uow.data.unreachable.discard((community, user))

    async def unsubscribe(self, community: int, user: int, area: str | None) -> int:
        areas = self.uow.data.subscriptions.get((community, user), {})
        if area is None:
            removed = len(areas)
            for a in areas:
                self.uow.data.via.pop((community, user, a.casefold()), None)
            areas.clear()
            return removed
        for a in list(areas):
            if a.casefold() == area.casefold():
                del areas[a]
                self.uow.data.via.pop((community, user, a.casefold()), None)
                return 1
        return 0

    def _via(self, community: int, user: int, area: str) -> Via:
        return self.uow.data.via.get((community, user, area.casefold()), Via.DM)

    async def of(self, community: int, user: int) -> list[Subscription]:
        areas = self.uow.data.subscriptions.get((community, user), {})
        return [Subscription(user, a, lang, self._via(community, user, a)) for a, lang in sorted(areas.items())]

    async def matching(self, community: int, area: str, *, skip_roles: tuple[int, ...] = ()) -> list[Recipient]:
        out = []
        for (c, user), areas in sorted(self.uow.data.subscriptions.items()):
            if c != community or (c, user) in self.uow.data.unreachable:
                continue
            covering = [a for a in areas if a == "" or a.casefold() == area.casefold()]
            if not covering:
                continue
            if any(g.community == c and g.user == user and g.removed_at is None and g.role in skip_roles
                   for g in self.uow.data.ledger):  # fmt: skip
                continue
            out.append(Recipient(RecipientKind.DM, user, areas[covering[0]]))
        return out


class FakeAreaRoles:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def get(self, community: int, area: str, language: Language) -> AreaRole | None:
        return self.uow.data.area_roles.get((community, area.casefold(), language))

    async def all(self, community: int) -> list[AreaRole]:
        found = [(k, r) for k, r in self.uow.data.area_roles.items() if k[0] == community]
        return [r for _, r in sorted(found, key=lambda kr: (kr[0][1], kr[0][2].value))]

    async def remember(self, community: int, role: AreaRole, at: datetime) -> None:
        self.uow.data.area_roles.setdefault((community, role.area.casefold(), role.language), role)

    async def forget(self, community: int, role: int, at: datetime) -> None:
        areas = set()
        for key, known in list(self.uow.data.area_roles.items()):
            if key[0] == community and known.role == role:
                areas.add(key[1])
                del self.uow.data.area_roles[key]
        for g in self.uow.data.ledger:
            if (g.community, g.role) == (community, role) and g.removed_at is None:
                g.removed_at = at
                for area in areas:
                    held = (community, g.user, area)
                    if self.uow.data.via.get(held) is Via.ROLE:
                        self.uow.data.via[held] = Via.DM

    def _open(self, community: int, user: int, role: int) -> Grant | None:
        for g in self.uow.data.ledger:
            if (g.community, g.user, g.role) == (community, user, role) and g.removed_at is None:
                return g
        return None

    async def granted(self, community: int, user: int, role: int, at: datetime) -> None:
        if self._open(community, user, role) is None:
            self.uow.data.ledger.append(Grant(community, user, role, at))

    async def removed(self, community: int, user: int, role: int, at: datetime) -> bool:
        grant = self._open(community, user, role)
        if grant is None:
            return False
        grant.removed_at = at
        return True

    async def held(self, community: int, user: int) -> list[AreaRole]:
        by_id = {r.role: r for (c, _, _), r in self.uow.data.area_roles.items() if c == community}
        held = [by_id[g.role] for g in self.uow.data.ledger
                if (g.community, g.user) == (community, user) and g.removed_at is None and g.role in by_id]  # fmt: skip
        return sorted(held, key=lambda r: (r.area.casefold(), r.language.value))

    async def left_since(self, community: int, post_delivery: int) -> list[Recipient]:
        d = self.uow.data.deliveries.get(post_delivery)
        if d is None or d.community != community or d.recipient.kind is not RecipientKind.ROLE_POST:
            return []
        if not (d.state is DeliveryState.SENT or d.in_doubt) or d.created_at is None or d.updated_at is None:
            return []
        users = set()
        for g in self.uow.data.ledger:
            if g.community != community or g.role not in d.recipient.roles or g.removed_at is None:
                continue
            if (
                g.granted_at <= d.updated_at
                and g.removed_at >= d.created_at
                and self._open(community, g.user, g.role) is None
            ):
                users.add(g.user)
        return [Recipient(RecipientKind.DM, u, d.recipient.language) for u in sorted(users)]


class FakeOutbox:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def add_alert(self, community: int, message: AlertMessage, *, feed_at: datetime | None = None) -> int:
        for alert_id, (c, m) in self.uow.data.alerts.items():
            if c == community and (m.number, m.seq) == (message.number, message.seq):
                raise AssertionError(f"alert {message.number}/{message.seq} owed twice (id {alert_id})")
        alert_id = len(self.uow.data.alerts) + 1
        self.uow.data.alerts[alert_id] = (community, message)
        if feed_at is not None:
            self.uow.data.on_feed[alert_id] = feed_at
        return alert_id

    async def on_feed(self, community: int, number: int) -> bool:
        return any(
            (c, m.number, m.kind) == (community, number, AlertKind.ALERT)
            for alert_id, (c, m) in self.uow.data.alerts.items()
            if alert_id in self.uow.data.on_feed
        )

    async def enqueue(self, alert_id: int, deliveries: Sequence[NewDelivery], at: datetime) -> list[int]:
        community, message = self.uow.data.alerts[alert_id]
        ids = []
        for d in deliveries:
            delivery_id = len(self.uow.data.deliveries) + 1
            self.uow.data.deliveries[delivery_id] = Delivery(
                delivery_id,
                alert_id,
                community,
                message.number,
                message.seq,
                message.kind,
                d.recipient,
                d.priority,
                d.depends_on,
                updated_at=at,
                created_at=at,
            )
            ids.append(delivery_id)
        return ids

    async def earlier_recipients(self, community: int, number: int) -> list[EarlierRecipient]:
        latest: dict[tuple[RecipientKind, int], Delivery] = {}
        deliveries = self.uow.data.deliveries.values()
        retracted = {d.depends_on for d in deliveries if d.kind is AlertKind.RETRACTION}
        for d in deliveries:
            if (d.community, d.number) != (community, number) or d.kind is not AlertKind.ALERT:
                continue
            if d.state is DeliveryState.CANCELLED or (d.state is DeliveryState.FAILED and not d.in_doubt):
                continue
            if d.id in retracted:
                continue
            role_post = d.recipient.kind is RecipientKind.ROLE_POST
            latest[(d.recipient.kind, d.id if role_post else d.recipient.address)] = d
        return [EarlierRecipient(d.recipient, d.id, d.state) for d in latest.values()]

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        count = 0
        mine = [d for d in self.uow.data.deliveries.values() if (d.community, d.number) == (community, number)]
        for d in mine:
            if (
                d.state is DeliveryState.QUEUED
                and not d.in_doubt
                and d.kind in (AlertKind.ALERT, AlertKind.UPDATE, AlertKind.ALL_CLEAR)
            ):
                d.state, d.error, d.updated_at = DeliveryState.CANCELLED, reason, at
                count += 1
        cancelled = {d.id for d in mine if d.state is DeliveryState.CANCELLED}
        for d in mine:
            if d.state is DeliveryState.QUEUED and not d.in_doubt and d.depends_on in cancelled:
                d.state, d.error, d.updated_at = DeliveryState.CANCELLED, "alert_not_delivered", at
                count += 1
        return count

    async def counts(self, community: int | None = None) -> DeliveryCounts:
        counts = {s: 0 for s in DeliveryState}
        in_doubt = 0
        for d in self.uow.data.deliveries.values():
            if community is None or d.community == community:
                counts[d.state] += 1
                in_doubt += d.in_doubt and d.state in (DeliveryState.QUEUED, DeliveryState.SENDING)
        return DeliveryCounts(
            queued=counts[DeliveryState.QUEUED],
            sending=counts[DeliveryState.SENDING],
            sent=counts[DeliveryState.SENT],
            failed=counts[DeliveryState.FAILED],
            cancelled=counts[DeliveryState.CANCELLED],
            in_doubt=in_doubt,
        )

    async def log(self, community: int, number: int) -> list[DeliveryRecord]:
        return [
            DeliveryRecord(
                d.id,
                d.seq,
                d.kind,
                d.recipient,
                d.state,
                d.attempts,
                d.message_id,
                d.error,
                d.updated_at or datetime.min,
            )
            for d in self.uow.data.deliveries.values()
            if (d.community, d.number) == (community, number)
        ]

    # What the delivery worker would do, for tests of the domain flow without Discord.
    def mark(
        self, delivery_id: int, state: DeliveryState, *, in_doubt: bool = False, at: datetime | None = None
    ) -> None:
        self.uow.data.deliveries[delivery_id].state = state
        self.uow.data.deliveries[delivery_id].in_doubt = in_doubt
        if at is not None:
            self.uow.data.deliveries[delivery_id].updated_at = at


class FakeUnitOfWork:
    def __init__(self, data: Data | None = None) -> None:
        self.data = data or Data()
        self.communities = FakeCommunities(self)
        self.places = FakePlaces(self)
        self.incidents = FakeIncidents(self)
        self.reports = FakeReports(self)
        self.standing = FakeStanding(self)
        self.subscriptions = FakeSubscriptions(self)
        self.outbox = FakeOutbox(self)
        self.area_roles = FakeAreaRoles(self)
        self._snapshot: Data | None = None
        self._committed = False
        self.commits = 0

    async def __aenter__(self) -> Self:
        if self._snapshot is not None:
            raise RuntimeError("transactions do not nest")
        self._snapshot = copy.deepcopy(self.data)
        self._committed = False
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._committed and self._snapshot is not None:
            self.data.__dict__.update(self._snapshot.__dict__)
        self._snapshot = None

    async def commit(self) -> None:
        self._committed = True
        self.commits += 1


def moderator_pseudonyms(community: int, user_id: int) -> str:
    """The reporter pseudonyms of tests.builders' moderators (MOD_A is "pseudo-a"), as a Pseudonymizer."""
    return {1001: "pseudo-a", 1002: "pseudo-b", 1003: "pseudo-c"}.get(user_id, f"pseudo-{user_id}")


def community(**settings: object) -> Community:
    base = Community(id=1, timezone="America/Chicago", moderator_role=10, queue_channel=20, alerts_channel=30)
    return replace(base, **settings)  # type: ignore[arg-type]


def _conforms_to_the_ports(uow: FakeUnitOfWork) -> UnitOfWork:
    """`make lint` type-checks this file: mypy then holds the fake to every port, method by method."""
    return uow
