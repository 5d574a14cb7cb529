"""The repositories the use cases need, as Protocols. Storage implements them; tests fake them.

Every method runs inside the unit of work's current transaction: nothing is visible to anyone else,
and nothing is kept, until `commit()`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from intake.place import PlaceBook
from intake.place.grid import GridPoint

from .alerts import AlertKind, AlertMessage
from .clustering import Candidate
from .community import AreaRole, AskedGrant, Community, Recipient, Subscription, Via
from .deliveries import DeliveryState, LoggedAlert, NewDelivery, Subscriber
from .effects import EffectsRecorder
from .events import IncidentEvent
from .incident import Incident
from .model import Language, Place, Report, Status
from .photos import EarlierPhoto, PhotoFacts, PhotoPost, PhotoReport, StoredPhoto


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report as moderators see it while it is retained; `where`/`what`/`markings` are None once purged."""

    id: int
    number: int
    ordinal: int
    where: str | None
    what: str | None
    markings: str | None
    observed_at: datetime
    received_at: datetime
    low_trust: bool


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    number: int
    status: Status
    place: str
    area: str
    priority: int
    contested: bool
    reports: int
    reporters: int
    first_observed: datetime
    last_observed: datetime
    updated_at: datetime
    card_message: int | None


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    oldest_pending: datetime | None = None
    in_doubt: int = 0  # queued or in flight, after an attempt that may have reached Discord


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One line of "who was told, and did it arrive"."""

    id: int
    seq: int
    kind: AlertKind
    recipient: Recipient
    state: DeliveryState
    attempts: int
    message_id: int | None
    error: str | None
    updated_at: datetime


class Communities(Protocol):
    async def get(self, community: int) -> Community | None: ...
    async def save(self, community: Community) -> None: ...
    async def all(self) -> list[Community]: ...


class Places(Protocol):
    async def all(self, community: int) -> list[Place]: ...
    async def book(self, community: int) -> PlaceBook:
        """The community's places indexed for reading reports. A store may keep it until they change:
        every report reads it, and places change rarely."""
        ...

    async def add(self, community: int, place: Place) -> None: ...
    async def remove(self, community: int, key: str) -> bool: ...
    async def areas(self, community: int) -> list[str]: ...
    async def grid(self, community: int) -> list[GridPoint]:
        """The community's street grid (see `intake.place.grid`)."""
        ...

    async def set_grid(self, community: int, points: Sequence[GridPoint]) -> None:
        """Replace the community's street grid."""
        ...


class Incidents(Protocol):
    async def next_number(self, community: int) -> int: ...
    async def events(self, community: int, number: int) -> list[IncidentEvent]: ...
    async def current(self, community: int, number: int) -> tuple[list[IncidentEvent], Incident] | None:
        """The incident's history and the state it folds to (None: no such incident). A store may keep
        states it has folded before, and fold only newer events onto them."""
        ...

    async def append(
        self,
        community: int,
        number: int,
        new: Sequence[IncidentEvent],
        state: Incident,
        keys: Sequence[str],
        at: datetime,
    ) -> None:
        """Append `new` to the log, store `state` as the read model and index it under `keys`."""
        ...

    async def candidates(
        self, community: int, keys: Sequence[str], observed_at: datetime, window: timedelta
    ) -> list[Candidate]:
        """Open incidents indexed under any of `keys` observed within `window` of `observed_at`."""
        ...

    async def keys(self, community: int, number: int) -> list[str]: ...
    async def summaries(self, community: int, *, open_only: bool = True) -> list[IncidentSummary]: ...
    async def stale(self, community: int, quiet_since: datetime) -> list[int]:
        """Open incidents with no news since `quiet_since`."""
        ...

    async def pages_since(self, community: int, since: datetime) -> tuple[int, int]:
        """The community's pages to its on-call moderators since `since` (refused ones too: each was a try):
        how many named one incident, and how many gathered several (`Escalated.gathered`)."""
        ...

    async def set_card(self, community: int, number: int, message_id: int | None) -> None: ...
    async def card_message(self, community: int, number: int) -> int | None:
        """The queue message that shows the incident, if one was posted."""
        ...


class Reports(Protocol):
    async def add(self, community: int, number: int, ordinal: int, report: Report) -> int: ...
    async def reporters(self, community: int, number: int) -> dict[str, int]:
        """Pseudonym -> reporter number, for the incident's reports still on record."""
        ...

    async def move(self, community: int, source: int, target: int, ordinals: dict[int, int]) -> None:
        """Move reports to another incident; `ordinals` maps report id -> new reporter number."""
        ...

    async def reported_by(self, community: int, number: int, pseudonyms: Collection[str]) -> set[str]:
        """Which of `pseudonyms` reported the incident: on record, or by the mark /forget-me leaves so
        that a moderator who reported can still never confirm it."""
        ...

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int: ...
    async def recent_counts(self, community: int, reporter: str, since: Sequence[datetime]) -> list[int]:
        """`recent_count` for each of `since`, in one query."""
        ...

    async def of_incident(self, community: int, number: int) -> list[StoredReport]: ...
    async def forget(self, community: int, reporter: str, at: datetime, keep_since: datetime) -> list[int]:
        """Delete the text and pseudonym of a reporter's reports; returns the incidents they were in.

        Reports received since `keep_since` keep their pseudonym (not their text) until that window has
        passed, so forgetting cannot be used to reset the per-reporter rate limit. Each report keeps a
        keyed mark instead, with which `reported_by` still knows the reporter, and only them, until
        retention purges the report.
        """
        ...


class Photos(Protocol):
    """Photos sent with reports (issue 24): their signatures and what the card says, never the photo."""

    async def report(self, community: int, report_id: int) -> PhotoReport | None: ...
    async def add(
        self, community: int, report_id: int, position: int, facts: PhotoFacts, at: datetime,
        match: EarlierPhoto | None,
    ) -> int: ...  # fmt: skip
    async def earlier(self, community: int, since: datetime) -> list[EarlierPhoto]:
        """The community's photos sent since `since` whose signature is still kept, with their incident now."""
        ...

    async def recent_count(self, community: int, reporter: str, since: datetime) -> int: ...
    async def of_incident(self, community: int, number: int) -> list[StoredPhoto]: ...
    async def get(self, community: int, photo_id: int) -> StoredPhoto | None: ...
    async def set_post(self, community: int, photo_id: int, channel: int, message: int) -> None:
        """Its post in the queue; one made after the photo was removed is at once due for deletion."""
        ...

    async def forget(self, community: int, reporter: str, at: datetime) -> int:
        """/forget-me: a reporter's photos lose their signature, capture time and camera, and their queue
        posts become due for deletion. Returns how many."""
        ...

    async def posts_to_remove(self, limit: int) -> list[PhotoPost]: ...
    async def post_removed(self, photo_id: int) -> None: ...


class Pseudonyms(Protocol):
    """A person's reporter pseudonym in a community, from their Discord id (`storage.Pseudonymizer`).

    The use cases that confirm need it for every moderator who voted or attached a statement, not only
    the one acting: the history names moderators, never their pseudonyms.
    """

    def __call__(self, community: int, user_id: int) -> str: ...


class Standing(Protocol):
    async def score(self, community: int, reporter: str) -> int: ...
    async def credit(self, community: int, reporters: Sequence[str], delta: int, at: datetime) -> None: ...
    async def forget(self, community: int, reporter: str) -> None: ...


class Subscriptions(Protocol):
    async def subscribe(self, community: int, user: int, area: str, language: Language, via: Via = Via.DM) -> None:
        """Subscribe (again) to `area`: the language becomes the subscriber's, `via` replaces the old way."""
        ...

    async def unsubscribe(self, community: int, user: int, area: str | None) -> int: ...
    async def of(self, community: int, user: int) -> list[Subscription]: ...
    async def matching(self, community: int, area: str) -> list[Subscriber]:
        """Reachable subscribers whose subscriptions cover `area`, each once, in their language, as DMs,
        with the area roles the ledger has them wearing now (`verification.recipients` decides who a
        role post reaches instead)."""
        ...


class AreaRoles(Protocol):
    """The roles Veraz made for areas, and its own ledger of the grants and removals it made.

    The ledger is what an amendment trusts: a CORRECTION or RETRACTION reaches by DM whoever held a role
    when its ALERT post went out and has left it since. Role changes made by others are not in it."""

    async def get(self, community: int, area: str, language: Language) -> AreaRole | None: ...
    async def all(self, community: int) -> list[AreaRole]: ...
    async def remember(self, community: int, role: AreaRole, at: datetime) -> None:
        """Record the area's role, unless it has one already (the first recorded stays)."""
        ...

    async def forget(self, community: int, role: int, at: datetime) -> None:
        """The role is gone (deleted on Discord): no post mentions it again, the ledger has its holders
        losing it at `at`, and their subscriptions to its area go by DM from now on."""
        ...

    async def granted(self, community: int, user: int, role: int, at: datetime) -> None:
        """Veraz gave `user` the role at `at` (nothing new if the ledger already has them holding it)."""
        ...

    async def removed(self, community: int, user: int, role: int, at: datetime) -> bool:
        """Veraz took the role away at `at`. False: the ledger had them not holding it."""
        ...

    async def held(self, community: int, user: int) -> list[AreaRole]:
        """The area roles the ledger has `user` holding now."""
        ...

    async def worn(self, community: int, role: int) -> bool:
        """Whether the ledger has anyone holding the role, or a grant of it is asked and not settled."""
        ...

    async def ask_grant(self, community: int, user: int, role: AreaRole, at: datetime) -> None:
        """Veraz is about to ask Discord to give `user` the role: kept until `settle_grants`."""
        ...

    async def settle_grants(self, community: int, user: int, role: int, at: datetime) -> None:
        """Discord's answer to the grants of `role` to `user` asked so far is known (and in the ledger)."""
        ...

    async def grants_asked(self, community: int, user: int, since: datetime) -> int:
        """How many grants were asked for `user` since `since` (answered or not)."""
        ...

    async def unsettled(self, community: int, asked_before: datetime) -> list[AskedGrant]:
        """Grants asked before `asked_before` whose answer is still not known (a crash cut them short)."""
        ...

    async def left_since(self, community: int, post_delivery: int) -> list[Recipient]:
        """DMs, in the role's language, for everyone the ledger had holding a role the post mentioned
        while it was queued or sent (it is sent, or may have been) and who holds it no more."""
        ...


class Outbox(Protocol):
    async def add_alert(self, community: int, message: AlertMessage, *, feed_at: datetime | None = None) -> int:
        """Keep a message as owed; `feed_at`: when it was published to the community's public feed (None:
        it was not). The feed shows exactly the messages published to it."""
        ...

    async def on_feed(self, community: int, number: int) -> bool:
        """Whether an ALERT of the incident was published to the public feed."""
        ...

    async def enqueue(self, alert_id: int, deliveries: Sequence[NewDelivery], at: datetime) -> list[int]: ...
    async def alert_log(self, community: int, number: int) -> list[LoggedAlert]:
        """Every delivery of the incident's ALERTs, in the order queued, with whether a RETRACTION was
        queued against it (rows only: `verification.recipients` decides who counts as told)."""
        ...

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        """Cancel the incident's alerts, updates and all-clears not in doubt (no attempt may have arrived),
        and every queued amendment of an ALERT delivery that is then cancelled. Returns how many."""
        ...

    async def counts(self, community: int | None = None) -> DeliveryCounts: ...
    async def log(self, community: int, number: int) -> list[DeliveryRecord]: ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow:` begins it, `commit()` keeps it; leaving without commit undoes it.

    After a commit, the effects recorded in `effects` go to the dispatcher the unit of work was given
    (`verification.effects`); an undone transaction's effects are dropped."""

    @property
    def communities(self) -> Communities: ...
    @property
    def places(self) -> Places: ...
    @property
    def incidents(self) -> Incidents: ...
    @property
    def reports(self) -> Reports: ...
    @property
    def standing(self) -> Standing: ...
    @property
    def subscriptions(self) -> Subscriptions: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def area_roles(self) -> AreaRoles: ...
    @property
    def photos(self) -> Photos: ...
    @property
    def effects(self) -> EffectsRecorder: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...
    def reading(self) -> AbstractAsyncContextManager[Self]:
        """A transaction that only reads, for figures: it takes no write lock (a long read never holds up
        the bot's writes, nor waits for another process's), and nothing in it is kept."""
        ...


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery a worker has claimed and must now send, then report on."""

    id: int
    community: int
    kind: AlertKind
    message: AlertMessage
    recipient: Recipient
    nonce: str  # stable across restarts: Discord de-duplicates a repeated send on it
    attempts: int  # including this one
    dm_channel: int | None  # known DM channel of a subscriber: one request instead of two
    # An earlier attempt may have arrived: the delivery's FIRST claim, kept across re-claims, so a
    # look in DM history starts early enough to find a copy from any attempt.
    in_doubt_since: datetime | None
    amends: tuple[int, int] | None  # (channel id, message id) of the ALERT this amends, once sent
    amended_alert: AlertMessage | None = None  # that ALERT, so its channel post can be marked amended
    checks: int = 0  # DM history lookups that failed so far (not send attempts), for their backoff


class NotLeader(Exception):
    """This process is not (or no longer) the active one: the delivery queue refuses it (PostgreSQL with
    standbys, where every step names the leader's epoch and the database refuses a stale one)."""


class DeliveryQueue(Protocol):
    """The worker's side of the outbox. Each call is its own short transaction. With several processes
    on one database, every call may raise NotLeader."""

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        """Put deliveries left `sending` (claimed before `claimed_before`, default now) back in the
        queue, marked in doubt: after a crash, or when a send got stuck."""
        ...

    async def claim(self, now: datetime, limit: int) -> list[ClaimedDelivery]:
        """Due deliveries whose ALERT (if any) is sent or gave up in doubt, and with no earlier message of
        the same incident to the same recipient still unsettled; chosen and ordered by the fair rule
        (`verification.fair_share`): amendments first, posts before DMs, and at each of those ranks
        round-robin over communities, then over each community's alerts."""
        ...

    async def sent(self, delivery: int, channel_id: int, message_id: int, now: datetime) -> None:
        """It arrived (sent now, or found in DM history): the only thing that clears a doubt."""
        ...

    async def failed(self, delivery: int, error: str, now: datetime, *, in_doubt: bool = False) -> None:
        """Given up. `in_doubt`: the last attempt may have arrived (a timeout). A delivery that was ever
        in doubt stays so; its amendments are then still sent, otherwise they are cancelled."""
        ...

    async def retry(self, delivery: int, error: str, at: datetime, now: datetime, *, in_doubt: bool = False) -> None:
        """Back to the queue until `at`. `in_doubt`: the attempt may have reached Discord (a timeout).
        A delivery already in doubt stays in doubt: this attempt's error says nothing of earlier ones."""
        ...

    async def check_failed(self, delivery: int, error: str, at: datetime, now: datetime) -> None:
        """The look in DM history failed (network, 5xx, 429): back to the queue until `at`, still in
        doubt, so the next claim looks again instead of sending. Not counted as a send attempt."""
        ...

    async def postpone(self, delivery: int, error: str, now: datetime) -> None:
        """The claimed delivery was not tried (Discord stopped answering meanwhile): back to the queue, due
        as it was, its doubt as it was, the claim's attempt given back."""
        ...

    async def resume_after_outage(self, now: datetime) -> int:
        """Discord answers again after an outage: every queued delivery waiting out a backoff for an outage's
        error (`verification.deliveries.OUTAGE`, in a send or in a look in DM history) is due at `now`; a
        wait for a per-recipient cause (a 429's, a closed DM's) stands. Doubts are untouched: the claim
        still looks before it sends. Returns how many fell due."""
        ...

    async def role_post_unusable(self, delivery: int, error: str, now: datetime, channel: int | None = None) -> int:
        """The claimed ROLE_POST could ping nobody (a role deleted, or Veraz lacks Mention Everyone): it
        fails, and whoever the role ledger has holding its roles (or had when it was queued) and is still
        a reachable subscriber gets the message by DM instead, each once; `channel`, when given, gets the
        plain channel post the role post replaced. Returns the DMs queued."""
        ...

    async def remember_dm_channel(self, community: int, user: int, channel: int) -> None: ...
    async def forget_dm_channel(self, community: int, user: int) -> None: ...
    async def unreachable(self, community: int, user: int, now: datetime) -> None: ...
    async def next_due(self) -> datetime | None: ...
