"""The delivery log's values: what a message owes each recipient, and what storage loads to decide it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .community import Recipient

# How the error of a delivery that waits on Discord itself begins: Discord answered its send (or its look in
# DM history) with a 5xx or did not answer, or the send was not tried because Discord was down. Nothing
# about its recipient: once Discord answers again after an outage, these fall due at once
# (`DeliveryQueue.resume_after_outage`), while a 429's or a closed DM's wait stands.
OUTAGE = "outage: "
NOT_TRIED = OUTAGE + "not tried"


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
class LoggedAlert:
    """One delivery of one of an incident's ALERTs, as the delivery log holds it."""

    delivery: int
    recipient: Recipient
    state: DeliveryState
    in_doubt: bool  # an attempt may have reached Discord
    retracted: bool  # a RETRACTION was queued against it for its recipient


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A reachable subscriber whose subscriptions cover an area, in the language they chose today."""

    recipient: Recipient
    wearing: frozenset[int] = frozenset()  # the area roles the role ledger has them holding now
