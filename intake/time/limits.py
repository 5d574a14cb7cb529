"""The limits of a reading: how far in the future or the past a time may be, and the units of time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks disagree by a few minutes
MAX_AGE = timedelta(days=7)
MAX_LENGTH = 100  # longest text looked at; the reader never sees anything longer
POINT_WIDTH = timedelta(minutes=30)  # `parse_when` reads a window at most this wide as its midpoint
TOLERANCE_MINUTES = int(FUTURE_TOLERANCE.total_seconds() // 60)
MINUTE, ONE_HOUR, ONE_DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def _whole_second(moment: datetime, *, up: bool = False) -> datetime:
    moment = moment.astimezone(UTC)
    if up and moment.microsecond:
        moment += timedelta(seconds=1)
    return moment.replace(microsecond=0)
