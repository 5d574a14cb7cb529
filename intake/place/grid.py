"""A community's street grid: where its streets cross, by house number ("Hillcroft Ave crosses Bellaire
Blvd at 6100 Bellaire", "W 47th St is at 4700 on every street that crosses it"). With it an address is
at a corner: "6123 Bellaire Blvd" and "Bellaire & Hillcroft" are the same place. docs/intake.md says
where communities find one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .streets import Block, Corner, StreetNames, read_street


@dataclass(frozen=True, slots=True)
class GridPoint:
    """`cross_street` crosses `street` at house number `number` of `street`; no `cross_street`: `street`
    lies at `number` on every street that crosses it (a numbered grid: "W 47th St" at 4700)."""

    street: str
    number: int
    cross_street: str = ""


@dataclass
class StreetGrid:
    """Grid points indexed by street key and hundred block."""

    _crossing: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (street, hundred) -> crossers
    _at: dict[frozenset[str], set[tuple[str, int]]] = field(default_factory=dict)  # corner -> (street, hundred)
    _everywhere: dict[int, set[str]] = field(default_factory=dict)  # hundred -> streets lying there on all
    _hundred_of: dict[str, set[int]] = field(default_factory=dict)  # street -> hundreds it lies at on all

    @classmethod
    def of(cls, points: Iterable[GridPoint], names: StreetNames | None = None) -> StreetGrid:
        grid = cls()
        for point in points:
            grid.add(point, names)
        return grid

    def add(self, point: GridPoint, names: StreetNames | None = None) -> None:
        street = read_street(point.street, names)
        if street is None:
            return
        hundred = point.number // 100 * 100
        if not point.cross_street:
            self._everywhere.setdefault(hundred, set()).add(street.key)
            self._hundred_of.setdefault(street.key, set()).add(hundred)
            return
        cross = read_street(point.cross_street, names)
        if cross is None or cross.key == street.key:
            return
        self._crossing.setdefault((street.key, hundred), set()).add(cross.key)
        self._at.setdefault(frozenset({street.key, cross.key}), set()).add((street.key, hundred))

    def __bool__(self) -> bool:
        return bool(self._crossing or self._everywhere)

    def corners_at(self, block: Block) -> list[frozenset[str]]:
        """The corners the grid puts at this block: "6123 Bellaire" is at Bellaire & Hillcroft."""
        street, hundred = block.street.key, block.block
        crossers = self._crossing.get((street, hundred), set()) | self._everywhere.get(hundred, set())
        return [frozenset({street, c}) for c in sorted(crossers) if c != street]

    def blocks_at(self, corner: Corner) -> list[tuple[str, int]]:
        """The blocks (street key, hundred) the grid puts at this corner."""
        a, b = corner.a.key, corner.b.key
        found = set(self._at.get(frozenset({a, b}), set()))
        for street, other in ((a, b), (b, a)):
            found |= {(street, hundred) for hundred in self._hundred_of.get(other, set())}
        return sorted(found)
