"""When a reporter saw something, with how precisely they said it: an instant, a window, or not given.

An alert never shows a time we made up: a hedged "about 15 min ago" stays a window (shown "between 10:50
and 11:00"), and a report with no readable time keeps only the moment it was received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class TimePrecision(StrEnum):
    EXACT = "exact"  # a clock time or an unhedged count ("11:15", "10 min ago")
    APPROXIMATE = "approximate"  # a window: hedged, "a few minutes ago", "this morning", "hace un rato"
    NOT_GIVEN = "not_given"  # no time, or text we could not read: only the received time is known


@dataclass(frozen=True, slots=True)
class ObservedTime:
    """When something was seen: ``earliest <= latest``, aware UTC, whole seconds."""

    earliest: datetime
    latest: datetime  # == earliest unless APPROXIMATE
    precision: TimePrecision
    unreadable: bool = False  # text was given but not understood (precision NOT_GIVEN)

    def __post_init__(self) -> None:
        for moment in (self.earliest, self.latest):
            if moment.utcoffset() != timedelta(0) or moment.microsecond:
                raise ValueError(f"an ObservedTime needs aware UTC whole seconds, not {moment!r}")
        if self.earliest > self.latest:
            raise ValueError("earliest is after latest")
        if self.precision is not TimePrecision.APPROXIMATE and self.earliest != self.latest:
            raise ValueError(f"a {self.precision} time is one instant")
        if self.unreadable and self.precision is not TimePrecision.NOT_GIVEN:
            raise ValueError("only a time not given can be unreadable")

    @property
    def at(self) -> datetime:
        """The one instant used for grouping: the middle of the window."""
        return (self.earliest + (self.latest - self.earliest) / 2).replace(microsecond=0)

    @classmethod
    def exact(cls, at: datetime) -> ObservedTime:
        moment = _whole_second(at)
        return cls(moment, moment, TimePrecision.EXACT)

    @classmethod
    def window(cls, earliest: datetime, latest: datetime) -> ObservedTime:
        """Rounded outwards to whole seconds, so the window still holds what it held."""
        return cls(_whole_second(earliest), _whole_second(latest, up=True), TimePrecision.APPROXIMATE)

    @classmethod
    def not_given(cls, received: datetime, *, unreadable: bool = False) -> ObservedTime:
        moment = _whole_second(received)
        return cls(moment, moment, TimePrecision.NOT_GIVEN, unreadable)

    def to_record(self) -> dict[str, str]:
        return {
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "precision": self.precision.value,
            "unreadable": "true" if self.unreadable else "false",
        }

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> ObservedTime:
        """The inverse of `to_record`; ValueError for anything it could not have written."""
        try:
            earliest, latest = (datetime.fromisoformat(record[key]) for key in ("earliest", "latest"))
            precision = TimePrecision(record["precision"])
        except KeyError as missing:
            raise ValueError(f"an ObservedTime record lacks {missing}") from None
        unreadable = record.get("unreadable", "false")
        if unreadable not in ("true", "false"):
            raise ValueError(f"unreadable must be 'true' or 'false', not {unreadable!r}")
        if earliest.tzinfo is None or latest.tzinfo is None:
            raise ValueError("an ObservedTime record holds aware times")
        return cls(earliest.astimezone(UTC), latest.astimezone(UTC), precision, unreadable == "true")


def _whole_second(moment: datetime, *, up: bool = False) -> datetime:
    moment = moment.astimezone(UTC)
    if up and moment.microsecond:
        moment += timedelta(seconds=1)
    return moment.replace(microsecond=0)
