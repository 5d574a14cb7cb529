"""When a reporter saw something, read from what they typed, as precisely as they said it."""

from .limits import FUTURE_TOLERANCE, MAX_AGE, MAX_LENGTH, POINT_WIDTH
from .observed import ObservedTime, TimePrecision
from .reading import parse_when, read_when

__all__ = [
    "FUTURE_TOLERANCE",
    "MAX_AGE",
    "MAX_LENGTH",
    "POINT_WIDTH",
    "ObservedTime",
    "TimePrecision",
    "parse_when",
    "read_when",
]
