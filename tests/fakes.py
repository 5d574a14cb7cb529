"""In-memory implementations of `verification.ports`: the test double every fast test uses.

They keep the same contract as storage (the contract tests run both), including transactions: a unit
of work snapshots the data when it begins and puts the snapshot back unless it commits.
"""

from __future__ import annotations

import copy
import random
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from intake.place import PlaceBook
from intake.place.grid import GridPoint
from verification.alerts import AlertKind, AlertMessage
from verification.clustering import Candidate, ClusterIndex
from verification.community import AreaRole, AskedGrant, Community, Recipient, RecipientKind, Subscription, Via
from verification.deliveries import OUTAGE, DeliveryState, LoggedAlert, NewDelivery, Subscriber
from verification.effects import Effects, EffectsRecorder
from verification.events import Escalated, IncidentEvent
from verification.fair_share import Due, Stream, fair_claim, rank
from verification.incident import Incident, replay
from verification.model import Language, Place, Report
from verification.photos import EarlierPhoto, PhotoFacts, PhotoPost, PhotoReport, StoredPhoto, reuse
from verification.ports import (
    ClaimedDelivery,
    DeliveryCounts,
    DeliveryQueue,
    DeliveryRecord,
    IncidentSummary,
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
    next_attempt_at: datetime | None = None  # None: due at once
    claimed_at: datetime | None = None
    first_claimed_at: datetime | None = None
    checks: int = 0
    channel_id: int | None = None


@dataclass
class Grant:
    community: int
    user: int
    role: int
    granted_at: datetime
    removed_at: datetime | None = None


@dataclass
class Asked:
    community: int
    grant: AskedGrant
    settled_at: datetime | None = None


@dataclass
class Data:
    communities: dict[int, Community] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)
    places: dict[int, dict[str, Place]] = field(default_factory=dict)
    grids: dict[int, list[GridPoint]] = field(default_factory=dict)
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
    asked: list[Asked] = field(default_factory=list)
    alerts: dict[int, tuple[int, AlertMessage]] = field(default_factory=dict)
    on_feed: dict[int, datetime] = field(default_factory=dict)  # alert id: when published to the feed
    turns: dict[int, int] = field(default_factory=dict)  # alert -> its turn in the fair claim's round
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    unreachable: set[tuple[int, int]] = field(default_factory=set)
    photos: dict[int, FakePhoto] = field(default_factory=dict)


@dataclass
class FakePhoto:
    community: int
    report_id: int
    position: int
    received_at: datetime
    facts: PhotoFacts | None  # None once forgotten
    match: EarlierPhoto | None
    post: tuple[int, int] | None = None
    remove_post: bool = False
    removed: bool = False


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
        return PlaceBook.of(await self.all(community), await self.grid(community))

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

    async def grid(self, community: int) -> list[GridPoint]:
        return list(self.uow.data.grids.get(community, ()))

    async def set_grid(self, community: int, points: Sequence[GridPoint]) -> None:
        self.uow.data.grids[community] = list(dict.fromkeys(points))
        self._changed(community)


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

    async def pages_since(self, community: int, since: datetime) -> tuple[int, int]:
        pages = [
            e
            for (c, _), events in self.uow.data.events.items()
            if c == community
            for e in events
            if isinstance(e, Escalated) and e.at >= since
        ]
        return sum(not e.gathered for e in pages), len({e.at for e in pages if e.gathered})

    async def set_card(self, community: int, number: int, message_id: int | None) -> None:
        self.uow.data.cards[(community, number)] = message_id

    async def card_message(self, community: int, number: int) -> int | None:
        return self.uow.data.cards.get((community, number))


def _words(state: Incident) -> tuple[str, ...]:
    from intake.place.words import distinctive, tokens

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

    async def recent_counts(self, community: int, reporter: str, since: Sequence[datetime]) -> list[int]:
        return [await self.recent_count(community, reporter, s) for s in since]

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


class FakePhotos:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    async def report(self, community: int, report_id: int) -> PhotoReport | None:
        found = self.uow.data.reports.get(report_id)
        if found is None or found[0] != community:
            return None
        return PhotoReport(found[1], found[3].reporter or None, not found[3].what)

    async def add(
        self, community: int, report_id: int, position: int, facts: PhotoFacts, at: datetime,
        match: EarlierPhoto | None,
    ) -> int:  # fmt: skip
        photo_id = len(self.uow.data.photos) + 1
        self.uow.data.photos[photo_id] = FakePhoto(community, report_id, position, at, facts, match)
        return photo_id

    async def earlier(self, community: int, since: datetime) -> list[EarlierPhoto]:
        return [
            EarlierPhoto(i, self.uow.data.reports[p.report_id][1], p.received_at, p.facts.signature)
            for i, p in sorted(self.uow.data.photos.items())
            if p.community == community and p.received_at >= since and p.facts is not None
        ]

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int:
        return sum(
            1
            for p in self.uow.data.photos.values()
            if p.community == community and p.received_at >= since
            and self.uow.data.reports[p.report_id][3].reporter == reporter
        )  # fmt: skip

    def _stored(self, photo_id: int, p: FakePhoto) -> StoredPhoto:
        _, number, ordinal, report = self.uow.data.reports[p.report_id]
        reused = None
        if p.match is not None:
            state = self.uow.data.states.get((p.community, p.match.number))
            if state is not None:
                reused = reuse(number, p.match.number, p.match.received_at, p.received_at, state.status)
        facts = p.facts if not p.removed else None
        return StoredPhoto(
            photo_id, p.report_id, number, ordinal, p.position, p.received_at, report.observed_at,
            facts.taken if facts else None, facts.camera if facts else None, bool(facts and facts.had_gps),
            p.removed, reused, p.post,
        )  # fmt: skip

    async def of_incident(self, community: int, number: int) -> list[StoredPhoto]:
        return [
            self._stored(i, p)
            for i, p in sorted(self.uow.data.photos.items(), key=lambda item: (item[1].received_at, item[0]))
            if p.community == community and self.uow.data.reports[p.report_id][1] == number
        ]

    async def get(self, community: int, photo_id: int) -> StoredPhoto | None:
        p = self.uow.data.photos.get(photo_id)
        return self._stored(photo_id, p) if p is not None and p.community == community else None

    async def set_post(self, community: int, photo_id: int, channel: int, message: int) -> None:
        p = self.uow.data.photos[photo_id]
        p.post, p.remove_post = (channel, message), p.removed

    async def forget(self, community: int, reporter: str, at: datetime) -> int:
        count = 0
        for p in self.uow.data.photos.values():
            if (
                p.community == community
                and not p.removed
                and self.uow.data.reports[p.report_id][3].reporter == reporter
            ):
                p.facts, p.removed, p.remove_post = None, True, p.post is not None
                count += 1
        return count

    async def posts_to_remove(self, limit: int) -> list[PhotoPost]:
        return [
            PhotoPost(i, p.community, p.post[0], p.post[1])
            for i, p in sorted(self.uow.data.photos.items())
            if p.remove_post and p.post is not None
        ][:limit]

    async def post_removed(self, photo_id: int) -> None:
        p = self.uow.data.photos[photo_id]
        p.post, p.remove_post = None, False


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

    async def matching(self, community: int, area: str) -> list[Subscriber]:
        out = []
        for (c, user), areas in sorted(self.uow.data.subscriptions.items()):
            if c != community or (c, user) in self.uow.data.unreachable:
                continue
            covering = [a for a in areas if a == "" or a.casefold() == area.casefold()]
            if not covering:
                continue
            wearing = frozenset(
                g.role for g in self.uow.data.ledger if (g.community, g.user) == (c, user) and g.removed_at is None
            )
            out.append(Subscriber(Recipient(RecipientKind.DM, user, areas[covering[0]]), wearing))
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

    async def worn(self, community: int, role: int) -> bool:
        held = any((g.community, g.role) == (community, role) and g.removed_at is None for g in self.uow.data.ledger)
        return held or any(
            a.community == community and a.grant.role.role == role and a.settled_at is None for a in self.uow.data.asked
        )

    async def ask_grant(self, community: int, user: int, role: AreaRole, at: datetime) -> None:
        data = self.uow.data
        data.asked = [
            a for a in data.asked
            if not (a.community == community and a.settled_at is not None and a.grant.asked_at < at - timedelta(days=1))
        ]  # fmt: skip
        data.asked.append(Asked(community, AskedGrant(user, role, at)))

    async def settle_grants(self, community: int, user: int, role: int, at: datetime) -> None:
        for a in self.uow.data.asked:
            if (a.community, a.grant.user, a.grant.role.role) == (community, user, role) and a.settled_at is None:
                a.settled_at = at

    async def grants_asked(self, community: int, user: int, since: datetime) -> int:
        return sum(
            (a.community, a.grant.user) == (community, user) and a.grant.asked_at >= since for a in self.uow.data.asked
        )

    async def unsettled(self, community: int, asked_before: datetime) -> list[AskedGrant]:
        return [
            a.grant
            for a in self.uow.data.asked
            if a.community == community and a.settled_at is None and a.grant.asked_at < asked_before
        ]

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
        self.uow.data.turns[alert_id] = max(self.uow.data.turns.values(), default=0)  # at the back of the round
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
                next_attempt_at=at,
            )
            ids.append(delivery_id)
        return ids

    async def alert_log(self, community: int, number: int) -> list[LoggedAlert]:
        deliveries = sorted(self.uow.data.deliveries.values(), key=lambda d: d.id)
        retracted = {d.depends_on for d in deliveries if d.kind is AlertKind.RETRACTION}
        return [
            LoggedAlert(d.id, d.recipient, d.state, d.in_doubt, d.id in retracted)
            for d in deliveries
            if (d.community, d.number) == (community, number) and d.kind is AlertKind.ALERT
        ]

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


class FakeDeliveryQueue:
    """The worker's side of the fake outbox. It claims by the fair rule (verification.fair_share) from every
    claimable row, as the rule is stated; tests/storage/test_fair_claims.py holds SQLite, which reads only a
    few rows per alert, to the same answers. Each call is its own transaction (here: immediate)."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self.dm_channels: dict[tuple[int, int], int] = {}

    def _ready(self, d: Delivery) -> bool:
        dep = self.data.deliveries.get(d.depends_on) if d.depends_on is not None else None
        if dep is not None and not (
            dep.state is DeliveryState.SENT or (dep.state is DeliveryState.FAILED and dep.in_doubt)
        ):
            return False
        return not any(
            (e.community, e.number, e.recipient.kind, e.recipient.address)
            == (d.community, d.number, d.recipient.kind, d.recipient.address)
            and e.id < d.id
            and e.state in (DeliveryState.QUEUED, DeliveryState.SENDING)
            for e in self.data.deliveries.values()
        )

    def _claimable(self, now: datetime | None) -> list[Delivery]:
        return [
            d
            for d in self.data.deliveries.values()
            if d.state is DeliveryState.QUEUED
            and (now is None or d.next_attempt_at is None or d.next_attempt_at <= now)
            and self._ready(d)
        ]

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        before = claimed_before or now
        stuck = [d for d in self.data.deliveries.values() if d.state is DeliveryState.SENDING
                 and d.claimed_at is not None and d.claimed_at <= before]  # fmt: skip
        for d in stuck:
            d.state, d.in_doubt, d.next_attempt_at, d.updated_at = DeliveryState.QUEUED, True, now, now
        return len(stuck)

    async def claim(self, now: datetime, limit: int) -> list[ClaimedDelivery]:
        due: dict[int, list[Due]] = {}
        for d in self._claimable(now):
            due.setdefault(d.alert_id, []).append(Due(d.id, rank(d.priority, d.recipient.kind is RecipientKind.DM)))
        communities: dict[int, int] = {}
        for alert_id, turn in self.data.turns.items():
            community = self.data.alerts[alert_id][0]
            communities[community] = max(communities.get(community, 0), turn)
        streams = [
            Stream(a, self.data.alerts[a][0], self.data.turns[a], tuple(sorted(rows, key=lambda d: (d.rank, d.id))))
            for a, rows in due.items()
        ]
        choice = fair_claim(streams, communities, max(self.data.turns.values(), default=0), limit)
        self.data.turns |= choice.turns
        claimed = []
        for i in choice.ids:
            d = self.data.deliveries[i]
            d.state, d.attempts, d.claimed_at, d.updated_at = DeliveryState.SENDING, d.attempts + 1, now, now
            d.first_claimed_at = d.first_claimed_at or now
            dep = self.data.deliveries.get(d.depends_on) if d.depends_on is not None else None
            amends = (dep.channel_id, dep.message_id) if dep and dep.channel_id and dep.message_id else None
            claimed.append(
                ClaimedDelivery(
                    id=d.id,
                    community=d.community,
                    kind=d.kind,
                    message=self.data.alerts[d.alert_id][1],
                    recipient=d.recipient,
                    nonce=f"fake{d.id}",
                    attempts=d.attempts,
                    dm_channel=self.dm_channels.get((d.community, d.recipient.address))
                    if d.recipient.kind is RecipientKind.DM
                    else None,
                    in_doubt_since=d.first_claimed_at if d.in_doubt else None,
                    amends=amends,
                    amended_alert=self.data.alerts[dep.alert_id][1] if amends and dep else None,
                    checks=d.checks,
                )
            )
        return claimed

    async def sent(self, delivery: int, channel_id: int, message_id: int, now: datetime) -> None:
        d = self.data.deliveries[delivery]
        d.state, d.in_doubt, d.channel_id, d.message_id, d.error = (
            DeliveryState.SENT,
            False,
            channel_id,
            message_id,
            None,
        )
        d.updated_at = now

    def _cancel_dependents(self, d: Delivery, now: datetime) -> None:
        if d.in_doubt:
            return  # it may have arrived: what amends it is still owed
        for e in self.data.deliveries.values():
            if e.depends_on == d.id and e.state is DeliveryState.QUEUED:
                e.state, e.error, e.updated_at = DeliveryState.CANCELLED, "alert_not_delivered", now

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        d = self.data.deliveries[delivery]
        d.state, d.in_doubt, d.error, d.updated_at = DeliveryState.FAILED, d.in_doubt or in_doubt, error[:500], now
        self._cancel_dependents(d, now)

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        d = self.data.deliveries[delivery]
        d.state, d.in_doubt, d.error = DeliveryState.QUEUED, d.in_doubt or in_doubt, error[:500]
        d.next_attempt_at, d.updated_at = at, now

    async def check_failed(self, delivery: int, error: str, at: datetime, now: datetime) -> None:
        d = self.data.deliveries[delivery]
        d.state, d.in_doubt, d.attempts, d.checks = DeliveryState.QUEUED, True, max(d.attempts - 1, 0), d.checks + 1
        d.error, d.next_attempt_at, d.updated_at = f"history check: {error}"[:500], at, now

    async def postpone(self, delivery: int, error: str, now: datetime) -> None:
        d = self.data.deliveries[delivery]
        if d.state is DeliveryState.SENDING:
            d.state, d.attempts, d.error, d.updated_at = DeliveryState.QUEUED, max(d.attempts - 1, 0), error[:500], now

    async def resume_after_outage(self, now: datetime) -> int:
        waiting = [
            d for d in self.data.deliveries.values()
            if d.state is DeliveryState.QUEUED and d.next_attempt_at is not None and d.next_attempt_at > now
            and (d.error or "").removeprefix("history check: ").startswith(OUTAGE)
        ]  # fmt: skip
        for d in waiting:
            d.next_attempt_at, d.updated_at = now, now
        return len(waiting)

    async def role_post_unusable(self, delivery: int, error: str, now: datetime, channel: int | None = None) -> int:
        d = self.data.deliveries.get(delivery)
        if d is None or d.state is not DeliveryState.SENDING:
            return 0
        holders = sorted(
            {
                g.user
                for g in self.data.ledger
                if g.community == d.community
                and g.role in d.recipient.roles
                and (g.removed_at is None or d.created_at is None or g.removed_at >= d.created_at)
                and self.data.subscriptions.get((d.community, g.user))
                and (d.community, g.user) not in self.data.unreachable
            }
        )
        owed = [
            Recipient(RecipientKind.DM, u, next(iter(self.data.subscriptions[(d.community, u)].values())))
            for u in holders
        ]
        if channel is not None:
            owed.append(Recipient(RecipientKind.CHANNEL, channel, d.recipient.language))
        dms = 0
        for r in owed:
            if any((e.alert_id, e.recipient.kind, e.recipient.address) == (d.alert_id, r.kind, r.address)
                   for e in self.data.deliveries.values()):  # fmt: skip
                continue
            new_id = len(self.data.deliveries) + 1
            self.data.deliveries[new_id] = replace(
                d, id=new_id, recipient=r, state=DeliveryState.QUEUED, attempts=0, message_id=None, error=None,
                in_doubt=False, created_at=now, updated_at=now, next_attempt_at=now, claimed_at=None,
                first_claimed_at=None, checks=0, channel_id=None,
            )  # fmt: skip
            dms += r.kind is RecipientKind.DM
        d.state, d.in_doubt, d.error, d.updated_at = DeliveryState.FAILED, False, error[:500], now
        self._cancel_dependents(d, now)
        return dms

    async def remember_dm_channel(self, community: int, user: int, channel: int) -> None:
        self.dm_channels[(community, user)] = channel

    async def forget_dm_channel(self, community: int, user: int) -> None:
        self.dm_channels.pop((community, user), None)

    async def unreachable(self, community: int, user: int, now: datetime) -> None:
        self.data.unreachable.add((community, user))

    async def next_due(self) -> datetime | None:
        return min((d.next_attempt_at or datetime.min for d in self._claimable(None)), default=None)


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
        self.photos = FakePhotos(self)
        self._snapshot: Data | None = None
        self._committed = False
        self.commits = 0
        self.effects = EffectsRecorder()
        self.dispatched: list[Effects] = []  # what each commit would have shown, for tests to check

    async def __aenter__(self) -> Self:
        if self._snapshot is not None:
            raise RuntimeError("transactions do not nest")
        self._snapshot = copy.deepcopy(self.data)
        self._committed = False
        self.effects.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._committed and self._snapshot is not None:
            self.data.__dict__.update(self._snapshot.__dict__)
        self._snapshot = None

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """As SQLite's: nothing done in it is kept."""
        async with self:
            yield self

    async def commit(self) -> None:
        self._committed = True
        self.commits += 1
        effects = self.effects.take()
        if effects:
            self.dispatched.append(effects)


def moderator_pseudonyms(community: int, user_id: int) -> str:
    """The reporter pseudonyms of tests.builders' moderators (MOD_A is "pseudo-a"), as a Pseudonymizer."""
    return {1001: "pseudo-a", 1002: "pseudo-b", 1003: "pseudo-c"}.get(user_id, f"pseudo-{user_id}")


def community(**settings: object) -> Community:
    base = Community(id=1, timezone="America/Chicago", moderator_role=10, queue_channel=20, alerts_channel=30)
    return replace(base, **settings)  # type: ignore[arg-type]


def _conforms_to_the_ports(uow: FakeUnitOfWork) -> UnitOfWork:
    """`make lint` type-checks this file: mypy then holds the fake to every port, method by method."""
    return uow


def _queue_conforms(queue: FakeDeliveryQueue) -> DeliveryQueue:
    return queue
