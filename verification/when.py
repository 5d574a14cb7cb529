"""Turn a reporter's "when" ("10 min ago", "a las 3 pm", "01/24 11:15") into an aware UTC datetime.

An alert with a wrong time is worse than none, so this module never guesses: text it cannot read
exactly is refused with `WhenRefused` and the reporter is asked again. Codes:

- ``when_unparseable``: not a time ("near the school on 48th", "5", "tomorrow", over 100 characters);
- ``when_vague``: a time, but too vague to alert on ("yesterday", "hace un rato", "earlier", a date alone);
- ``when_future``: more than `FUTURE_TOLERANCE` after now;
- ``when_too_old``: more than `MAX_AGE` before now;
- ``when_nonexistent``: a local time skipped by a daylight-saving jump (02:30 on a spring-forward day).

Rules where there was a choice:

- Text is NFKC-normalised, format characters (zero-width, bidi) are removed, and matching ignores case
  and accents ("esta manana" = "esta mañana"), extra spaces and a trailing period.
- Part-of-day words stand for a fixed local hour: morning 09:00, afternoon 15:00, evening/tonight 20:00,
  last night 21:00 the day before. A part-of-day time that would be in the future ("this afternoon" said
  at 13:00) becomes now.
- A bare clock time (no date, no "today"/"yesterday") later than now + `FUTURE_TOLERANCE` means
  YESTERDAY: someone at 00:20 reporting "23:50" saw it ten minutes before midnight.
- A date without a year takes the current local year; if that is in the future it is refused, never
  moved to last year. Day/month order follows the language: "01/02" is 2 January in English, 1 February
  in Spanish; when only one order is a real date ("1/24") that order is taken. ISO dates are always Y-M-D.
- A bare number ("5") is refused as ambiguous, except after the Spanish "las"/"a las"/"a la", which
  names a clock hour on the 24-hour clock ("a las 11" = 11:00). "de la noche"/"at night" means pm, except
  for 12 and hours before 6 (am).
- Fractions are accepted in relative times: "1.5 hours ago", "hace 1,5 horas", "an hour and a half ago".
  Days or weeks ago are refused as vague (as too old beyond `MAX_AGE`).
- An ambiguous local time (the repeated hour when clocks fall back) is its most recent occurrence that
  is not more than `FUTURE_TOLERANCE` in the future: the later one (fold=1) if allowed, else the earlier.
- An explicit UTC offset ("2025-01-24T17:15:00Z", "+00:00") is honoured instead of the community zone.
- The result is in UTC with microseconds dropped; the limits are checked before dropping them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time, timedelta, tzinfo

from dateutil import parser as dateparser
from dateutil.tz import datetime_exists

from verification.errors import WhenRefused
from verification.model import Language

FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)
MAX_LENGTH = 100  # longest text looked at; the parser never sees anything longer
_TOLERANCE_MINUTES = int(FUTURE_TOLERANCE.total_seconds() // 60)
_SECOND, _MINUTE, _HOUR, _DAY = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# All phrases are matched after `_clean`: lower case, no accents, single spaces, no trailing period.
_NOW = frozenset({
    "now", "just now", "right now", "happening now",
    "ahora", "ahorita", "ahora mismo", "ahorita mismo", "justo ahora", "en este momento",
})  # fmt: skip

# Said in good faith, but any time we picked for these would be invented.
_VAGUE = frozenset({
    "yesterday", "today", "earlier", "earlier today", "recently", "a while ago", "a while back", "a bit ago",
    "a little while ago", "some time ago", "a moment ago", "a few minutes ago", "a couple minutes ago",
    "a couple of minutes ago", "a few hours ago", "a couple hours ago", "a couple of hours ago", "last week",
    "ayer", "hoy", "hace un rato", "hace rato", "hace un ratito", "hace ratito", "hace poco", "hace un momento",
    "hace unos minutos", "hace unas horas", "recientemente", "antes", "mas temprano", "hoy temprano",
    "la semana pasada", "el otro dia",
})  # fmt: skip

# (days before today, local hour) for each part-of-day phrase.
_PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "this morning": (0, 9), "esta manana": (0, 9), "hoy en la manana": (0, 9), "hoy por la manana": (0, 9),
    "this afternoon": (0, 15), "esta tarde": (0, 15), "hoy en la tarde": (0, 15), "hoy por la tarde": (0, 15),
    "this evening": (0, 20), "tonight": (0, 20), "esta noche": (0, 20),
    "yesterday morning": (1, 9), "ayer en la manana": (1, 9), "ayer por la manana": (1, 9),
    "yesterday afternoon": (1, 15), "ayer en la tarde": (1, 15), "ayer por la tarde": (1, 15),
    "yesterday evening": (1, 20),
    "last night": (1, 21), "anoche": (1, 21), "ayer en la noche": (1, 21), "ayer por la noche": (1, 21),
}  # fmt: skip

_ENGLISH = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
_SPANISH = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once",
            "doce", "trece", "catorce", "quince", "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte",
            "veintiuno", "veintidos", "veintitres", "veinticuatro", "veinticinco", "veintiseis", "veintisiete",
            "veintiocho", "veintinueve")  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60}  # fmt: skip
_NUMBER_WORDS: dict[str, int] = {
    **{word: n for words in (_ENGLISH, _SPANISH) for n, word in enumerate(words)},
    **_TENS, "a": 1, "an": 1, "un": 1, "una": 1, "veintiun": 21, "veintiuna": 21,
}  # fmt: skip

_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "segundo", "segundos"), _SECOND),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), _MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), _HOUR),
    **dict.fromkeys(("day", "days", "dia", "dias"), _DAY),
    **dict.fromkeys(("week", "weeks", "semana", "semanas"), 7 * _DAY),
}
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))  # longest first: "mins" before "m"
_NUM = r"(?P<n>[0-9]{1,6}(?:[.,][0-9]{1,2})?|[a-z]+(?:[ -][a-z]+| y [a-z]+)??)"  # lazy: "ten" + "minutes"
_RELATIVE = (
    re.compile(rf"{_NUM} ?(?P<unit>{_UNIT})\.?(?P<half> and a half)? ago", re.ASCII),
    re.compile(rf"hace {_NUM} ?(?P<unit>{_UNIT})\.?(?P<half> y media)?(?: atras)?", re.ASCII),
    re.compile(rf"{_NUM} ?(?P<unit>{_UNIT})\.?(?P<half> y media)? atras", re.ASCII),
)
_HALF_HOUR = frozenset({"half an hour ago", "half hour ago", "hace media hora", "media hora atras"})

# The only shapes an absolute time may take. Whatever does not match never reaches dateutil, which
# would otherwise read "near the school on 48th" as a date.
_DATE = r"(?P<date>(?P<iso>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})|[0-9]{1,2}[/.-][0-9]{1,2}(?:[/.-](?:[0-9]{4}|[0-9]{2}))?)"
_TIME = r"(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?)?"
_AMPM = r"(?: ?(?P<ampm>[ap])\.? ?m\.?)?"  # am, a.m., a. m.
_OFFSET = r"(?: ?(?P<offset>z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?))?"
_ABSOLUTE = re.compile(rf"(?:{_DATE}(?:t| |, ))?{_TIME}{_AMPM}{_OFFSET}", re.ASCII)
_DATE_ONLY = re.compile(_DATE, re.ASCII)
_DAY_WORDS = "yesterday|ayer|today|hoy"
_DAY_WORD = re.compile(rf"(?P<a>{_DAY_WORDS})(?: at)? (?P<r1>.+)|(?P<r2>.+?) (?:de )?(?P<b>{_DAY_WORDS})")
_CLOCK_PREFIX = re.compile(r"(?P<p>at|a las|a la|las|la) (?P<rest>.+)")
_PARTS = r"(?:de|en|por) la (?:manana|madrugada|tarde|noche)|in the (?:morning|afternoon|evening)|at night"
_DAY_PART_SUFFIX = re.compile(rf"(?P<rest>.+?) (?P<part>{_PARTS})")
_NAMED_TIMES = {"noon": "12:00", "mediodia": "12:00", "midnight": "0:00", "medianoche": "0:00"}
# What dateutil raises on text it cannot turn into a date (ParserError is a ValueError, listed for clarity).
_PARSER_ERRORS = (dateparser.ParserError, OverflowError, ValueError, TypeError)


def parse_when(text: str | None, *, now: datetime, zone: tzinfo, language: Language) -> datetime:
    """Turn a reporter's 'when' into an aware UTC datetime, or raise `WhenRefused` (see module doc)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_when needs an aware `now`")
    now = now.astimezone(UTC)  # compare in UTC: same-zone comparisons ignore `fold`
    if text is None or not text.strip():
        return now.replace(microsecond=0)
    if len(text) > MAX_LENGTH:
        raise WhenRefused("when_unparseable", max_length=MAX_LENGTH)
    words = _clean(text)
    if not words or len(words) > MAX_LENGTH:  # only invisible characters, or expanded past the limit by NFKC
        raise WhenRefused("when_unparseable")
    result = _interpret(words, now, zone, language)
    if result > now + FUTURE_TOLERANCE:
        raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
    if result < now - MAX_AGE:
        raise WhenRefused("when_too_old", days=MAX_AGE.days)
    return result.astimezone(UTC).replace(microsecond=0)


def _clean(text: str) -> str:
    """NFKC, no format characters, other controls as spaces, lower case, no accents, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text if unicodedata.category(c) != "Cf")
    text = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")
    return " ".join(text.split()).rstrip(". ")


def _interpret(words: str, now: datetime, zone: tzinfo, language: Language) -> datetime:
    if words in _NOW:
        return now
    if words in _VAGUE:
        raise WhenRefused("when_vague")
    if words in _PARTS_OF_DAY:
        days_back, hour = _PARTS_OF_DAY[words]
        day = now.astimezone(zone).date() - timedelta(days=days_back)
        return min(_localize(datetime.combine(day, time(hour)), zone, now), now)
    ago = _relative(words)
    if ago is not None:
        return now - ago
    return _absolute(words, now, zone, language)


def _relative(words: str) -> timedelta | None:
    """How long ago "10 min ago" / "hace dos horas" was, or None when the text is not of that shape."""
    if words in _HALF_HOUR:
        return 30 * _MINUTE
    match = next((m for pattern in _RELATIVE if (m := pattern.fullmatch(words))), None)
    if match is None:
        return None
    count = _number(match["n"])
    if count is None:  # "a few minutes ago", "hace unos minutos": the shape is right, the number is not
        raise WhenRefused("when_vague")
    unit = _UNITS[match["unit"]]
    ago = unit * (count + (0.5 if match["half"] else 0))
    if ago > MAX_AGE:
        raise WhenRefused("when_too_old", days=MAX_AGE.days)
    if unit >= _DAY:  # "2 days ago": which hour of that day?
        raise WhenRefused("when_vague")
    return ago


def _number(token: str) -> float | None:
    """10, 1.5, 1,5, "ten", "diez", "twenty-five", "treinta y cinco"; None for anything else."""
    if token[0].isdigit():
        return float(token.replace(",", "."))
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    tens, _, unit = re.sub(r" y |-", " ", token).partition(" ")
    if tens in _TENS and 1 <= _NUMBER_WORDS.get(unit, 0) <= 9:
        return _TENS[tens] + _NUMBER_WORDS[unit]
    return None


def _absolute(words: str, now: datetime, zone: tzinfo, language: Language) -> datetime:
    """A clock time, optionally with a date, "today"/"yesterday", a Spanish "a las" or "de la tarde"."""
    days_back: int | None = None  # None: no day word, so a bare time may roll back to yesterday
    if match := _DAY_WORD.fullmatch(words):
        days_back = 1 if (match["a"] or match["b"]) in ("yesterday", "ayer") else 0
        words = match["r1"] or match["r2"]
    clock = False  # after "las", a bare hour is an explicit clock time
    if match := _CLOCK_PREFIX.fullmatch(words):
        clock, words = match["p"] != "at", match["rest"]
    marker = ""
    if match := _DAY_PART_SUFFIX.fullmatch(words):
        words, marker = match["rest"], match["part"].rsplit(" ", 1)[1]
    head, _, tail = words.partition(" ")
    if clock and head in _NUMBER_WORDS and _NUMBER_WORDS[head] <= 24:  # "a las tres de la tarde"
        words = f"{_NUMBER_WORDS[head]} {tail}".strip()
    words = _NAMED_TIMES.get(words, words)
    return _resolve(_fields(words, clock, marker, days_back), days_back, now, zone, language)


def _fields(words: str, clock: bool, marker: str, days_back: int | None) -> tuple[re.Match[str], str]:
    """Check the shape of an absolute time and find its am/pm, refusing what could only be guessed."""
    match = _ABSOLUTE.fullmatch(words)
    if match is None:
        vague = _DATE_ONLY.fullmatch(words) and not (clock or marker or days_back is not None)
        raise WhenRefused("when_vague" if vague else "when_unparseable")
    hour, ampm = int(match["hour"]), match["ampm"] or ""
    if marker and ampm:  # "3 pm de la tarde": say it once
        raise WhenRefused("when_unparseable")
    if marker in ("noche", "night"):  # "11 de la noche" is 23:00, "12 de la noche" midnight, "2 at night" 02:00
        ampm = "a" if hour == 12 or hour < 6 else "p"
    elif marker:
        ampm = "a" if marker in ("manana", "madrugada", "morning") else "p"
    if marker and hour > 12 and ampm == "p":  # "15:00 de la tarde" is consistent, just redundant
        ampm = ""
    named = bool(match["minute"] or ampm or marker or clock)
    misplaced = bool(match["offset"] and not (match["iso"] and match["minute"]))
    if not named or misplaced or (ampm and not 1 <= hour <= 12) or (match["date"] and days_back is not None):
        raise WhenRefused("when_unparseable")
    return match, ampm


def _resolve(
    fields: tuple[re.Match[str], str], days_back: int | None, now: datetime, zone: tzinfo, language: Language
) -> datetime:
    """Parse the checked fields with dateutil in the community's zone and apply the rollover rule."""
    match, ampm = fields
    local_now = now.astimezone(zone).replace(tzinfo=None)
    default = datetime.combine(local_now.date() - timedelta(days=days_back or 0), time())
    offset = "+00:00" if match["offset"] == "z" else (match["offset"] or "")
    clock = f"{int(match['hour'])}:{match['minute'] or '00'}:{match['second'] or '00'}"
    text = f"{match['date'] or ''} {clock}{f' {ampm}m' if ampm else ''}{offset}".strip()
    dayfirst = language is Language.ES and not match["iso"]
    try:
        parsed = dateparser.parse(text, default=default, dayfirst=dayfirst, fuzzy=False)
        wall = parsed.replace(tzinfo=None)
        if wall - local_now > 2 * _DAY:  # far off: refuse before any arithmetic can overflow
            raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
        if local_now - wall > MAX_AGE + 2 * _DAY:
            raise WhenRefused("when_too_old", days=MAX_AGE.days)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    except _PARSER_ERRORS as error:
        raise WhenRefused("when_unparseable") from error
    if not match["date"] and days_back is None:
        first = parsed.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if first > now + FUTURE_TOLERANCE:  # "23:50" said at 00:20 was yesterday
            parsed -= _DAY
    return _localize(parsed, zone, now)


def _localize(naive: datetime, zone: tzinfo, now: datetime) -> datetime:
    """Wall time in `zone` to UTC: refuse a skipped time, take the latest allowed of a repeated one."""
    if not datetime_exists(naive, zone):
        raise WhenRefused("when_nonexistent", time=f"{naive:%H:%M}")
    earlier = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)  # same as earlier unless repeated
    return later if later <= now + FUTURE_TOLERANCE else earlier
