"""Read a reporter's "when": the entry points (see docs/intake.md for the rules)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, tzinfo

from ..language import Language
from ..refused import Refused
from .cleaning import clean
from .clock import clock_reading
from .days import NO_DAY, day_named, without_numbers
from .lexicon import lex
from .limits import FUTURE_TOLERANCE, MAX_AGE, MAX_LENGTH, ONE_DAY, POINT_WIDTH, TOLERANCE_MINUTES
from .meaning import Context, Reading, sort, zone_of
from .observed import ObservedTime, TimePrecision
from .relative import duration_reading


def read_when(text: str | None, *, now: datetime, zone: tzinfo, language: Language) -> ObservedTime:
    """What the reporter's "when" says about the moment they saw it (see the module doc); refuses with
    `WhenRefused` only a time clearly in the future, wholly older than `MAX_AGE`, or an oversized field."""
    return _read(text, now, zone, language)[0]


def parse_when(text: str | None, *, now: datetime, zone: tzinfo, language: Language) -> datetime:
    """One instant for `text`, for callers that cannot keep a window; empty text is now.

    Refuses, besides what `read_when` refuses: text that is not a time (``when_unparseable``), a window
    wider than `POINT_WIDTH` (``when_vague``: its midpoint would be made up) and a wall time skipped by a
    daylight-saving jump (``when_nonexistent``)."""
    observed, skipped = _read(text, now, zone, language)
    if observed.precision is TimePrecision.NOT_GIVEN and text is not None and _visible(text):
        raise Refused("when_unparseable")  # "idk" is no time, and now would be made up
    if skipped is not None:
        raise Refused("when_nonexistent", time=skipped)
    if observed.latest - observed.earliest > POINT_WIDTH:
        raise Refused("when_vague")
    return observed.at


def _read(text: str | None, now: datetime, zone: tzinfo, language: Language) -> tuple[ObservedTime, str | None]:
    """The observed time and, when it fell in a daylight-saving gap, the wall time as written ("02:30")."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("read_when needs an aware `now`")
    now = now.astimezone(UTC).replace(microsecond=0)
    if text is None or not text.strip():
        return ObservedTime.not_given(now), None
    if len(text) > MAX_LENGTH:
        raise Refused("when_unparseable", max_length=MAX_LENGTH)
    words = clean(text)
    if len(words) > 3 * MAX_LENGTH:  # NFKC can expand one character into many: hostile, not a typo
        raise Refused("when_unparseable", max_length=MAX_LENGTH)
    tokens = lex(words.split())
    reading = _interpret(tokens, now, zone, language)
    if reading is None:
        understood = "DUNNO" in tokens and set(tokens) <= {"DUNNO", "HEDGE"}  # "idk", "not sure?"
        return ObservedTime.not_given(now, unreadable=_visible(text) and not understood), None
    return _finish(reading, now), reading.skipped


def _visible(text: str) -> bool:
    return any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") for c in text)


def _interpret(tokens: list[str], now: datetime, zone: tzinfo, language: Language) -> Reading | None:
    """What the tokens say, or None when they say no time we can read."""
    said = sort(tokens)
    if said.parts == {"NIGHT", "AFTERNOON"}:
        said.parts = {"NIGHT"}  # "anoche tarde": "tarde" is late here, not the afternoon
    if any(not (token.isascii() and (token[0].isdigit() or token.isupper())) and token != "a" for token in said.core):
        return None  # a word we do not know: reading around it would be guessing
    if said.long_ago or len(said.ampm) > 1 or len(said.parts) > 1 or len(said.windows) > 1:
        return None
    if len(said.directions) > 1 and said.directions != {"SINCE", "WITHIN"}:
        return None
    where = zone_of(said, zone)
    if where is None:
        return None
    local_now = now.astimezone(where).replace(tzinfo=None)
    day = day_named(said, local_now, language)
    if day is NO_DAY:
        return None
    same_weekday_last_week = None
    if day == local_now.date() and not said.last and any(word.startswith("WD") for word in said.days):
        same_weekday_last_week = day - 7 * ONE_DAY  # "friday 3pm" said on a Friday at noon
    if said.future or said.tomorrow or (said.manana and (said.core or said.parts or said.ampm)):
        raise Refused("when_future", minutes=TOLERANCE_MINUTES)
    context = Context(said, now, local_now, where, day, same_weekday_last_week)
    if not said.core:
        return without_numbers(context)
    if said.windows:
        return None
    return duration_reading(context) or clock_reading(context)


# --- limits -----------------------------------------------------------------------------------------------


def _finish(reading: Reading, now: datetime) -> ObservedTime:
    """Refuse what cannot be a recent observation; cut windows to now and to `MAX_AGE` ago."""
    oldest = now - MAX_AGE
    if reading.earliest > now + FUTURE_TOLERANCE:
        raise Refused("when_future", minutes=TOLERANCE_MINUTES)
    if reading.exact:
        if reading.earliest < oldest:
            raise Refused("when_too_old", days=MAX_AGE.days)
        return ObservedTime.exact(reading.earliest)
    if reading.latest < oldest or (reading.latest == oldest and reading.earliest < oldest):
        raise Refused("when_too_old", days=MAX_AGE.days)
    latest = min(reading.latest, now)
    return ObservedTime.window(min(max(reading.earliest, oldest), latest), latest)
