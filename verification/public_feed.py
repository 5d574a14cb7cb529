"""A community's public feed (issue 15): what of its messages the public may see, and in CAP's terms.

The feed shows only messages subscribers were sent, with the facts frozen in them; this module decides
how each maps onto the Common Alerting Protocol (CAP 1.2): its message type, and the urgency, severity
and certainty of the incident's status when the message was owed. The adapter writes the XML.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .alerts import AlertKind, AlertMessage
from .community import Community
from .model import Status

MAX_ENTRIES = 100  # the Atom feed's length, and the most any response lists
PAGE_DAYS = 7  # the page lists incidents with a message in this many days

# 16 lowercase letters and digits: unguessable (about 80 bits), case-proof when read aloud or typed.
_SLUG_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: they are misread
SLUG_LENGTH = 16
SLUG = re.compile(rf"^[{_SLUG_ALPHABET}]{{{SLUG_LENGTH}}}$")


def new_slug() -> str:
    return "".join(secrets.choice(_SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def is_slug(text: str) -> bool:
    return SLUG.fullmatch(text) is not None


class MsgType(StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Severity(StrEnum):
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Certainty(StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


# CAP's category for "law enforcement, military, homeland and local/private security".
CATEGORY = "Security"


@dataclass(frozen=True, slots=True)
class CapTerms:
    msg_type: MsgType
    urgency: Urgency
    severity: Severity
    certainty: Certainty


def msg_type(kind: AlertKind) -> MsgType:
    """A retraction cancels the alert; every other amendment updates it."""
    if kind is AlertKind.ALERT:
        return MsgType.ALERT
    if kind is AlertKind.RETRACTION:
        return MsgType.CANCEL
    return MsgType.UPDATE


def cap_terms(message: AlertMessage) -> CapTerms:
    """From the incident's status as the message froze it: confirmed is happening now, seen by
    people in the network (likely only, while sources disagree); resolved is over; debunked and
    misidentified did not happen as alerted."""
    f = message.facts
    kind = msg_type(message.kind)
    match f.status:
        case Status.CONFIRMED:
            certainty = Certainty.LIKELY if f.contested else Certainty.OBSERVED
            return CapTerms(kind, Urgency.IMMEDIATE, Severity.MODERATE, certainty)
        case Status.RESOLVED | Status.EXPIRED:
            return CapTerms(kind, Urgency.PAST, Severity.MINOR, Certainty.OBSERVED)
        case Status.DEBUNKED | Status.MISIDENTIFIED:
            return CapTerms(kind, Urgency.PAST, Severity.MINOR, Certainty.UNLIKELY)
    return CapTerms(kind, Urgency.UNKNOWN, Severity.UNKNOWN, Certainty.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Published:
    """One message as it was published to subscribers: its outbox id (public in the feed's URLs), and
    when the ALERT it amends was published (CAP's `references` names it with that time)."""

    id: int
    message: AlertMessage
    amends_id: int | None
    amends_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeedIncident:
    """An incident on the page: its latest published message, and whether it is open now."""

    number: int
    open: bool
    latest: Published


@dataclass(frozen=True, slots=True)
class FeedStamp:
    """What changes whenever the feed's content does: the newest message and how many there are."""

    newest_id: int
    count: int
    newest_at: datetime | None


class FeedSource(Protocol):
    """Read-only access to what a community's feed may show."""

    async def community(self, slug: str) -> Community | None:
        """The community with this slug, only while its feed is on."""
        ...

    async def community_by_id(self, community: int) -> Community | None: ...

    async def stamp(self, community: int) -> FeedStamp: ...

    async def published(self, community: int, limit: int = MAX_ENTRIES) -> Sequence[Published]:
        """Newest first."""
        ...

    async def one(self, community: int, alert_id: int) -> Published | None: ...

    async def incidents(self, community: int, since: datetime) -> Sequence[FeedIncident]:
        """Incidents open now, and those with a message since `since`, newest first."""
        ...

    async def close(self) -> None: ...
