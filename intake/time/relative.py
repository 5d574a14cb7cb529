"""Relative times: "10 min ago", "hace como una hora", "a few minutes ago"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from ..refused import Refused
from .days import local_moment
from .lexicon import CLOCK_TOKEN, NUMBER
from .limits import MAX_AGE, MINUTE, ONE_DAY, ONE_HOUR
from .meaning import UNITS, VAGUE_COUNTS, VAGUE_MINUTES, WORD_WINDOWS, Context, Reading

# --- relative times: "10 min ago", "hace como una hora", "a few minutes ago" ------------------------------


@dataclass(frozen=True, slots=True)
class _Amount:
    least: timedelta
    most: timedelta
    exact: bool  # a count, not a range or a vague word
    whole_days: int | None = None  # "2 days ago": a calendar day, not 48 hours


def duration_reading(context: Context) -> Reading | None:
    said, now = context.said, context.now
    core = said.core
    if not any(token in UNITS or token in VAGUE_COUNTS or token == "HCLOCK" for token in core) and not (
        said.ago and len(core) == 1 and CLOCK_TOKEN.fullmatch(core[0])
    ):
        return None
    if not said.ago and ("HCLOCK" in core or (len(core) == 2 and re.fullmatch(r"0[0-9]{3}|[0-9]{4}", core[0]))):
        return None  # "19h30", "0800 hrs" are clock times
    if said.clock_at or said.ampm or said.oclock or said.parts or said.zones:
        return None
    if context.day not in (None, context.today):
        return None
    amount = _amount(core, between="BETWEEN" in said.directions)
    if amount is None:
        return None
    least, most = amount.least, amount.most
    directions = said.directions - {"BETWEEN"}
    if "PICO" in directions:  # "hora y pico": a bit over an hour
        directions = (directions - {"PICO"}) | {"JUSTOVER"}
    if directions & {"WITHIN", "SINCE"}:
        return Reading(now - most, now, exact=False)
    if "OVER" in directions:
        return Reading(now - 2 * most, now - least, exact=False)
    if directions - {"ALMOST", "JUSTOVER"}:
        return None
    if not amount.exact:
        return Reading(now - most, now - least, exact=False)
    spread = max(2 * MINUTE, least / 3)
    if "ALMOST" in directions:
        return Reading(now - least, now - least + spread, exact=False)
    if "JUSTOVER" in directions:
        return Reading(now - least - spread, now - least, exact=False)
    if amount.whole_days is not None:
        back = amount.whole_days + (1 if said.hedge else 0)
        forward = amount.whole_days - (1 if said.hedge else 0)
        start = local_moment(context, context.today - timedelta(days=back), 0)[0]
        end = local_moment(context, context.today - timedelta(days=forward - 1), 0)[1]
        return Reading(start, min(end, now), exact=False)
    if said.hedge:
        return Reading(now - least - spread, now - least + spread, exact=False)
    return Reading(now - least, now - least, exact=True)


_LONGEST_COUNT = 10 * MAX_AGE  # anything longer is refused before it can overflow a datetime


def _amount(core: list[str], *, between: bool) -> _Amount | None:
    """How long ago: "10 MIN", "1 HOUR 20", "1 HOUR HALFMORE", "10-15 MIN", "FEW MIN", "a HOUR"..."""
    article = {i for i, token in enumerate(core[:-1]) if token == "a" and core[i + 1] in UNITS}  # "a min ago"
    tokens = ["1" if i in article else "HOUR" if token == "HCLOCK" else token for i, token in enumerate(core)]
    if len(tokens) in (1, 2) and tokens[-1] in UNITS and (len(tokens) == 1 or tokens[0] in VAGUE_COUNTS):
        return _vague(tokens[0] if len(tokens) == 2 else "FEW", tokens[-1])
    if len(tokens) >= 2 and tokens[-1] in UNITS and (ranged := _range(tokens[:-1], between)) is not None:
        unit = UNITS[tokens[-1]]
        most = min(ranged[1] * unit.total_seconds(), _LONGEST_COUNT.total_seconds())  # cut later anyway
        return _Amount(_capped(unit, ranged[0]), timedelta(seconds=most), exact=False)
    total, i, parts, last_unit = timedelta(), 0, 0, ""
    while i < len(tokens):
        if tokens[i] == "Y" and parts:
            i += 1
            continue
        count, i = _count(tokens, i)
        if count is None:
            if tokens[i] in UNITS and tokens[i + 1 : i + 2] == ["HALFMORE"] and not parts:
                count = 1.0  # "hora y media"
            elif (clock := CLOCK_TOKEN.fullmatch(tokens[i])) and not parts:  # "hace 1:30"
                total, i, parts, last_unit = int(clock[1]) * ONE_HOUR + int(clock[2]) * MINUTE, i + 1, 1, "MIN"
                if tokens[i : i + 1] in (["HOUR"], ["MIN"]):
                    i += 1
                continue
            else:
                return None
        if i < len(tokens) and tokens[i] == "HALFMORE":
            count, i = count + 0.5, i + 1  # "1 and a half hours"
        if i >= len(tokens) or tokens[i] not in UNITS:
            if i >= len(tokens) and parts and last_unit in ("HOUR", "MIN"):  # "1h30", "una hora 20"
                total += _capped(MINUTE if last_unit == "HOUR" else timedelta(seconds=1), count)
                parts += 1
                break
            return None
        last_unit = tokens[i]
        total += _capped(UNITS[last_unit], count)
        i += 1
        extra = {"HALFMORE": 0.5, "QUARTERMORE": 0.25, "QUARTERLESS": -0.25}.get(tokens[i] if i < len(tokens) else "")
        if extra is not None:
            total += UNITS[last_unit] * extra  # "an hour and a half", "una hora y cuarto"
            i += 1
        parts += 1
    if not parts or total < timedelta():
        return None
    whole = None
    if parts == 1 and last_unit in ("DAY", "WEEK") and total % ONE_DAY == timedelta():
        whole = total // ONE_DAY
    return _Amount(total, total, exact=True, whole_days=whole)


def _capped(unit: timedelta, count: float) -> timedelta:
    """`count` units, refused as too old when they reach far past `MAX_AGE`."""
    if count * unit.total_seconds() > _LONGEST_COUNT.total_seconds():
        raise Refused("when_too_old", days=MAX_AGE.days)
    return unit * count


def _count(tokens: list[str], i: int) -> tuple[float | None, int]:
    """A number of units at `tokens[i]`: 10, 1.5, "1 1/2", "3/4"; and where the unit should be."""
    token = tokens[i]
    following = re.fullmatch(r"([0-9])/([0-9])", tokens[i + 1]) if i + 1 < len(tokens) else None
    if NUMBER.fullmatch(token):
        if following and 0 < int(following[1]) < int(following[2]):
            return float(token) + int(following[1]) / int(following[2]), i + 2
        return float(token), i + 1
    own = re.fullmatch(r"([0-9])/([0-9])", token)
    if own and 0 < int(own[1]) < int(own[2]):
        return int(own[1]) / int(own[2]), i + 1
    return None, i


def _range(tokens: list[str], between: bool) -> tuple[float, float] | None:
    """ "10-15", "10 to 15", "10 or 15", "10 a 15", "10/15", "(entre) 10 y 15": the two counts, in order."""
    if len(tokens) == 1:
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([-/])([0-9]+(?:\.[0-9]+)?)", tokens[0])
        if match is None or (match[2] == "/" and float(match[1]) < float(match[3]) <= 4):
            return None  # "1/2 hour" is a fraction
        pair = (float(match[1]), float(match[3]))
    elif len(tokens) == 3 and tokens[1] in (("TO", "OR", "a", "Y") if between else ("TO", "OR", "a")):
        if not (NUMBER.fullmatch(tokens[0]) and NUMBER.fullmatch(tokens[2])):
            return None
        pair = (float(tokens[0]), float(tokens[2]))
    else:
        return None
    return (min(pair), max(pair))


def _vague(count: str, unit: str) -> _Amount:
    if unit == "SEC":  # "a few seconds", "unos segundos": a moment, as "just now"
        least_minutes, most_minutes = WORD_WINDOWS["W_MOMENT"]
        return _Amount(least_minutes * MINUTE, most_minutes * MINUTE, exact=False)
    least, most = (VAGUE_MINUTES if unit == "MIN" else VAGUE_COUNTS)[count]
    return _Amount(UNITS[unit] * least, UNITS[unit] * most, exact=False)
