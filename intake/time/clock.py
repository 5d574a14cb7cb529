"""Clock times: "11:15", "7.30pm", "a las 3 y media", "around 7", ranges of hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.tz import datetime_exists

from ..refused import Refused
from .days import local_moment
from .lexicon import CLOCK_TOKEN
from .limits import FUTURE_TOLERANCE, MINUTE, ONE_DAY, ONE_HOUR, TOLERANCE_MINUTES
from .meaning import PARTS, Context, Reading, Said

# --- clock times ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int
    minute: int = 0
    second: int = 0
    bare: bool = False  # only an hour was given ("around 7"): a hedge spreads wider
    twenty_four: bool = False  # "07:30", "15:10", "0:30", "midnight": no am/pm reading to choose


def clock_reading(context: Context) -> Reading | None:
    said = context.said
    if said.ago or said.directions & {"WITHIN", "OVER"}:
        return None
    if "BETWEEN" in said.directions or _clock_range_shape(said.core):
        return _clock_range(context)
    clock = _clock(said.core, signal=_clock_signal(said, context), after_at=said.clock_at)
    if clock is None:
        return None
    return _resolve(context, clock, _clock_spread(said, clock))


def _clock_signal(said: Said, context: Context) -> bool:
    """Whether a bare number may be an hour: something beside it says it is a time of day."""
    return bool(
        said.clock_at or said.ampm or said.parts or said.oclock or said.hedge or said.zones
        or said.directions & {"BEFORE", "AFTER", "SINCE", "ALMOST", "JUSTOVER", "PICO"}
        or context.day is not None
    )  # fmt: skip


def _clock_spread(said: Said, clock: _Clock) -> tuple[timedelta, timedelta] | None:
    """How far before and after the clock time the window reaches; None for an exact time."""
    wide = 30 * MINUTE if clock.bare else 15 * MINUTE
    directions = said.directions
    if "BEFORE" in directions:
        return (-ONE_HOUR, timedelta())
    if "AFTER" in directions:
        return (timedelta(), ONE_HOUR)
    if "ALMOST" in directions:
        return (-wide, timedelta())
    if "JUSTOVER" in directions:
        return (timedelta(), wide)
    if "PICO" in directions:
        return (timedelta(), 59 * MINUTE if clock.bare else 15 * MINUTE)
    if said.hedge:
        return (-wide, wide)
    return None


_MINUTE_WORDS = {"HALFMORE": 30, "QUARTERMORE": 15, "QUARTERLESS": -15}
_BEFORE_HOUR = {"HALFPAST": 30, "QUARTERPAST": 15, "QUARTERTO": -15}
_MINUTES = re.compile(r"[0-5]?[0-9]", re.ASCII)


def _clock(core: list[str], *, signal: bool, after_at: bool = False) -> _Clock | None:
    """A time of day in the core, or None."""
    tokens = list(core)
    if tokens == ["NOON"]:
        return _Clock(12, bare=True, twenty_four=True)
    if tokens == ["MIDNIGHT"]:
        return _Clock(0, bare=True, twenty_four=True)
    military = len(tokens) == 2 and re.fullmatch(r"0[0-9]{3}|[0-9]{4}", tokens[0])
    if len(tokens) >= 2 and tokens[-1] == "HOUR" and (after_at or military or CLOCK_TOKEN.fullmatch(tokens[0])):
        tokens = tokens[:-1]  # "a las 7 hrs", "19:30 hs"
    if len(tokens) == 1:
        return _one_token_clock(tokens[0], signal=signal or bool(military))
    hour = _hour_word(tokens[0])
    if len(tokens) == 2:
        first, second = tokens
        if first in _BEFORE_HOUR:
            return _from_minutes(_hour_word(second), _BEFORE_HOUR[first])  # "half past 7", "quarter to 8"
        if second in _MINUTE_WORDS:
            return _from_minutes(hour, _MINUTE_WORDS[second])  # "7 y media", "4 menos cuarto"
        if hour is not None and re.fullmatch(r"[0-5][0-9]", second):
            return _clock_of(first, int(second))  # "7 30 pm", "seven thirty"
        return None
    if len(tokens) == 3:
        first, middle, last = tokens
        if middle in ("HCLOCK", "Y") and hour is not None and _MINUTES.fullmatch(last):
            return _clock_of(first, int(last))  # "19h30", "7 y 10"
        if middle == "MINUS" and _MINUTES.fullmatch(last):
            return _from_minutes(hour, -int(last))  # "las 8 menos 10"
        if middle in ("PAST", "TILL") and _MINUTES.fullmatch(first):
            return _from_minutes(_hour_word(last), int(first) if middle == "PAST" else -int(first))
        if middle == "TO" and _MINUTES.fullmatch(first) and int(first) > 12:
            return _from_minutes(_hour_word(last), -int(first))  # "20 to 8"; "5 to 7" may be a range
    if len(tokens) == 4 and tokens[1] == "MIN" and tokens[2] in ("PAST", "TO", "TILL"):
        return _clock([tokens[0], "TILL" if tokens[2] == "TO" else tokens[2], tokens[3]], signal=signal)
    return None


def _one_token_clock(token: str, *, signal: bool) -> _Clock | None:
    if match := CLOCK_TOKEN.fullmatch(token):
        return _clock_of(match[1], int(match[2]), int(match[3] or 0))
    if match := re.fullmatch(r"([0-9]{1,2})\.([0-9]{2})", token):
        return _clock_of(match[1], int(match[2]))  # "7.30"
    if re.fullmatch(r"0[0-9][0-5][0-9]", token):
        return _clock_of(token[:2], int(token[2:]))  # "0700": a 24-hour clock time, whatever surrounds it
    if not signal:
        return None
    if re.fullmatch(r"[0-9]{1,2}", token):
        clock = _clock_of(token, 0)
        return None if clock is None else _Clock(clock.hour, bare=True, twenty_four=clock.twenty_four)
    if re.fullmatch(r"[0-9]{3,4}", token):
        return _clock_of(token[:-2], int(token[-2:]))  # "730 pm", "a las 1930"
    return None


def _hour_word(token: str) -> int | None:
    return int(token) if re.fullmatch(r"[0-9]{1,2}", token) and int(token) <= 23 else None


def _clock_of(hour_text: str, minute: int, second: int = 0) -> _Clock | None:
    hour = int(hour_text)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return _Clock(hour, minute, second, twenty_four=hour == 0 or hour > 12 or hour_text.startswith("0"))


def _from_minutes(hour: int | None, minutes: int) -> _Clock | None:
    """An hour and minutes to add, maybe negative ("quarter to 8" is 7:45); am/pm stays as open as the hour's."""
    if hour is None:
        return None
    total = (hour * 60 + minutes) % (24 * 60)
    return _Clock(total // 60, total % 60, twenty_four=hour == 0 or hour > 12)


def _clock_range_shape(core: list[str]) -> bool:
    if len(core) == 1:
        return bool(re.fullmatch(r"[0-9]{1,2}(?::[0-9]{2})?-[0-9]{1,2}(?::[0-9]{2})?", core[0]))
    return len(core) == 3 and core[1] in ("TO", "OR") and all(_hour_or_clock(token) for token in core[::2])


def _hour_or_clock(token: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,2}(?::[0-9]{2})?", token))


def _clock_range(context: Context) -> Reading | None:
    """ "between 7 and 8", "7-8am", "entre las 7 y las 8": the end's most recent occurrence, and before it."""
    said = context.said
    core = said.core
    if len(core) == 1 and core[0].count("-") == 1:
        ends = core[0].split("-")
    elif len(core) == 3 and core[1] in ("TO", "OR", "Y", "a"):
        ends = [core[0], core[2]]
    else:
        return None
    if not (said.clock_at or said.ampm or said.parts or said.hedge or "BETWEEN" in said.directions):
        if len(core) == 3 and core[1] == "TO":  # "10 to 8" without anything saying it is a range
            return _clock_single(context)
        return None  # "7-8" alone could be a date or a count
    if not all(_hour_or_clock(end) for end in ends):
        return None
    start, end = (_clock([end], signal=True) for end in ends)
    if start is None or end is None:
        return None
    cycle = 24 * 60 if end.twenty_four or said.ampm or said.parts else 12 * 60
    span = ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) % cycle
    if not 0 < span <= 3 * 60:
        return None
    return _resolve(context, end, (-span * MINUTE, timedelta()))


def _clock_single(context: Context) -> Reading | None:
    clock = _clock(context.said.core, signal=_clock_signal(context.said, context))
    return None if clock is None else _resolve(context, clock, _clock_spread(context.said, clock))


def _readings(context: Context, clock: _Clock) -> list[tuple[int, int]]:
    """(days after the anchor day, hour) for each way the clock can be read, given am/pm and the part."""
    said, hour = context.said, clock.hour
    ampm = next(iter(said.ampm), None)
    part = next(iter(said.parts), None)
    if ampm is not None:
        if hour > 12:
            return [(0, hour)] if ampm == "PM" else []  # "15:00 pm" is 15:00; "15:00 am" is nothing
        if hour == 0 and clock.twenty_four:
            return [(0, 0)] if ampm == "AM" else []  # "0:30 am"
        hour = hour % 12 + (12 if ampm == "PM" else 0)
        if part is not None and not _fits(part, hour):
            return []
        return [(1, hour)] if part == "NIGHT" and hour < 12 else [(0, hour)]
    if part == "NIGHT":
        if 18 <= hour <= 23:
            return [(0, hour)]
        if 6 <= hour <= 11:
            return [(0, hour + 12)]
        return [(1, hour % 12)] if hour <= 5 or hour == 12 else []
    if part in ("MORNING", "EARLYMORNING"):
        return [(0, hour % 12)] if hour <= 12 else []
    if part == "LUNCH":
        return [(0, hour if hour >= 11 else hour + 12)]
    if part is not None:
        return [(0, hour if hour >= 12 else hour + 12)]
    if clock.twenty_four or said.dated or context.day not in (None, context.today):
        return [(0, hour)]
    return [(0, hour % 12), (0, hour % 12 + 12)]


def _fits(part: str, hour: int) -> bool:
    if part == "NIGHT":
        return hour >= 18 or hour < 6
    start, end = PARTS[part]
    return start <= hour < end or (part == "MORNING" and hour < start)


def _resolve(context: Context, clock: _Clock, spread: tuple[timedelta, timedelta] | None) -> Reading | None:
    """The most recent reading of the clock that is not in the future (a window: that has begun)."""
    said, now = context.said, context.now
    if context.day is not None:
        anchors = [context.day] if context.fallback is None else [context.day, context.fallback]
    elif "NIGHT" in said.parts and said.this:
        anchors = [context.today - ONE_DAY if context.local_now.hour < 6 else context.today]
    elif said.this and said.parts:
        anchors = [context.today]
    else:
        anchors = [context.today, context.today - ONE_DAY]
    candidates: list[Reading] = []
    for anchor in anchors:
        for days_after, hour in _readings(context, clock):
            candidates.extend(_clock_candidates(context, anchor + timedelta(days=days_after), hour, clock, spread))
    if not candidates:
        return None
    allowed = [c for c in candidates if c.earliest <= (now + FUTURE_TOLERANCE if c.exact else now)]
    if not allowed:
        raise Refused("when_future", minutes=TOLERANCE_MINUTES)
    return max(allowed, key=lambda reading: (reading.earliest, reading.latest))


def _clock_candidates(
    context: Context, day: date, hour: int, clock: _Clock, spread: tuple[timedelta, timedelta] | None
) -> list[Reading]:
    first, last = local_moment(context, day, hour, clock.minute, clock.second)
    wall = datetime.combine(day, time(hour, clock.minute, clock.second))
    skipped = None if datetime_exists(wall, context.where) else f"{wall:%H:%M}"
    if "SINCE" in context.said.directions:
        return [Reading(first, max(first, context.now), exact=False, skipped=skipped)]
    if skipped is not None:  # a wall time the clocks jumped over: either side of the jump
        before, after = spread or (timedelta(), timedelta())
        return [Reading(first + before, last + after, exact=False, skipped=skipped)]
    moments = (first,) if first == last else (first, last)  # twice when clocks fell back
    if spread is None:
        return [Reading(moment, moment, exact=True) for moment in moments]
    return [Reading(moment + spread[0], moment + spread[1], exact=False) for moment in moments]
