"""The repositories the use cases need, as Protocols. Storage implements them; tests fake them.

Every method runs inside the unit of work's current transaction: nothing is visible to anyone else,
and nothing is kept, until `commit()`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from .alerts import AlertKind, AlertMessage
from .clustering import Candidate
from .community import AreaRole, Community, Recipient, Subscription, Via
from .events import IncidentEvent
from .incident import Incident
from .model import Language, Place, Report, Status
from .place_book import PlaceBook


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; may or may not have reached Discord
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    recipient: Recipient
    priority: int  # lower goes first: corrections and retractions ahead of new alerts
    depends_on: int | None = None  # the recipient's ALERT delivery, which must be sent first


@dataclass(frozen=True, slots=True)
class EarlierRecipient:
    """Someone an incident's ALERT was sent to, or is on its way to."""

    recipient: Recipient
    alert_delivery: int
    state: DeliveryState


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
    async def of_incident(self, community: int, number: int) -> list[StoredReport]: ...
    async def forget(self, community: int, reporter: str, at: datetime, keep_since: datetime) -> list[int]:
        """Delete the text and pseudonym of a reporter's reports; returns the incidents they were in.

        Reports received since `keep_since` keep their pseudonym (not their text) until that window has
        passed, so forgetting cannot be used to reset the per-reporter rate limit. Each report keeps a
        keyed mark instead, with which `reported_by` still knows the reporter, and only them, until
        retention purges the report.
        """
        ...


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
    async def matching(self, community: int, area: str, *, skip_roles: tuple[int, ...] = ()) -> list[Recipient]:
        """Reachable subscribers whose subscriptions cover `area`, each once, in their language, as DMs.
        `skip_roles`: leave out anyone the role ledger has holding one of these roles now (the role posts
        mentioning them reach them, and a subscriber gets one copy of each message). A role subscriber
        whose role is not among them (deleted, never granted, another language's) is DMed: a role
        subscription never leaves anyone without the alert."""
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
    async def earlier_recipients(self, community: int, number: int) -> list[EarlierRecipient]:
        """Recipients of the incident's ALERTs that are sent, on their way, or gave up after an attempt
        that may have arrived (the latest ALERT of each recipient; every role post, keyed by its delivery),
        leaving out an ALERT a RETRACTION was already owed on to that recipient: they were told it was
        false, and a later alert they never got is not theirs."""
        ...

    async def cancel_queued(self, community: int, number: int, reason: str, at: datetime) -> int:
        """Cancel the incident's alerts, updates and all-clears not in doubt (no attempt may have arrived),
        and every queued amendment of an ALERT delivery that is then cancelled. Returns how many."""
        ...

    async def counts(self, community: int | None = None) -> DeliveryCounts: ...
    async def log(self, community: int, number: int) -> list[DeliveryRecord]: ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow:` begins it, `commit()` keeps it; leaving without commit undoes it."""

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

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...


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


class DeliveryQueue(Protocol):
    """The worker's side of the outbox. Each call is its own short transaction."""

    async def recover(self, now: datetime, claimed_before: datetime | None = None) -> int:
        """Put deliveries left `sending` (claimed before `claimed_before`, default now) back in the
        queue, marked in doubt: after a crash, or when a send got stuck."""
        ...

    async def claim(self, now: datetime, limit: int) -> list[ClaimedDelivery]:
        """Due deliveries, amendments first, whose ALERT (if any) is sent or gave up in doubt, and with
        no earlier message of the same incident to the same recipient still unsettled."""
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
