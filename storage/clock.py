"""How times are written to the database: UTC, fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def maybe_ts(moment: datetime | None) -> str | None:
    return None if moment is None else ts(moment)


def maybe_from_ts(text: str | None) -> datetime | None:
    return None if text is None else from_ts(text)
