"""Where a report happened, read from what a reporter typed: words, streets, the community's place book,
and what the text resolves to. The rules it follows are in docs/intake.md."""

from .book import PlaceBook
from .model import MAX_WHERE, Place, PlaceKind, PlaceRef
from .reading import ReadingKind, read_place
from .resolved import ResolvedPlace
from .resolving import resolve_as_typed, resolve_chosen, resolve_named, resolve_place

__all__ = [
    "MAX_WHERE",
    "Place",
    "PlaceBook",
    "PlaceKind",
    "PlaceRef",
    "ReadingKind",
    "ResolvedPlace",
    "read_place",
    "resolve_as_typed",
    "resolve_chosen",
    "resolve_named",
    "resolve_place",
]
