"""How times are written to the database: UTC, fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=8192)
def ts(moment: datetime) -> str:
    """A moment as stored text. Cached: a use case writes the same few moments many times over."""
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")  # "2025-01-24T17:15:00.000000+00:00"


def from_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def maybe_ts(moment: datetime | None) -> str | None:
    return None if moment is None else ts(moment)


def maybe_from_ts(text: str | None) -> datetime | None:
    return None if text is None else from_ts(text)
