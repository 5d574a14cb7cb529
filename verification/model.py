"""The values of the domain: what was reported, by whom (as a pseudonym), where, and who said what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from intake.language import Language as Language
from intake.place.model import MAX_WHERE as MAX_WHERE
from intake.place.model import Place as Place
from intake.place.model import PlaceKind as PlaceKind


class Agency(StrEnum):
    """Who a reporter THINKS the people were, or who moderators establish they were."""

    ICE = "ice"
    CBP = "cbp"
    HSI = "hsi"
    OTHER_FEDERAL = "other_federal"
    POLICE = "police"
    UNKNOWN = "unknown"


class SourceKind(StrEnum):
    OFFICIAL = "official"  # a public body: school district, city, county
    LAW_ENFORCEMENT = "law_enforcement"  # ICE, DHS, police, sheriff, Secret Service
    NEWS = "news"
    VERIFIER = "verifier"  # a trusted verifier of the network, on site

    @property
    def can_confirm(self) -> bool:
        """News reports often repeat the rumour itself, so they never count toward confirmation."""
        return self is not SourceKind.NEWS


class Stance(StrEnum):
    CONFIRMS = "confirms"
    DENIES = "denies"
    CLARIFIES = "clarifies"
    CORRECTS = "corrects"


class Status(StrEnum):
    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    RESOLVED = "resolved"
    DEBUNKED = "debunked"
    MISIDENTIFIED = "misidentified"  # it happened, but not as reported (another agency, another purpose)
    EXPIRED = "expired"  # no news for too long

    @property
    def closed(self) -> bool:
        return self not in (Status.UNVERIFIED, Status.CONFIRMED)


@dataclass(frozen=True, slots=True)
class Report:
    """One community member's account of a sighting.

    The free text (`where`, `what`, `markings`) and the reporter's pseudonym are personal data: storage
    keeps them apart from the incident's event log so that retention can purge them.
    """

    where: str
    what: str
    observed_at: datetime  # aware, UTC
    received_at: datetime  # aware, UTC
    agency: Agency = Agency.UNKNOWN  # what the reporter THINKS it was
    people: int | None = None
    markings: str = ""  # what the reporter SAW: uniforms, badges, vehicle markings
    reporter: str = ""  # opaque pseudonym made by storage; never a Discord id
    language: Language = Language.EN
    low_trust: bool = False  # new account or new member: shown on the card, never raises priority


@dataclass(frozen=True, slots=True)
class Statement:
    """What a named source said, kept side by side with every other statement; never replaced."""

    source: str
    source_kind: SourceKind
    stance: Stance
    published: datetime  # aware, UTC
    url: str | None = None
    quote: str | None = None
    # The quote as a moderator put it in Spanish, for subscribers who read Spanish (None: not given).
    quote_es: str | None = None


@dataclass(frozen=True, slots=True)
class Moderator:
    """A moderator acting on an incident.

    `id` is recorded in the incident history for accountability. `pseudonym` is the reporter
    pseudonym the same person would have, used only to stop a moderator voting on their own report.
    """

    id: str
    pseudonym: str = ""
    name: str = field(default="", compare=False)


# Longest text the domain accepts in each field. Discord's own option limits are set from these, so a
# well-behaved client never meets the refusal; anything else gets a polite one instead of a bloated row.
MAX_WHAT = 1000
MAX_MARKINGS = 300
MAX_REASON = 1000
MAX_SOURCE = 100
MAX_QUOTE = 1000
MAX_URL = 500
MAX_PEOPLE = 500
