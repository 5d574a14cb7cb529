"""What the tokens say, sorted: the reading a reader returns, and the context the readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from .lexicon import NUMBER
from .limits import MINUTE, ONE_DAY, ONE_HOUR

# --- what the tokens say ----------------------------------------------------------------------------------

UNITS: dict[str, timedelta] = {
    "SEC": timedelta(seconds=1),
    "MIN": MINUTE,
    "HOUR": ONE_HOUR,
    "DAY": ONE_DAY,
    "WEEK": 7 * ONE_DAY,
}
VAGUE_COUNTS: dict[str, tuple[float, float]] = {"COUPLE": (1, 3), "FEW": (2, 5), "SEVERAL": (2, 8)}
# Where the units' own habits differ from the counts above: "a few minutes" is 2..10, not 2..5.
VAGUE_MINUTES: dict[str, tuple[float, float]] = {"COUPLE": (1, 5), "FEW": (2, 10), "SEVERAL": (3, 20)}
WORD_WINDOWS: dict[str, tuple[int, int]] = {  # minutes ago
    "W_MOMENT": (0, 5),
    "W_RATITO": (5, 30),
    "W_POCO": (2, 60),
    "W_RATO": (15, 120),
    "W_GOODWHILE": (30, 180),
    "W_RECENT": (0, 120),
    "EARLIER": (15, 120),
}
PARTS: dict[str, tuple[int, int]] = {  # local hours of the day it belongs to; the night runs into the next
    "EARLYMORNING": (0, 8),
    "MORNING": (5, 12),
    "AFTERNOON": (12, 19),
    "EVENING": (17, 23),
    "LUNCH": (11, 14),
    "NIGHT": (18, 30),
}
_ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "UTC": 0}
_REGIONS = {"CENTRAL": "America/Chicago", "EASTERN": "America/New_York", "MOUNTAIN": "America/Denver",
            "PACIFIC": "America/Los_Angeles"}  # fmt: skip
_DIRECTIONS = frozenset({"ALMOST", "JUSTOVER", "OVER", "WITHIN", "BETWEEN", "SINCE", "BEFORE", "AFTER", "PICO"})
_QUANTITY_START = frozenset({"a", "FEW", "COUPLE", "SEVERAL", *UNITS, *WORD_WINDOWS})


@dataclass(frozen=True, slots=True)
class Reading:
    earliest: datetime
    latest: datetime
    exact: bool
    skipped: str | None = None  # the wall time as written, when a daylight-saving jump skipped it


@dataclass(slots=True)
class Said:
    """The tokens sorted into what they say; `core` keeps numbers and the words that bind them."""

    core: list[str] = field(default_factory=list)
    hedge: bool = False
    ago: bool = False
    future: bool = False
    tomorrow: bool = False
    manana: bool = False
    now: bool = False
    ya: bool = False
    just: bool = False
    gone: bool = False  # "se fueron", "left": not happening now
    dated: bool = False  # a date was written: its clock time is read as written
    clock_at: bool = False
    oclock: bool = False
    this: bool = False
    last: bool = False
    early: bool = False
    earlier: bool = False
    long_ago: bool = False
    ampm: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)
    days: list[str] = field(default_factory=list)  # TODAY, YESTERDAY, DBY, WDn
    directions: set[str] = field(default_factory=set)
    windows: set[str] = field(default_factory=set)
    zones: set[str] = field(default_factory=set)


_FLAGS = {
    "HEDGE": "hedge", "DUNNO": "hedge", "AGO": "ago", "FUTURE": "future", "TOMORROW": "tomorrow",
    "MANANA": "manana", "NOW": "now", "YA": "ya", "JUST": "just", "GONE": "gone", "CLOCKAT": "clock_at",
    "OCLOCK": "oclock", "THIS": "this", "LAST": "last", "EARLY": "early", "EARLIER": "earlier",
    "LONGAGO": "long_ago",
}  # fmt: skip


def sort(tokens: list[str]) -> Said:
    said = Said()
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        number_after = bool(NUMBER.fullmatch(after)) or after in _QUANTITY_START or after.startswith("0.")
        if token in _FLAGS:
            setattr(said, _FLAGS[token], True)
        elif token == "BEFORE" and (before in UNITS or before in WORD_WINDOWS):
            said.ago = True  # "10 min before", "un rato antes"
        elif token == "AFTER" and NUMBER.fullmatch(before) and NUMBER.fullmatch(after):
            said.core.append("PAST")  # "10 after 7"
        elif token == "IN":
            said.future |= number_after  # "in 10 min", "en un rato"; "in" elsewhere says nothing
        elif token == "FOR":
            if number_after:
                said.directions.add("WITHIN")  # "for 20 min": seen during them
        elif token in ("FEW", "SEVERAL") and NUMBER.fullmatch(after):
            said.hedge = True  # "unos 10 minutos", "some 20 minutes"
        elif token in _DIRECTIONS:
            said.directions.add(token)
        elif token in ("AM", "PM"):
            said.ampm.add(token)
        elif token in PARTS:
            said.parts.add(token)
        elif token in ("TODAY", "YESTERDAY", "DBY") or re.fullmatch(r"WD[0-6]", token):
            said.days.append(token)
        elif token in WORD_WINDOWS or token in ("W_THISWEEK", "W_LASTWEEK"):
            said.windows.add(token)
        elif token.startswith(("ZONE_", "OFF")):
            said.zones.add(token)
        else:
            said.core.append(token)
    return said


def zone_of(said: Said, zone: tzinfo) -> tzinfo | None:
    """The community's zone, or the one the text names; None when it names two, or no real one."""
    if not said.zones:
        return zone
    if len(said.zones) > 1:
        return None
    (name,) = said.zones
    if name.startswith("OFF"):
        hours, minutes = int(name[4:6]), int(name[6:8])
        if hours > 23 or minutes > 59:
            return None  # "+99:00" is no offset
        return timezone((1 if name[3] == "P" else -1) * timedelta(hours=hours, minutes=minutes))
    if name[5:] in _REGIONS:  # "central time" follows daylight saving, unlike "CST"
        return ZoneInfo(_REGIONS[name[5:]])
    return timezone(timedelta(hours=_ZONES[name[5:]]))


@dataclass(frozen=True, slots=True)
class Context:
    said: Said
    now: datetime
    local_now: datetime  # naive wall time in `where`
    where: tzinfo
    day: date | None  # the day named, if any
    fallback: date | None = None  # a weekday named on that weekday may also be last week's

    @property
    def today(self) -> date:
        return self.local_now.date()
