"""Days named by words or dates, and readings without numbers: now, "a while", parts of the day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from ..language import Language
from ..refused import Refused
from .limits import FUTURE_TOLERANCE, MAX_AGE, ONE_DAY, TOLERANCE_MINUTES
from .meaning import PARTS, UNITS, WORD_WINDOWS, Context, Reading, Said

NO_DAY = date.min  # a sentinel: the days named disagree, or a date is not a real one


def day_named(said: Said, local_now: datetime, language: Language) -> date | None:
    """The day named by words or a date in the core (removed from it); None if none, `NO_DAY` if unusable."""
    today = local_now.date()
    named: set[date] = set()
    for word in said.days:
        if word == "TODAY":
            named.add(today)
        elif word == "YESTERDAY":
            named.add(today - ONE_DAY)
        elif word == "DBY":
            named.add(today - 2 * ONE_DAY)
        else:
            back = (today.weekday() - int(word[2])) % 7
            named.add(today - timedelta(days=back or (7 if said.last else 0)))
    if said.last and "NIGHT" in said.parts and not said.days:
        named.add(today - ONE_DAY)  # "last night"
    core = said.core
    for i, token in enumerate(core):
        if i + 1 < len(core) and core[i + 1] in UNITS:
            continue  # "5/10 min ago" is a range of minutes, not a date
        found = _date_token(token, today, language)
        if found is not None:
            named.add(found)
            said.dated = True
            del core[i]
            break
    for i, token in enumerate(core[:-1]):
        if core[i + 1] == "ORD" and not any(re.fullmatch(r"MON[0-9]+", other) for other in core):
            named.add(_day_of_month(int(token) if token.isdigit() else 0, today))  # "on the 22nd"
            said.dated = True
            del core[i : i + 2]
            break
    core[:] = [token for token in core if token != "ORD"]  # "january 22nd": the month says it
    month = next((i for i, token in enumerate(core) if re.fullmatch(r"MON[0-9]+", token)), None)
    if month is not None:
        found = _month_date(core, month, today)
        if found is None:
            return NO_DAY
        named.add(found)
        said.dated = True
    if len(named) > 1 or NO_DAY in named:
        return NO_DAY
    return next(iter(named), None)


_DATE = re.compile(
    r"(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
    r"|(?P<a>[0-9]{1,2})(?P<sep>/)(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{4}|[0-9]{2}))?"
    r"|(?P<a2>[0-9]{1,2})(?P<sep2>[-.])(?P<b2>[0-9]{1,2})(?P=sep2)(?P<y2>[0-9]{4}|[0-9]{2})",
    re.ASCII,
)


def _date_token(token: str, today: date, language: Language) -> date | None:
    """A date written with digits, or None if the token is not one; `NO_DAY` if it is not a real date."""
    match = _DATE.fullmatch(token)
    if match is None:
        return None
    if match["iy"]:
        return _real_date(int(match["iy"]), int(match["im"]), int(match["id"]), today)
    first, second = int(match["a"] or match["a2"]), int(match["b"] or match["b2"])
    year_text = match["y"] or match["y2"]
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    month_first = (first, second) if language is Language.EN else (second, first)
    other = (month_first[1], month_first[0])
    for month, day_of_month in (month_first, other):
        if 1 <= month <= 12 and 1 <= day_of_month <= 31:
            return _real_date(year or today.year, month, day_of_month, today)
    return NO_DAY


def _month_date(core: list[str], at: int, today: date) -> date | None:
    """ "jan 24", "24 de enero", "january 24 2025": the day number beside a month name (both removed)."""
    month = int(core[at][3:])
    for index in (at + 1, at - 1):
        if 0 <= index < len(core) and re.fullmatch(r"[0-9]{1,2}", core[index]):
            day_of_month = int(core[index])
            year = None
            last = max(at, index) + 1
            if last < len(core) and re.fullmatch(r"[0-9]{4}", core[last]):
                year = int(core.pop(last))
            for i in sorted((at, index), reverse=True):
                del core[i]
            return _real_date(year or today.year, month, day_of_month, today)
    return None


def _day_of_month(day_of_month: int, today: date) -> date:
    """The most recent day with that number: this month's, or last month's if this month's is still to come."""
    if not 1 <= day_of_month <= 31:
        return NO_DAY
    if day_of_month <= today.day:
        return _real_date(today.year, today.month, day_of_month, today)
    last_month = today.replace(day=1) - ONE_DAY
    return _real_date(last_month.year, last_month.month, day_of_month, today)


def _real_date(year: int, month: int, day_of_month: int, today: date) -> date:
    """The date (`NO_DAY` if there is none such), refused when far outside the allowed range before any
    arithmetic can overflow. A date without a year is this year's even if still to come, and then refused."""
    try:
        found = date(year, month, day_of_month)
    except ValueError:
        return NO_DAY
    if found > today + ONE_DAY:
        raise Refused("when_future", minutes=TOLERANCE_MINUTES)
    if found < today - MAX_AGE - ONE_DAY:
        raise Refused("when_too_old", days=MAX_AGE.days)
    return found


# --- readings without numbers: now, words for a while, parts of the day, days ------------------------------


def without_numbers(context: Context) -> Reading | None:
    said, now = context.said, context.now
    if said.windows:
        if said.parts or context.day is not None:
            return None
        (word,) = said.windows
        if word == "W_THISWEEK":
            return Reading(now - MAX_AGE, now, exact=False)
        if word == "W_LASTWEEK":
            return Reading(now - MAX_AGE, local_moment(context, context.today, 0)[0], exact=False)
        return _ago_window(now, *WORD_WINDOWS[word], said.directions)
    if said.parts:
        return _part_reading(context)
    if (said.now or said.ya) and not said.gone and context.day in (None, context.today):
        return Reading(now, now, exact=True)
    if context.day is not None:
        start = local_moment(context, context.day, 0)[0]
        if "SINCE" in said.directions or context.day == context.today:
            return Reading(start, now, exact=False)
        return Reading(start, local_moment(context, context.day + ONE_DAY, 0)[1], exact=False)
    if said.earlier or (said.ago and not said.directions) or said.directions == {"BEFORE"}:
        return _ago_window(now, *WORD_WINDOWS["EARLIER"], set())  # "earlier", "antes"
    if said.just:
        return _ago_window(now, *WORD_WINDOWS["W_MOMENT"], set())
    return None


def _ago_window(now: datetime, least: int, most: int, directions: set[str]) -> Reading:
    if directions & {"WITHIN", "SINCE"}:
        least = 0
    return Reading(now - timedelta(minutes=most), now - timedelta(minutes=least), exact=False)


def _part_reading(context: Context) -> Reading | None:
    """ "this morning", "last night", "ayer en la tarde", "in the afternoon": the part's window."""
    said = context.said
    (part,) = said.parts
    if said.early and part == "MORNING":
        part = "EARLYMORNING"
    start_hour, end_hour = PARTS[part]
    if context.day is not None:
        anchors = [context.day] if context.fallback is None else [context.day, context.fallback]
    elif said.this:
        anchors = [context.today]
        if part == "NIGHT" and context.local_now.hour < 6:
            anchors = [context.today - ONE_DAY]  # "tonight" at 02:00 is the night going on
        elif part == "MORNING" and context.local_now.hour < start_hour:
            start_hour = 0  # "this morning" at 04:00: the small hours so far
    else:
        anchors = [context.today, context.today - ONE_DAY]
    for anchor in anchors:
        start = local_moment(context, anchor, start_hour)[0]
        if start <= context.now + FUTURE_TOLERANCE or anchor is anchors[-1]:
            end = context.now if "SINCE" in said.directions else local_moment(context, anchor, end_hour)[1]
            return Reading(start, max(start, end), exact=False)
    return None


def local_moment(context: Context, day: date, hour: int, minute: int = 0, second: int = 0) -> tuple[datetime, datetime]:
    """The earliest and latest UTC readings of a wall time; they differ where clocks were changed."""
    wall = datetime.combine(day, time()) + timedelta(hours=hour, minutes=minute, seconds=second)
    first = wall.replace(tzinfo=context.where, fold=0).astimezone(UTC)
    second_reading = wall.replace(tzinfo=context.where, fold=1).astimezone(UTC)
    return min(first, second_reading), max(first, second_reading)
