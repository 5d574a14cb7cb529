"""Read a reporter's "when" as people type it, keeping how precise it was.

`read_when` turns "10 min ago", "like 10 mins ago!!", "around 7", "hace como una hora", "this morning",
"19h30", "rn" ... into an `ObservedTime`: a window ``earliest..latest`` in UTC with its `TimePrecision`.
A report is never bounced for how its time is written, and an alert never shows a time we made up:

- EXACT: a clock time or an unhedged count ("11:15", "7.30pm", "a las 3 y media", "10 min ago").
- APPROXIMATE: a window that holds every moment the words allow (hedged times, "a few minutes ago",
  "this morning", "hace un rato", ranges like "10-15 min ago"). Shown as "about 11:05" or "between ...".
- NOT_GIVEN: no time, "I don't know" ("idk", "no sé", "n/a"), or text that is not a time at all ("near the
  school", "5"): only the moment the report was received is known; `unreadable` says text was given that we
  could not read (not set for an empty field or an "I don't know"). The report is kept, never refused.

Only what cannot be a recent observation is refused, with `WhenRefused`:

- ``when_future``: more than `FUTURE_TOLERANCE` after now ("tomorrow", "in 10 min", "today 13:00" at noon);
- ``when_too_old``: entirely more than `MAX_AGE` before now ("8 days ago", "2 weeks ago");
- ``when_unparseable``: an oversized field (over `MAX_LENGTH` characters, or expanding past three times that).

`parse_when`, for callers that need one instant (a statement's published time), also refuses text it cannot
read (``when_unparseable``), a window wider than `POINT_WIDTH` (``when_vague``) and a clock time that a
daylight-saving jump skipped (``when_nonexistent``).

How text is cleaned: NFKC; format characters and surrogates dropped; controls, emoji and other symbols made
spaces; case and accents ignored; any script's digits made ASCII; repeated punctuation, quotes and brackets
dropped; "a.m." is "am"; "~", "≈" and "±" are "about"; "@" is "at"; "10+" is "more than 10"; a "?" makes the
time hedged ("10 min ago?"); "30'" is 30 minutes; units and am/pm are unglued from numbers ("9min",
"2hrs", "7pm", "19h30", "7ish"); letters repeated three times or more, or a doubled last letter, are
squeezed ("nowww", "agoo"); a word of five letters or more one typing slip away from known words that all
mean the same is read as them ("mintues", "yesterdy", "arround"); common slips are listed ("ase", "alas").
Words that carry no time ("i", "saw", "them", "lol", "pls", "help", "los vi") are skipped; any other word
left over makes the text unreadable rather than guessed around ("10 min ago near walmart").

Windows (all local times in the community's zone; every window is cut to now and to `MAX_AGE` ago):

- Hedges ("about", "around", "like", "approx", "roughly", "maybe", "~", "-ish", "como", "cerca de",
  "más o menos", "eso de", "unos", "tipo", "creo"...) anywhere in the text make the time approximate:
  "about N ago" is ``N ± max(2 min, N/3)`` ago (about 15 min -> 10..20 min ago); a hedged clock with minutes
  ("around 7:30") is ±15 min; a hedged bare hour ("around 7", "like 8", "como a las 3", "7ish") or "noon"
  is ±30 min. A range is its ends ("10-15 min ago", "entre 10 y 15 minutos", "between 7 and 8").
- Directions: "almost"/"casi"/"just before" N -> the last third before N (clock: 15 or 30 min before);
  "just over"/"poco después de" -> the same after; "more than"/"over"/"más de"/"10+" N ago -> N..2N ago;
  "less than"/"within the last"/"en los últimos"/"for" N -> 0..N ago; "since"/"desde" X -> X..now;
  "before 7"/"antes de las 7" -> the hour before; "after 7" -> the hour after; "7 y pico"/"7 something"
  -> 7:00..7:59.
- Vague counts: "a couple (of) minutes" 1..5 min, "a few minutes"/"unos minutos" 2..10, "several
  minutes"/"varios minutos" 3..20 (hours: couple 1..3 h, few 2..5 h, several 2..8 h); a unit alone
  ("minutes ago", "hace horas") is a few of it; "a few seconds" and "just now"/"hace un momento"/"recién"
  0..5 min; "a little while"/"hace un ratito"/"a bit" 5..30 min; "hace poco"/"not long ago" 2..60 min;
  "a while"/"hace un rato"/"earlier" 15..120 min; "a good while"/"un buen rato" 30..180 min; "recently"
  0..120 min. "hace mucho"/"a long time ago" says nothing usable: unreadable.
- Parts of the day: early morning/madrugada 00-08, morning 05-12, lunch 11-14, afternoon/tarde 12-19,
  evening 17-23, night 18-06 (the night of a day runs into the next morning; "last night"/"anoche" is yesterday's, and
  "tonight" said before 06:00 is the night still going on). "this morning"/"esta mañana"/"earlier this
  morning" is today's; "this morning" said before 05:00 means the small hours so far. Without "this",
  "yesterday" or a day name, a part is its most recent occurrence that has begun.
- Days: "today"/"earlier today"/"hoy temprano" is midnight..now; "yesterday", "anteayer", a weekday
  (its most recent occurrence, today included; "last monday" on a Monday is a week ago) or a date is that
  whole local day, as is "the 22nd" (this month's, or last month's if still to come); "2 days ago"/"hace 3
  días" is that calendar day; "this week"/"in the past week" is the last 7 days; "last week"/"la semana
  pasada"/"the other day" is from 7 days ago to the start of today. A weekday named on that weekday is
  today's, or last week's when today's would be in the future ("friday 3pm" said on a Friday at noon).

Clock times: "11:15", "7.30", "19h30", "7 30 pm", "730pm", "0700", "1930 hrs", "a las 7 y media", "3 y cuarto", "4 menos
cuarto", "cuarto para las 8", "half past 7", "quarter to 8", "10 past 7", "seven thirty", "noon",
"mediodía", "midnight". am/pm may come from "de la tarde", "in the morning", "tonight", "anoche"...; "15:00
pm" is 15:00 and contradictions ("13 de la mañana") are unreadable. A bare number is a clock hour only with
something saying so ("at 5", "a las 11", "around 7", "5 pm", "7 o'clock", "yesterday 3"); "5" alone is
unreadable (minutes? hours? o'clock?). Without a day, a clock time is its most recent occurrence that is not
more than `FUTURE_TOLERANCE` ahead (a hedged one: whose window has begun): "23:50" said at 00:20 was
yesterday. An hour from 1 to 12 written without am/pm and without a leading zero ("7:30", "a las 3") may be
either: the latest of the two that is not in the future is taken ("7:30" said at 20:00 is 19:30); "07:30",
"0:30" and "15:10" are read on the 24-hour clock. With "yesterday", a weekday or a date, both readings are
in the past and nothing says which, so the hour is read as written (24-hour clock). A named day is never
moved: "today 13:06" said at noon is refused as future, as is a date without a year that is still to come
(never moved to last year). "tomorrow", "mañana a las 3", "in 10 min", "en 10 minutos", "dentro de una
hora", "10 min from now", "later", "más tarde" are future; "mañana" alone ("tomorrow", or a lost "esta
mañana"?) is unreadable.

Relative times: digits, decimals ("1.5 hours", "1,5 horas"), fractions ("1½", "1 1/2 hours") and number
words in both languages ("ten", "twenty-five", "treinta y cinco", "veinticinco"); compounds ("1 hr 20 min",
"1h20 ago", "una hora y media", "hora y cuarto"); "ago", "hace", "atrás", "back", "before" in any place, or
none at all ("10 min", "like 5 mins" mean ago: an observation cannot be ahead). Unhedged counts are EXACT.
"now", "rn", "right now", "asap", "ya", "ahorita", "justo ahora", "happening now", "still there" are EXACT
now: the reporter says it is going on as they type, so the moment of the report is a true moment of it.

Dates: ISO (Y-M-D, with "T", seconds, fractions and an offset, which then beats the community's zone);
slashes in the language's order ("01/02" is 2 January in English, 1 February in Spanish; when only one
order is a real date, that one); dotted with a year ("24.01.2025"); month names ("jan 24", "24 de enero").
Zone abbreviations ("11:15 EST", "17:15z", "utc") are honoured as fixed offsets, and US zone names
("10:30 central", "eastern time") as those zones with their daylight saving.

Daylight saving: a repeated wall time (fall back) is its most recent allowed occurrence, the later one if it
is not in the future. A skipped wall time (02:30 on a spring-forward day) is kept as the APPROXIMATE window
between its two possible readings (the clock before and after the jump), rather than refused.

All instants are UTC, whole seconds: `now` loses its microseconds first, window ends are rounded outwards.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil.tz import datetime_exists

from verification.errors import WhenRefused
from verification.model import Language
from verification.observed_time import ObservedTime, TimePrecision

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks disagree by a few minutes
MAX_AGE = timedelta(days=7)
MAX_LENGTH = 100  # longest text looked at; the reader never sees anything longer
POINT_WIDTH = timedelta(minutes=30)  # `parse_when` reads a window at most this wide as its midpoint
_TOLERANCE_MINUTES = int(FUTURE_TOLERANCE.total_seconds() // 60)
_MINUTE, _HOUR, _DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


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
        raise WhenRefused("when_unparseable")  # "idk" is no time, and now would be made up
    if skipped is not None:
        raise WhenRefused("when_nonexistent", time=skipped)
    if observed.latest - observed.earliest > POINT_WIDTH:
        raise WhenRefused("when_vague")
    return observed.at


def _read(text: str | None, now: datetime, zone: tzinfo, language: Language) -> tuple[ObservedTime, str | None]:
    """The observed time and, when it fell in a daylight-saving gap, the wall time as written ("02:30")."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("read_when needs an aware `now`")
    now = now.astimezone(UTC).replace(microsecond=0)
    if text is None or not text.strip():
        return ObservedTime.not_given(now), None
    if len(text) > MAX_LENGTH:
        raise WhenRefused("when_unparseable", max_length=MAX_LENGTH)
    words = _clean(text)
    if len(words) > 3 * MAX_LENGTH:  # NFKC can expand one character into many: hostile, not a typo
        raise WhenRefused("when_unparseable", max_length=MAX_LENGTH)
    tokens = _lex(words.split())
    reading = _interpret(tokens, now, zone, language)
    if reading is None:
        understood = "DUNNO" in tokens and set(tokens) <= {"DUNNO", "HEDGE"}  # "idk", "not sure?"
        return ObservedTime.not_given(now, unreadable=_visible(text) and not understood), None
    return _finish(reading, now), reading.skipped


def _visible(text: str) -> bool:
    return any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") for c in text)


def _whole_second(moment: datetime, *, up: bool = False) -> datetime:
    moment = moment.astimezone(UTC)
    if up and moment.microsecond:
        moment += timedelta(seconds=1)
    return moment.replace(microsecond=0)


# --- cleaning ---------------------------------------------------------------------------------------------

_VULGAR = {"½": ".5", "¼": ".25", "¾": ".75"}
_CLEANING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.ASCII), replacement)
    for pattern, replacement in (
        (r"(?<![a-z])([ap]) ?\. ?m(?![a-z])\.?", r"\1m"),  # a.m., p. m.
        (r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(?=[0-9])", r"\1 "),  # ISO 8601's "T"
        (r"[~≈±]|\+ ?/? ?-", " about "),
        (r"@", " at "),
        (r"&", " and "),
        (r"[?¿]", " ? "),
        (r"([0-9]+(?:[.,][0-9]+)?) ?\+(?![0-9])", r" more than \1 "),  # "10+ min ago"
        (r"(?<=[0-9]) ?- ?(?=[0-9])", "-"),
        (r"(?<=[0-9]),(?=[0-9])", "."),  # "1,5 horas"
        (r"(?<![0-9.])\.(?=[0-9])", "0."),  # ".5 hours"
        (r"(?<![0-9])[-.:/]|[-.:/](?![0-9])", " "),  # kept only between digits
        (r"([0-9]) ?['’′](?![a-z])", r"\1 min "),  # "hace 30'"
        (r"['`´‘’]", ""),  # o'clock, 'bout
        (r"([0-9])(?:st|nd|rd|th)(?![a-z])", r"\1 ORD"),  # "the 22nd": a day of the month
        (r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])", " "),  # 9min, 7pm, 19h30
    )
)
# An ISO date-time's offset becomes one token ("OFFM0600"): a lone "+" or "-" means something else.
_ISO_OFFSET = re.compile(
    r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?) ?"
    r"(?:(?P<z>z)|(?P<sign>[+-])(?P<hh>[0-9]{2}):?(?P<mm>[0-9]{2})?)(?![0-9:])",
    re.ASCII,
)


def _offset_token(match: re.Match[str]) -> str:
    if match["z"]:
        return f"{match[1]} OFFP0000"
    return f"{match[1]} OFF{'P' if match['sign'] == '+' else 'M'}{match['hh']}{match['mm'] or '00'}"


def _clean(text: str) -> str:
    """Lower-case ASCII-ish words and number tokens, separated by single spaces (see the module doc)."""
    text = re.sub(r"([0-9])\s*([½¼¾])", lambda m: m[1] + _VULGAR[m[2]], text)  # before NFKC makes 1⁄2
    text = text.replace("½", " half ").replace("¼", " quarter ").replace("¾", " 0.75 ")
    kept: list[str] = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        category = unicodedata.category(char)
        if category in ("Cf", "Cs"):
            continue
        if category == "Nd":
            kept.append(str(unicodedata.digit(char)))
        elif category[0] == "C":
            kept.append(" ")
        else:
            kept.append(char)
    text = "".join(c for c in unicodedata.normalize("NFD", "".join(kept)) if unicodedata.category(c)[0] != "M")
    for step, (pattern, replacement) in enumerate(_CLEANING):
        text = pattern.sub(replacement, text)
        if step == 1:  # the ISO "T" is gone and the offset's sign is still there
            text = _ISO_OFFSET.sub(_offset_token, text)
    return " ".join("".join(c if c.isalnum() or c in "-.:/?" else " " for c in text).split())


# --- lexicon ----------------------------------------------------------------------------------------------
# Phrases (after cleaning) and the tokens they stand for. Upper-case tokens cannot come from the text, which
# is case-folded. An empty value drops the words: they say nothing about the time.

_LEXICON: dict[str, tuple[str, ...]] = {
    "NOW": (
        "now", "right now", "rite now", "rigth now", "rn", "atm", "asap", "happening now", "happening right now",
        "happening", "currently", "at the moment", "at this moment", "this moment", "as we speak", "live",
        "ongoing", "still", "still there", "still here", "now now", "ahora", "ahorita", "ahorita mismo",
        "ahora mismo", "orita", "horita", "ahoritita", "ya mismo", "justo ahora", "en este momento",
        "en estos momentos", "este momento", "ahora mero", "en vivo", "actualmente", "todavia", "aun", "siguen",
        "pasando", "esta pasando", "en curso", "in progress", "going on", "rightnow", "justo ahorita",
    ),
    "YA": ("ya",),  # "now" alone, "already" beside other words ("ya se fueron")
    "JUST": ("just", "justo", "recien", "recientito", "acaba de", "acaban de", "acabo de", "acabamos de"),
    "W_MOMENT": (
        "just now", "justnow", "hace nada", "moment", "a moment", "moments", "a few moments", "momento",
        "un momento", "momentito", "un momentito", "unos momentos", "a sec", "a second", "a few seconds",
        "few seconds", "un segundo", "un segundito", "unos segundos", "unos segunditos",
    ),
    "W_RATITO": (
        "a little while", "little while", "a bit", "a little bit", "little bit", "bit", "a short while",
        "short while", "ratito", "un ratito", "ratitito", "un poco", "un poquito", "poquito",
    ),
    "W_POCO": ("poco", "not long", "not too long", "not that long", "no mucho"),
    "W_RATO": ("a while", "awhile", "while", "rato", "un rato", "some time", "un tiempo"),
    "W_GOODWHILE": (
        "a good while", "a long while", "quite a while", "a good bit", "un buen rato", "buen rato",
        "un rato largo", "rato largo", "ratote",
    ),
    "W_RECENT": ("recently", "recent", "lately", "recientemente"),
    "W_THISWEEK": (
        "this week", "esta semana", "past week", "in the past week", "in the last week", "within the last week",
        "durante la semana", "en la semana",
    ),
    "W_LASTWEEK": ("last week", "la semana pasada", "semana pasada", "the other day", "el otro dia"),
    "EARLIER": ("earlier", "earlier on", "mas temprano", "previously", "hace rato ya"),
    "EARLY": ("early", "temprano", "tempranito"),
    "LONGAGO": ("a long time ago", "long ago", "long time ago", "hace mucho", "hace mucho tiempo", "hace tiempo"),
    "HEDGE": (
        "?", "about", "abt", "bout", "abut", "abour", "around", "round", "arnd", "like", "approx",
        "approximately", "approximate", "aprox", "aproximadamente", "aproximado", "aproximada", "apx", "aprx",
        "apprx", "roughly", "maybe", "may be", "probably", "prob", "probs", "prolly", "perhaps", "possibly",
        "i think", "think", "i believe", "believe", "i guess", "guess", "guessing", "im guessing", "not 100 sure",
        "not exactly", "no se bien", "creo", "creo que", "yo creo", "tal vez",
        "talvez", "quizas", "quiza", "a lo mejor", "capaz", "como", "como que", "tipo", "cerca de", "cerca del",
        "cerca", "mas o menos", "masomenos", "mas menos", "maso", "more or less", "or so", "or something",
        "o algo asi", "o algo", "give or take", "ish", "estimated", "estimate", "alrededor de", "alrededor",
        "al rededor de", "eso de", "a eso de", "por eso de", "por ahi de", "por ahi", "something like",
        "somewhere around", "round about", "plus or minus", "plus minus", "circa", "some", "unos", "unas",
        "sometime", "sometime around", "at some point", "en algun momento",
        "give or take a few",
    ),
    # "I don't know": alone, the time is not given (and that was understood); beside a time, a hedge.
    "DUNNO": (
        "idk", "i dont know", "dont know", "dunno", "i dunno", "not sure", "im not sure", "not sure when",
        "no idea", "unknown", "unsure", "n a", "na", "who knows", "no se", "no lo se", "no estoy seguro",
        "no estoy segura", "ni idea", "quien sabe", "desconocido", "no recuerdo", "dont remember",
    ),
    "ALMOST": (
        "almost", "nearly", "just under", "a little under", "little under", "not quite", "casi",
        "un poco menos de", "poco menos de", "just before", "right before", "shortly before", "a little before",
        "poco antes de", "un poco antes de", "poco antes de las", "un poco antes de las",
    ),
    "JUSTOVER": (
        "just over", "a little over", "little over", "a bit over", "un poco mas de", "poco mas de", "just after",
        "a little after", "shortly after", "right after", "poco despues de", "un poco despues de",
        "poco despues de las", "un poco despues de las", "despuesito de",
    ),
    "OVER": ("over", "more than", "mas de", "at least", "por lo menos", "al menos", "or more", "maybe more", "o mas"),
    "WITHIN": (
        "less than", "under", "menos de", "within", "within the last", "within the past", "in the last",
        "in the past", "the last", "the past", "over the last", "over the past", "during the last",
        "for the last", "for the past", "en los ultimos", "en las ultimas", "los ultimos", "las ultimas",
        "en el ultimo", "en la ultima", "durante los ultimos", "durante las ultimas", "no more than", "at most",
        "or less", "maybe less", "o menos",
    ),
    "FOR": ("for", "durante", "llevan"),
    "BETWEEN": ("between", "entre", "somewhere between"),
    "SINCE": ("since", "desde", "starting at", "desde las", "desde la"),
    "SINCE AGO": ("desde hace",),
    "BEFORE": ("before", "antes", "antes de", "antes de las", "antes de la", "prior to"),
    "AFTER": ("after", "despues", "despues de", "despues de las", "despues de la"),
    "PICO": ("y pico", "and something", "something", "y algo", "y tantos", "and change"),
    "AGO": ("ago", "hace", "ase", "ace", "hase", "haze", "atras", "atraz", "back", "antes de ahora"),
    "AGO HEDGE": ("hace como", "hace unos", "hace unas"),
    "AGO W_POCO": ("no hace mucho",),
    "GONE": ("left", "gone", "se fueron", "fueron", "se fue", "went", "already", "ya se fueron", "ya se fue"),
    "IN": ("in", "en", "within the next"),
    "FUTURE": (
        "from now", "later", "later today", "later on", "luego", "mas tarde", "al rato", "next", "proximo",
        "dentro de",
    ),
    "TOMORROW": ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "pasado manana", "manana temprano"),
    "MANANA": ("manana",),  # "tomorrow", but also a lost "(esta) mañana"
    "TODAY": ("today", "tday", "hoy", "this day", "hoy dia", "el dia de hoy", "all day", "all day long",
              "the whole day", "todo el dia"),
    "YESTERDAY": ("yesterday", "yday", "yest", "ystrdy", "ayer", "el dia de ayer"),
    "DBY": ("day before yesterday", "the day before yesterday", "anteayer", "antier", "antes de ayer", "antesdeayer"),
    "THIS": ("this", "esta", "este"),
    "LAST": ("last", "pasado", "pasada", "this past"),
    "MORNING": (
        "morning", "mornin", "morn", "midmorning", "mid morning", "the morning", "in the morning", "la manana",
        "de la manana", "en la manana", "por la manana", "mananita", "la mananita", "de manana", "this am", "in the am",
    ),
    "THIS MORNING": ("esta manana", "this mornin", "esta mananita"),
    "EARLYMORNING": (
        "early morning", "early in the morning", "madrugada", "la madrugada", "de madrugada",
        "de la madrugada", "en la madrugada", "por la madrugada", "early am", "dawn", "at dawn", "amanecer",
        "al amanecer", "temprano en la manana",
    ),
    "THIS EARLYMORNING": ("early this morning", "this early morning", "esta madrugada"),
    "AFTERNOON": (
        "afternoon", "the afternoon", "midafternoon", "mid afternoon", "in the afternoon", "la tarde",
        "de la tarde", "en la tarde", "por la tarde", "tarde", "tardecita", "la tardecita", "this pm", "in the pm",
    ),
    "THIS AFTERNOON": ("esta tarde", "esta tardecita"),
    "EVENING": ("evening", "the evening", "in the evening", "eve"),
    "NIGHT": (
        "night", "nite", "at night", "the night", "la noche", "de la noche", "en la noche", "por la noche",
        "noche", "overnight",
    ),
    "THIS NIGHT": ("tonight", "tonite", "esta noche"),
    "YESTERDAY NIGHT": (
        "anoche", "last nite", "lastnight", "lastnite", "ayer en la noche", "ayer por la noche", "ayer noche",
    ),
    "LUNCH": (
        "lunch", "lunchtime", "at lunch", "at lunchtime", "during lunch", "around lunch", "lunch time",
        "a la hora del almuerzo", "a la hora de la comida", "la hora del almuerzo", "hora de comida", "almuerzo",
    ),
    "NOON": ("noon", "midday", "mediodia", "medio dia", "el mediodia", "12 noon", "12 mediodia"),
    "MIDNIGHT": ("midnight", "medianoche", "media noche", "la medianoche", "12 midnight"),
    "CLOCKAT": ("at", "a las", "a la", "las", "de las", "by", "alas"),
    "OCLOCK": ("oclock", "o clock", "en punto", "hours sharp", "sharp"),
    "AM": ("am",),
    "PM": ("pm",),
    "SEC": ("sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos", "segunditos"),
    "MIN": (
        "min", "mins", "minute", "minutes", "minuto", "minutos", "minutito", "minutitos", "mn", "mns", "mnt",
        "mnts", "mint", "mints", "minits", "minuts", "mits", "minitos",
    ),
    "HOUR": ("hour", "hours", "hr", "hrs", "hora", "horas", "horitas", "hs", "hrz", "hors"),
    "1 HOUR": ("una horita", "1 horita"),  # "horita" alone is "ahorita": now
    "DAY": ("day", "days", "dia", "dias"),
    "WEEK": ("week", "weeks", "wk", "wks", "semana", "semanas"),
    "0.5 HOUR": (
        "half an hour", "half a hour", "half hour", "a half hour", "a half an hour", "half an hr", "half hr",
        "media hora", "media horita", "1/2 hour", "1/2 hr", "1/2 an hour",
    ),
    "0.25 HOUR": ("a quarter of an hour", "quarter of an hour", "quarter hour", "a quarter hour",
                  "un cuarto de hora", "cuarto de hora"),
    "0.75 HOUR": ("three quarters of an hour", "tres cuartos de hora", "3/4 of an hour", "3/4 hour"),
    "FEW": ("few", "a few", "a few of", "unos pocos", "unas pocas", "pocos", "pocas", "algunos", "algunas"),
    "COUPLE": ("couple", "a couple", "a couple of", "couple of", "un par de", "par de", "un par"),
    "SEVERAL": ("several", "varios", "varias", "many", "muchos", "muchas"),
    "HALFMORE": ("and a half", "and half", "y media", "y medio"),
    "QUARTERMORE": ("y cuarto", "and a quarter"),
    "QUARTERLESS": ("menos cuarto",),
    "HALFPAST": ("half past", "half after"),
    "QUARTERPAST": ("quarter past", "a quarter past", "quarter after", "a quarter after"),
    "QUARTERTO": (
        "quarter to", "a quarter to", "quarter till", "a quarter till", "quarter til", "quarter of",
        "cuarto para las", "cuarto para la", "un cuarto para las", "un cuarto para la",
    ),
    "PAST": ("past",),
    "TO": ("to",),
    "TILL": ("till", "til", "until", "para las", "para la", "para"),
    "MINUS": ("menos",),
    "OR": ("or", "o", "u"),
    "Y": ("and", "y", "plus", "con"),
    "1": ("an", "un", "una", "uno", "one"),
    "ZONE_EST": ("est",), "ZONE_EDT": ("edt",), "ZONE_CST": ("cst",), "ZONE_CDT": ("cdt",),
    "ZONE_MST": ("mst",), "ZONE_MDT": ("mdt",), "ZONE_PST": ("pst",), "ZONE_PDT": ("pdt",),
    "ZONE_UTC": ("utc", "gmt", "utc time"),
    "ZONE_CENTRAL": ("central", "central time", "ct", "hora del centro"),
    "ZONE_EASTERN": ("eastern", "eastern time", "et"),
    "ZONE_MOUNTAIN": ("mountain", "mountain time", "mt"),
    "ZONE_PACIFIC": ("pacific", "pacific time", "pt"),
    "": (
        "i", "im", "ive", "we", "they", "theyre", "them", "he", "she", "it", "its", "was", "were", "is", "are",
        "been", "be", "r", "saw", "seen", "see", "spotted", "noticed", "happened", "came", "come", "arrived",
        "showed up", "there", "here", "that", "the", "of", "on", "el", "lo", "los", "le", "les", "yo", "vi",
        "vimos", "visto", "vieron", "fue", "paso", "sucedio", "ocurrio", "llegaron", "llego", "estaban",
        "estan", "eran", "son", "se", "que", "q", "ok", "okay", "lol", "lmao", "omg", "pls", "plz", "please",
        "por favor", "porfa", "um", "umm", "uh", "eh", "hmm", "ah", "oh", "so", "well", "bueno", "pues",
        "oye", "hey", "yes", "yeah", "yep", "si", "only", "solo", "nomas", "no mas", "exactly", "exactamente",
        "precisely", "time", "the time", "de", "del", "al", "por", "when", "cuando", "ice", "migra", "la migra",
        "agents", "agentes", "cops", "police", "policia", "was like", "it was", "eso fue", "fue como",
        "around here", "por aqui", "aqui", "ahi", "alli", "alla", "late", "pasar", "ir", "irse", "llegar", "ver",
        "verlos", "hurry", "help", "urgent", "urgente", "ayuda", "cuidado", "careful", "alert", "alerta",
        "emergency", "emergencia", "all", "todo", "toda", "whole", "entire", "mid", "local time", "hora local",
        "mero",
    ),
}  # fmt: skip

_WEEKDAYS = (
    ("monday", "mon", "lunes"), ("tuesday", "tue", "tues", "martes"), ("wednesday", "wed", "weds", "miercoles"),
    ("thursday", "thu", "thur", "thurs", "jueves"), ("friday", "fri", "viernes"), ("saturday", "sabado"),
    ("sunday", "domingo"),
)  # fmt: skip
_MONTHS = (
    ("january", "jan", "enero", "ene"), ("february", "feb", "febrero"), ("march", "marzo"),
    ("april", "apr", "abril", "abr"), ("may", "mayo"), ("june", "jun", "junio"), ("july", "jul", "julio"),
    ("august", "aug", "agosto"), ("september", "sep", "sept", "septiembre", "setiembre"),
    ("october", "oct", "octubre"), ("november", "nov", "noviembre"), ("december", "dec", "diciembre", "dic"),
)  # fmt: skip
_ONES_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_ONES_ES = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once",
            "doce", "trece", "catorce", "quince", "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte",
            "veintiuno", "veintidos", "veintitres", "veinticuatro", "veinticinco", "veintiseis", "veintisiete",
            "veintiocho", "veintinueve")  # fmt: skip
_TENS_EN = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}  # fmt: skip
_TENS_ES = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
            "noventa": 90}  # fmt: skip


def _number_words() -> dict[str, tuple[str, ...]]:
    words: dict[str, list[str]] = {}
    for ones in (_ONES_EN, _ONES_ES):
        for value, word in enumerate(ones):
            words.setdefault(str(value), []).append(word)
    words["21"].append("veintiun")
    words["21"].append("veintiuna")
    for tens, value in _TENS_EN.items():
        words.setdefault(str(value), []).append(tens)
        for unit in range(1, 10):
            words.setdefault(str(value + unit), []).append(f"{tens} {_ONES_EN[unit]}")
    for tens, value in _TENS_ES.items():
        words.setdefault(str(value), []).append(tens)
        for unit in range(1, 10):
            words.setdefault(str(value + unit), []).append(f"{tens} y {_ONES_ES[unit]}")
        words.setdefault(str(value + 1), []).extend((f"{tens} y un", f"{tens} y una"))
    return {key: tuple(value) for key, value in words.items()}


def _build_phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    entries: list[tuple[str, Iterable[str]]] = list(_LEXICON.items())
    entries += [(f"WD{n}", names) for n, names in enumerate(_WEEKDAYS)]
    entries += [(f"MON{n}", names) for n, names in enumerate(_MONTHS, start=1)]
    entries += list(_number_words().items())
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for tokens, texts in entries:
        for text in texts:
            words, meaning = tuple(text.split()), tuple(tokens.split())
            if phrases.setdefault(words, meaning) != meaning:
                raise ValueError(f"{text!r} is listed as both {phrases[words]} and {meaning}")
    return phrases


_PHRASES = _build_phrases()
_LONGEST_PHRASE = max(len(words) for words in _PHRASES)
_VOCABULARY = frozenset(word for words in _PHRASES for word in words if word.isalpha())
_TYPO_VOCABULARY = tuple(sorted(word for word in _VOCABULARY if len(word) >= 5))
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_CLOCK_TOKEN = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?", re.ASCII)
_UNIT_AFTER_NUMBER = {"m": "MIN", "h": "HOUR", "s": "SEC", "d": "DAY", "p": "PM"}


def _lex(words: list[str]) -> list[str]:
    """Known phrases, longest first, as their tokens; numbers as they are; unknown words as they are."""
    words = [_spelled(word) for word in words]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        previous_is_number = bool(tokens) and bool(re.fullmatch(r"[0-9][0-9.:]*", tokens[-1]))
        if word == "h" and previous_is_number and re.fullmatch(r"[0-5][0-9]", after):
            tokens.append("HCLOCK")  # "19h30" is a clock time; "1h30 ago" a duration
        elif word in _UNIT_AFTER_NUMBER and previous_is_number:
            tokens.append(_UNIT_AFTER_NUMBER[word])
        elif word == "a" and previous_is_number and not _NUMBER.fullmatch(after) and after not in ("las", "la"):
            tokens.append("AM")  # "7a": but "10 a 15 minutos" is a range and "a las" a clock
        elif word == "z" and tokens and _CLOCK_TOKEN.fullmatch(tokens[-1]):
            tokens.append("ZONE_UTC")
        elif word == "la" and after[:1].isdigit():
            tokens.append("CLOCKAT")  # "la 1"
        else:
            for length in range(min(_LONGEST_PHRASE, len(words) - i), 0, -1):
                meaning = _PHRASES.get(tuple(words[i : i + length]))
                if meaning is not None:
                    if length == 1 and word in _SINGULAR_UNITS and not _counted(tokens):
                        tokens.append("1")  # "the last hour", "hour ago": one of it; "hours ago" is a few
                    tokens.extend(meaning)
                    i += length
                    break
            else:
                tokens.append(word)
                i += 1
            continue
        i += 1
    return tokens


_SINGULAR_UNITS = frozenset(
    {"hour", "hr", "hora", "minute", "minuto", "minutito", "second", "segundo", "day", "dia", "week",
     "semana", "wk"}
)  # fmt: skip


def _counted(tokens: list[str]) -> bool:
    """Whether the unit about to follow already has its count."""
    return bool(tokens) and (tokens[-1][0].isdigit() or tokens[-1] in ("a", "FEW", "COUPLE", "SEVERAL", "HALFMORE"))


def _spelled(word: str) -> str:
    """A known word for a slip of the keyboard ("nowww", "mintues"); other words unchanged."""
    if word in _VOCABULARY or not word.isalpha() or not word.isascii():
        return word
    squeezes = (re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word), re.sub(r"(.)\1$", r"\1", word))
    for squeezed in squeezes:  # "nowww", "agoo", "ahoritaaa"
        if squeezed != word and squeezed in _VOCABULARY:
            return squeezed
    if len(word) < 5:
        return word
    near = [known for known in _TYPO_VOCABULARY if _one_slip(word, known)]
    meanings = {_PHRASES.get((known,), (known,)) for known in near}
    return near[0] if len(meanings) == 1 else word  # "minuets": "minutes" and "minuts" mean the same


def _one_slip(word: str, known: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(word) - len(known)) > 1 or word == known:
        return False
    start = 0
    while start < min(len(word), len(known)) and word[start] == known[start]:
        start += 1
    a, b = word[start:], known[start:]
    return a[1:] == b[1:] or a == b[1:] or a[1:] == b or (a[:2] == b[1::-1] and a[2:] == b[2:])


# --- what the tokens say ----------------------------------------------------------------------------------

_UNITS: dict[str, timedelta] = {
    "SEC": timedelta(seconds=1),
    "MIN": _MINUTE,
    "HOUR": _HOUR,
    "DAY": _DAY,
    "WEEK": 7 * _DAY,
}
_VAGUE_COUNTS: dict[str, tuple[float, float]] = {"COUPLE": (1, 3), "FEW": (2, 5), "SEVERAL": (2, 8)}
# Where the units' own habits differ from the counts above: "a few minutes" is 2..10, not 2..5.
_VAGUE_MINUTES: dict[str, tuple[float, float]] = {"COUPLE": (1, 5), "FEW": (2, 10), "SEVERAL": (3, 20)}
_WORD_WINDOWS: dict[str, tuple[int, int]] = {  # minutes ago
    "W_MOMENT": (0, 5),
    "W_RATITO": (5, 30),
    "W_POCO": (2, 60),
    "W_RATO": (15, 120),
    "W_GOODWHILE": (30, 180),
    "W_RECENT": (0, 120),
    "EARLIER": (15, 120),
}
_PARTS: dict[str, tuple[int, int]] = {  # local hours of the day it belongs to; the night runs into the next
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
_QUANTITY_START = frozenset({"a", "FEW", "COUPLE", "SEVERAL", *_UNITS, *_WORD_WINDOWS})


@dataclass(frozen=True, slots=True)
class _Reading:
    earliest: datetime
    latest: datetime
    exact: bool
    skipped: str | None = None  # the wall time as written, when a daylight-saving jump skipped it


@dataclass(slots=True)
class _Said:
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


def _sort(tokens: list[str]) -> _Said:
    said = _Said()
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        number_after = bool(_NUMBER.fullmatch(after)) or after in _QUANTITY_START or after.startswith("0.")
        if token in _FLAGS:
            setattr(said, _FLAGS[token], True)
        elif token == "BEFORE" and (before in _UNITS or before in _WORD_WINDOWS):
            said.ago = True  # "10 min before", "un rato antes"
        elif token == "AFTER" and _NUMBER.fullmatch(before) and _NUMBER.fullmatch(after):
            said.core.append("PAST")  # "10 after 7"
        elif token == "IN":
            said.future |= number_after  # "in 10 min", "en un rato"; "in" elsewhere says nothing
        elif token == "FOR":
            if number_after:
                said.directions.add("WITHIN")  # "for 20 min": seen during them
        elif token in ("FEW", "SEVERAL") and _NUMBER.fullmatch(after):
            said.hedge = True  # "unos 10 minutos", "some 20 minutes"
        elif token in _DIRECTIONS:
            said.directions.add(token)
        elif token in ("AM", "PM"):
            said.ampm.add(token)
        elif token in _PARTS:
            said.parts.add(token)
        elif token in ("TODAY", "YESTERDAY", "DBY") or re.fullmatch(r"WD[0-6]", token):
            said.days.append(token)
        elif token in _WORD_WINDOWS or token in ("W_THISWEEK", "W_LASTWEEK"):
            said.windows.add(token)
        elif token.startswith(("ZONE_", "OFF")):
            said.zones.add(token)
        else:
            said.core.append(token)
    return said


def _zone_of(said: _Said, zone: tzinfo) -> tzinfo | None:
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


def _interpret(tokens: list[str], now: datetime, zone: tzinfo, language: Language) -> _Reading | None:
    """What the tokens say, or None when they say no time we can read."""
    said = _sort(tokens)
    if said.parts == {"NIGHT", "AFTERNOON"}:
        said.parts = {"NIGHT"}  # "anoche tarde": "tarde" is late here, not the afternoon
    if any(not (token.isascii() and (token[0].isdigit() or token.isupper())) and token != "a" for token in said.core):
        return None  # a word we do not know: reading around it would be guessing
    if said.long_ago or len(said.ampm) > 1 or len(said.parts) > 1 or len(said.windows) > 1:
        return None
    if len(said.directions) > 1 and said.directions != {"SINCE", "WITHIN"}:
        return None
    where = _zone_of(said, zone)
    if where is None:
        return None
    local_now = now.astimezone(where).replace(tzinfo=None)
    day = _day(said, local_now, language)
    if day is _NO_DAY:
        return None
    same_weekday_last_week = None
    if day == local_now.date() and not said.last and any(word.startswith("WD") for word in said.days):
        same_weekday_last_week = day - 7 * _DAY  # "friday 3pm" said on a Friday at noon
    if said.future or said.tomorrow or (said.manana and (said.core or said.parts or said.ampm)):
        raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
    context = _Context(said, now, local_now, where, day, same_weekday_last_week)
    if not said.core:
        return _without_numbers(context)
    if said.windows:
        return None
    return _duration_reading(context) or _clock_reading(context)


@dataclass(frozen=True, slots=True)
class _Context:
    said: _Said
    now: datetime
    local_now: datetime  # naive wall time in `where`
    where: tzinfo
    day: date | None  # the day named, if any
    fallback: date | None = None  # a weekday named on that weekday may also be last week's

    @property
    def today(self) -> date:
        return self.local_now.date()


_NO_DAY = date.min  # a sentinel: the days named disagree, or a date is not a real one


def _day(said: _Said, local_now: datetime, language: Language) -> date | None:
    """The day named by words or a date in the core (removed from it); None if none, `_NO_DAY` if unusable."""
    today = local_now.date()
    named: set[date] = set()
    for word in said.days:
        if word == "TODAY":
            named.add(today)
        elif word == "YESTERDAY":
            named.add(today - _DAY)
        elif word == "DBY":
            named.add(today - 2 * _DAY)
        else:
            back = (today.weekday() - int(word[2])) % 7
            named.add(today - timedelta(days=back or (7 if said.last else 0)))
    if said.last and "NIGHT" in said.parts and not said.days:
        named.add(today - _DAY)  # "last night"
    core = said.core
    for i, token in enumerate(core):
        if i + 1 < len(core) and core[i + 1] in _UNITS:
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
            return _NO_DAY
        named.add(found)
        said.dated = True
    if len(named) > 1 or _NO_DAY in named:
        return _NO_DAY
    return next(iter(named), None)


_DATE = re.compile(
    r"(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
    r"|(?P<a>[0-9]{1,2})(?P<sep>/)(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{4}|[0-9]{2}))?"
    r"|(?P<a2>[0-9]{1,2})(?P<sep2>[-.])(?P<b2>[0-9]{1,2})(?P=sep2)(?P<y2>[0-9]{4}|[0-9]{2})",
    re.ASCII,
)


def _date_token(token: str, today: date, language: Language) -> date | None:
    """A date written with digits, or None if the token is not one; `_NO_DAY` if it is not a real date."""
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
    return _NO_DAY


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
        return _NO_DAY
    if day_of_month <= today.day:
        return _real_date(today.year, today.month, day_of_month, today)
    last_month = today.replace(day=1) - _DAY
    return _real_date(last_month.year, last_month.month, day_of_month, today)


def _real_date(year: int, month: int, day_of_month: int, today: date) -> date:
    """The date (`_NO_DAY` if there is none such), refused when far outside the allowed range before any
    arithmetic can overflow. A date without a year is this year's even if still to come, and then refused."""
    try:
        found = date(year, month, day_of_month)
    except ValueError:
        return _NO_DAY
    if found > today + _DAY:
        raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
    if found < today - MAX_AGE - _DAY:
        raise WhenRefused("when_too_old", days=MAX_AGE.days)
    return found


# --- readings without numbers: now, words for a while, parts of the day, days ------------------------------


def _without_numbers(context: _Context) -> _Reading | None:
    said, now = context.said, context.now
    if said.windows:
        if said.parts or context.day is not None:
            return None
        (word,) = said.windows
        if word == "W_THISWEEK":
            return _Reading(now - MAX_AGE, now, exact=False)
        if word == "W_LASTWEEK":
            return _Reading(now - MAX_AGE, _local(context, context.today, 0)[0], exact=False)
        return _ago_window(now, *_WORD_WINDOWS[word], said.directions)
    if said.parts:
        return _part_reading(context)
    if (said.now or said.ya) and not said.gone and context.day in (None, context.today):
        return _Reading(now, now, exact=True)
    if context.day is not None:
        start = _local(context, context.day, 0)[0]
        if "SINCE" in said.directions or context.day == context.today:
            return _Reading(start, now, exact=False)
        return _Reading(start, _local(context, context.day + _DAY, 0)[1], exact=False)
    if said.earlier or (said.ago and not said.directions) or said.directions == {"BEFORE"}:
        return _ago_window(now, *_WORD_WINDOWS["EARLIER"], set())  # "earlier", "antes"
    if said.just:
        return _ago_window(now, *_WORD_WINDOWS["W_MOMENT"], set())
    return None


def _ago_window(now: datetime, least: int, most: int, directions: set[str]) -> _Reading:
    if directions & {"WITHIN", "SINCE"}:
        least = 0
    return _Reading(now - timedelta(minutes=most), now - timedelta(minutes=least), exact=False)


def _part_reading(context: _Context) -> _Reading | None:
    """ "this morning", "last night", "ayer en la tarde", "in the afternoon": the part's window."""
    said = context.said
    (part,) = said.parts
    if said.early and part == "MORNING":
        part = "EARLYMORNING"
    start_hour, end_hour = _PARTS[part]
    if context.day is not None:
        anchors = [context.day] if context.fallback is None else [context.day, context.fallback]
    elif said.this:
        anchors = [context.today]
        if part == "NIGHT" and context.local_now.hour < 6:
            anchors = [context.today - _DAY]  # "tonight" at 02:00 is the night going on
        elif part == "MORNING" and context.local_now.hour < start_hour:
            start_hour = 0  # "this morning" at 04:00: the small hours so far
    else:
        anchors = [context.today, context.today - _DAY]
    for anchor in anchors:
        start = _local(context, anchor, start_hour)[0]
        if start <= context.now + FUTURE_TOLERANCE or anchor is anchors[-1]:
            end = context.now if "SINCE" in said.directions else _local(context, anchor, end_hour)[1]
            return _Reading(start, max(start, end), exact=False)
    return None


def _local(context: _Context, day: date, hour: int, minute: int = 0, second: int = 0) -> tuple[datetime, datetime]:
    """The earliest and latest UTC readings of a wall time; they differ where clocks were changed."""
    wall = datetime.combine(day, time()) + timedelta(hours=hour, minutes=minute, seconds=second)
    first = wall.replace(tzinfo=context.where, fold=0).astimezone(UTC)
    second_reading = wall.replace(tzinfo=context.where, fold=1).astimezone(UTC)
    return min(first, second_reading), max(first, second_reading)


# --- relative times: "10 min ago", "hace como una hora", "a few minutes ago" ------------------------------


@dataclass(frozen=True, slots=True)
class _Amount:
    least: timedelta
    most: timedelta
    exact: bool  # a count, not a range or a vague word
    whole_days: int | None = None  # "2 days ago": a calendar day, not 48 hours


def _duration_reading(context: _Context) -> _Reading | None:
    said, now = context.said, context.now
    core = said.core
    if not any(token in _UNITS or token in _VAGUE_COUNTS or token == "HCLOCK" for token in core) and not (
        said.ago and len(core) == 1 and _CLOCK_TOKEN.fullmatch(core[0])
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
        return _Reading(now - most, now, exact=False)
    if "OVER" in directions:
        return _Reading(now - 2 * most, now - least, exact=False)
    if directions - {"ALMOST", "JUSTOVER"}:
        return None
    if not amount.exact:
        return _Reading(now - most, now - least, exact=False)
    spread = max(2 * _MINUTE, least / 3)
    if "ALMOST" in directions:
        return _Reading(now - least, now - least + spread, exact=False)
    if "JUSTOVER" in directions:
        return _Reading(now - least - spread, now - least, exact=False)
    if amount.whole_days is not None:
        back = amount.whole_days + (1 if said.hedge else 0)
        forward = amount.whole_days - (1 if said.hedge else 0)
        start = _local(context, context.today - timedelta(days=back), 0)[0]
        end = _local(context, context.today - timedelta(days=forward - 1), 0)[1]
        return _Reading(start, min(end, now), exact=False)
    if said.hedge:
        return _Reading(now - least - spread, now - least + spread, exact=False)
    return _Reading(now - least, now - least, exact=True)


_LONGEST_COUNT = 10 * MAX_AGE  # anything longer is refused before it can overflow a datetime


def _amount(core: list[str], *, between: bool) -> _Amount | None:
    """How long ago: "10 MIN", "1 HOUR 20", "1 HOUR HALFMORE", "10-15 MIN", "FEW MIN", "a HOUR"..."""
    article = {i for i, token in enumerate(core[:-1]) if token == "a" and core[i + 1] in _UNITS}  # "a min ago"
    tokens = ["1" if i in article else "HOUR" if token == "HCLOCK" else token for i, token in enumerate(core)]
    if len(tokens) in (1, 2) and tokens[-1] in _UNITS and (len(tokens) == 1 or tokens[0] in _VAGUE_COUNTS):
        return _vague(tokens[0] if len(tokens) == 2 else "FEW", tokens[-1])
    if len(tokens) >= 2 and tokens[-1] in _UNITS and (ranged := _range(tokens[:-1], between)) is not None:
        unit = _UNITS[tokens[-1]]
        most = min(ranged[1] * unit.total_seconds(), _LONGEST_COUNT.total_seconds())  # cut later anyway
        return _Amount(_capped(unit, ranged[0]), timedelta(seconds=most), exact=False)
    total, i, parts, last_unit = timedelta(), 0, 0, ""
    while i < len(tokens):
        if tokens[i] == "Y" and parts:
            i += 1
            continue
        count, i = _count(tokens, i)
        if count is None:
            if tokens[i] in _UNITS and tokens[i + 1 : i + 2] == ["HALFMORE"] and not parts:
                count = 1.0  # "hora y media"
            elif (clock := _CLOCK_TOKEN.fullmatch(tokens[i])) and not parts:  # "hace 1:30"
                total, i, parts, last_unit = int(clock[1]) * _HOUR + int(clock[2]) * _MINUTE, i + 1, 1, "MIN"
                if tokens[i : i + 1] in (["HOUR"], ["MIN"]):
                    i += 1
                continue
            else:
                return None
        if i < len(tokens) and tokens[i] == "HALFMORE":
            count, i = count + 0.5, i + 1  # "1 and a half hours"
        if i >= len(tokens) or tokens[i] not in _UNITS:
            if i >= len(tokens) and parts and last_unit in ("HOUR", "MIN"):  # "1h30", "una hora 20"
                total += _capped(_MINUTE if last_unit == "HOUR" else timedelta(seconds=1), count)
                parts += 1
                break
            return None
        last_unit = tokens[i]
        total += _capped(_UNITS[last_unit], count)
        i += 1
        extra = {"HALFMORE": 0.5, "QUARTERMORE": 0.25, "QUARTERLESS": -0.25}.get(tokens[i] if i < len(tokens) else "")
        if extra is not None:
            total += _UNITS[last_unit] * extra  # "an hour and a half", "una hora y cuarto"
            i += 1
        parts += 1
    if not parts or total < timedelta():
        return None
    whole = None
    if parts == 1 and last_unit in ("DAY", "WEEK") and total % _DAY == timedelta():
        whole = total // _DAY
    return _Amount(total, total, exact=True, whole_days=whole)


def _capped(unit: timedelta, count: float) -> timedelta:
    """`count` units, refused as too old when they reach far past `MAX_AGE`."""
    if count * unit.total_seconds() > _LONGEST_COUNT.total_seconds():
        raise WhenRefused("when_too_old", days=MAX_AGE.days)
    return unit * count


def _count(tokens: list[str], i: int) -> tuple[float | None, int]:
    """A number of units at `tokens[i]`: 10, 1.5, "1 1/2", "3/4"; and where the unit should be."""
    token = tokens[i]
    following = re.fullmatch(r"([0-9])/([0-9])", tokens[i + 1]) if i + 1 < len(tokens) else None
    if _NUMBER.fullmatch(token):
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
        if not (_NUMBER.fullmatch(tokens[0]) and _NUMBER.fullmatch(tokens[2])):
            return None
        pair = (float(tokens[0]), float(tokens[2]))
    else:
        return None
    return (min(pair), max(pair))


def _vague(count: str, unit: str) -> _Amount:
    if unit == "SEC":  # "a few seconds", "unos segundos": a moment, as "just now"
        least_minutes, most_minutes = _WORD_WINDOWS["W_MOMENT"]
        return _Amount(least_minutes * _MINUTE, most_minutes * _MINUTE, exact=False)
    least, most = (_VAGUE_MINUTES if unit == "MIN" else _VAGUE_COUNTS)[count]
    return _Amount(_UNITS[unit] * least, _UNITS[unit] * most, exact=False)


# --- clock times ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int
    minute: int = 0
    second: int = 0
    bare: bool = False  # only an hour was given ("around 7"): a hedge spreads wider
    twenty_four: bool = False  # "07:30", "15:10", "0:30", "midnight": no am/pm reading to choose


def _clock_reading(context: _Context) -> _Reading | None:
    said = context.said
    if said.ago or said.directions & {"WITHIN", "OVER"}:
        return None
    if "BETWEEN" in said.directions or _clock_range_shape(said.core):
        return _clock_range(context)
    clock = _clock(said.core, signal=_clock_signal(said, context), after_at=said.clock_at)
    if clock is None:
        return None
    return _resolve(context, clock, _clock_spread(said, clock))


def _clock_signal(said: _Said, context: _Context) -> bool:
    """Whether a bare number may be an hour: something beside it says it is a time of day."""
    return bool(
        said.clock_at or said.ampm or said.parts or said.oclock or said.hedge or said.zones
        or said.directions & {"BEFORE", "AFTER", "SINCE", "ALMOST", "JUSTOVER", "PICO"}
        or context.day is not None
    )  # fmt: skip


def _clock_spread(said: _Said, clock: _Clock) -> tuple[timedelta, timedelta] | None:
    """How far before and after the clock time the window reaches; None for an exact time."""
    wide = 30 * _MINUTE if clock.bare else 15 * _MINUTE
    directions = said.directions
    if "BEFORE" in directions:
        return (-_HOUR, timedelta())
    if "AFTER" in directions:
        return (timedelta(), _HOUR)
    if "ALMOST" in directions:
        return (-wide, timedelta())
    if "JUSTOVER" in directions:
        return (timedelta(), wide)
    if "PICO" in directions:
        return (timedelta(), 59 * _MINUTE if clock.bare else 15 * _MINUTE)
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
    if len(tokens) >= 2 and tokens[-1] == "HOUR" and (after_at or military or _CLOCK_TOKEN.fullmatch(tokens[0])):
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
    if match := _CLOCK_TOKEN.fullmatch(token):
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


def _clock_range(context: _Context) -> _Reading | None:
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
    return _resolve(context, end, (-span * _MINUTE, timedelta()))


def _clock_single(context: _Context) -> _Reading | None:
    clock = _clock(context.said.core, signal=_clock_signal(context.said, context))
    return None if clock is None else _resolve(context, clock, _clock_spread(context.said, clock))


def _readings(context: _Context, clock: _Clock) -> list[tuple[int, int]]:
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
    start, end = _PARTS[part]
    return start <= hour < end or (part == "MORNING" and hour < start)


def _resolve(context: _Context, clock: _Clock, spread: tuple[timedelta, timedelta] | None) -> _Reading | None:
    """The most recent reading of the clock that is not in the future (a window: that has begun)."""
    said, now = context.said, context.now
    if context.day is not None:
        anchors = [context.day] if context.fallback is None else [context.day, context.fallback]
    elif "NIGHT" in said.parts and said.this:
        anchors = [context.today - _DAY if context.local_now.hour < 6 else context.today]
    elif said.this and said.parts:
        anchors = [context.today]
    else:
        anchors = [context.today, context.today - _DAY]
    candidates: list[_Reading] = []
    for anchor in anchors:
        for days_after, hour in _readings(context, clock):
            candidates.extend(_clock_candidates(context, anchor + timedelta(days=days_after), hour, clock, spread))
    if not candidates:
        return None
    allowed = [c for c in candidates if c.earliest <= (now + FUTURE_TOLERANCE if c.exact else now)]
    if not allowed:
        raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
    return max(allowed, key=lambda reading: (reading.earliest, reading.latest))


def _clock_candidates(
    context: _Context, day: date, hour: int, clock: _Clock, spread: tuple[timedelta, timedelta] | None
) -> list[_Reading]:
    first, last = _local(context, day, hour, clock.minute, clock.second)
    wall = datetime.combine(day, time(hour, clock.minute, clock.second))
    skipped = None if datetime_exists(wall, context.where) else f"{wall:%H:%M}"
    if "SINCE" in context.said.directions:
        return [_Reading(first, max(first, context.now), exact=False, skipped=skipped)]
    if skipped is not None:  # a wall time the clocks jumped over: either side of the jump
        before, after = spread or (timedelta(), timedelta())
        return [_Reading(first + before, last + after, exact=False, skipped=skipped)]
    moments = (first,) if first == last else (first, last)  # twice when clocks fell back
    if spread is None:
        return [_Reading(moment, moment, exact=True) for moment in moments]
    return [_Reading(moment + spread[0], moment + spread[1], exact=False) for moment in moments]


# --- limits -----------------------------------------------------------------------------------------------


def _finish(reading: _Reading, now: datetime) -> ObservedTime:
    """Refuse what cannot be a recent observation; cut windows to now and to `MAX_AGE` ago."""
    oldest = now - MAX_AGE
    if reading.earliest > now + FUTURE_TOLERANCE:
        raise WhenRefused("when_future", minutes=_TOLERANCE_MINUTES)
    if reading.exact:
        if reading.earliest < oldest:
            raise WhenRefused("when_too_old", days=MAX_AGE.days)
        return ObservedTime.exact(reading.earliest)
    if reading.latest < oldest or (reading.latest == oldest and reading.earliest < oldest):
        raise WhenRefused("when_too_old", days=MAX_AGE.days)
    latest = min(reading.latest, now)
    return ObservedTime.window(min(max(reading.earliest, oldest), latest), latest)
