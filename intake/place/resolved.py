"""What a report's place text resolved to: the place subscribers see, and the keys reports are grouped by."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Place, PlaceRef
from .reading import ReadingKind


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    ref: PlaceRef
    lookup_keys: tuple[str, ...]  # stored with the incident: where it is ("~": what it is near)
    words: tuple[str, ...]  # distinctive words of the label, for similarity between unregistered places
    reading: ReadingKind = ReadingKind.KNOWN
    loose_keys: tuple[str, ...] = ()  # join an open incident holding one when it is the only one
    near_keys: tuple[str, ...] = ()  # find incidents close by, for moderators
    alternatives: tuple[Place, ...] = ()  # closest known places, best first, for a menu
    needs_choice: bool = False  # the reporter should pick one of `alternatives` or keep it as typed
    ties: int = 0  # how many of the first `alternatives` the text names equally well
    score: float = 0.0  # how surely the text names the known place (1.0: its whole name, or its address)

    @property
    def same_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.lookup_keys if not k.startswith("~"))

    @property
    def search_keys(self) -> tuple[str, ...]:
        """The keys to find candidate incidents by (pass these to `Incidents.candidates`)."""
        return tuple(dict.fromkeys((*self.same_keys, *self.loose_keys, *self.near_keys)))
