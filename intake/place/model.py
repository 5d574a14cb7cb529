"""The values a place reading deals in: the community's registered places, and a reference to where an
incident happened as subscribers may see it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_WHERE = 200  # characters of a report's `where`


class PlaceKind(StrEnum):
    SCHOOL = "school"
    WORSHIP = "worship"
    HOSPITAL = "hospital"  # clinics too
    COURT = "court"
    PARK = "park"
    STORE = "store"  # markets, shops, businesses
    STATION = "station"  # train and bus stations
    OTHER = "other"

    @property
    def sensitive(self) -> bool:
        """Schools, places of worship, hospitals and courts get priority in review."""
        return self in _SENSITIVE


_SENSITIVE = frozenset({PlaceKind.SCHOOL, PlaceKind.WORSHIP, PlaceKind.HOSPITAL, PlaceKind.COURT})


@dataclass(frozen=True, slots=True)
class Place:
    """A place the community knows: a school, a church, a clinic, a court, a corner."""

    key: str  # normalised name, unique per community (see `words.place_key`)
    name: str
    area: str
    kind: PlaceKind
    aliases: tuple[str, ...] = ()
    address: str = ""  # "1548 W 48th St": reports at this address (its block) are at this place
    cross_streets: tuple[str, ...] = ()  # "48th St", "Laflin St": reports at a corner of these are too


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """Where an incident happened, as subscribers may see it (a home address is already at block level)."""

    key: str
    label: str
    area: str = ""
    kind: PlaceKind = PlaceKind.OTHER
    known: bool = False  # one of the community's places, not free text
    block: int | None = None  # a street address, shown only as its hundred block ("2300 block of ...")
    # The label is a reporter's own words (a business's name, other words, a street Veraz is not sure is
    # one): they may name or locate a private person ("Maria Gonzalez house"), so no alert goes out with
    # it until a moderator names the place (see `Incident.vote`).
    reporters_words: bool = False
    # What of the text may be published without asking, for moderators to take instead: the street form
    # it read ("Elm St") or the community's area it names ("Pilsen"); "" if none.
    suggested: str = ""
