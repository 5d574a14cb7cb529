"""Which incident a button belongs to, beyond its number (issue 26).

Incident numbers are reused after a restore from backup: the database forgets #2, the next report
becomes another #2, while the old #2's card is still in the queue channel. A press therefore has to be
tied to the incident its message was drawn for, not to the number on it:

- a queue card's buttons act only from the message the database holds as the incident's current card.
  Discord message ids are never reused, and the database only knows messages it was told about, so a
  card posted after the backup (or posted again since) never matches. Cards posted by an older Veraz
  carry only the number, and keep working: this check needs nothing in the button.
- a verifier request (not stored with the incident) carries the incident's tag: a digest of how it
  began (when, where, which report). A new incident with an old number began otherwise, so its tag
  differs. (The database's row ids are no such thing: a restore hands them out again too.) Requests posted by
  an older Veraz have no tag: they keep working unless they were posted after the horizon of a restore,
  when they may belong to a history the database no longer has.
- a "Merge into #n" button acts only when the database also has #n among the incidents this one
  resembles: a card drawn after the backup may name an #n that no longer exists, or is another one.

A refusal changes nothing and says why, politely: the current card is the one to use.
"""

from __future__ import annotations

import hashlib

import discord

from bot.core.services import Services
from verification import usecases
from verification.errors import RuleViolation
from verification.events import Reported
from verification.incident import Incident


def incident_tag(incident: Incident) -> str:
    """What no other incident with the same number shares: a digest of how it began (when, where, which
    report). One opened after a restore reuses the number, never all of these."""
    first = incident.history[0]
    if not isinstance(first, Reported):
        raise ValueError("an incident's history starts with a Reported event")
    report = first.report
    began = (
        f"{first.number}|{first.at.isoformat()}|{first.place.key}|{report.report_id}|{report.received_at.isoformat()}"
    )
    return hashlib.blake2s(began.encode(), digest_size=6).hexdigest()


async def require_current_card(
    services: Services, community: int, number: int, message: discord.Message | None
) -> None:
    """Refuse a press on anything but the incident's current queue card."""
    current = await usecases.card_message(services.storage, community, number)
    if message is None or current is None or current != message.id:
        raise RuleViolation("stale_card", number=number)


async def require_resemblance(services: Services, community: int, number: int, into: int) -> None:
    """Refuse "Merge into #into" unless the database has #into among the incidents #number resembles."""
    incident = await usecases.incident(services.storage, community, number)
    if all(other.number != into for other in incident.resembles):
        raise RuleViolation("stale_card", number=number)


async def require_same_incident(
    services: Services, community: int, number: int, tag: str | None, message: discord.Message | None
) -> None:
    """Refuse a verifier request's button drawn for another incident #number than the one on record."""
    if tag is None:
        # An older Veraz's request: trusted unless it was posted after a restore's horizon.
        horizon = services.restored_horizon
        if horizon is not None and (message is None or message.created_at >= horizon):
            raise RuleViolation("stale_request", number=number)
        return
    try:
        incident = await usecases.incident(services.storage, community, number)
    except RuleViolation:
        raise RuleViolation("stale_request", number=number) from None
    if incident_tag(incident) != tag:
        raise RuleViolation("stale_request", number=number)
