"""The reporter's "when": exact forms give their instant, nothing is refused but what cannot be recent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from intake import Language, Refused
from intake.time import (
    FUTURE_TOLERANCE,
    MAX_AGE,
    MAX_LENGTH,
    ObservedTime,
    TimePrecision,
    parse_when,
    read_when,
)

CHICAGO = ZoneInfo("America/Chicago")
EN, ES = Language.EN, Language.ES
EXACT, APPROXIMATE, NOT_GIVEN = TimePrecision.EXACT, TimePrecision.APPROXIMATE, TimePrecision.NOT_GIVEN
# The morning of a real incident: Friday 2025-01-24, noon in Chicago (CST, UTC-6).
NOW = datetime(2025, 1, 24, 12, 0, tzinfo=CHICAGO)
NOW_UTC = datetime(2025, 1, 24, 18, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def read(text: str | None, *, language: Language = EN, now: datetime = NOW) -> ObservedTime:
    return read_when(text, now=now, zone=CHICAGO, language=language)


def when(text: str | None, *, language: Language = EN, now: datetime = NOW) -> datetime:
    return parse_when(text, now=now, zone=CHICAGO, language=language)


def refusal(text: str, *, language: Language = EN, now: datetime = NOW) -> Refused:
    with pytest.raises(Refused) as raised:
        read(text, language=language, now=now)
    return raised.value


def assert_exact(observed: ObservedTime, truth: datetime) -> None:
    assert observed.precision is EXACT
    assert observed.earliest == observed.latest == observed.at == truth


# --- exact forms ----------------------------------------------------------------------------------------

NOW_FORMS = [
    "now", "RIGHT NOW", "rn", "Rn!!!", "rn rn", "right now 🚨🚨", "asap", "ASAP!!", "happening now",
    "happening right now!!!", "nowww", "still there", "ahora", "Ahorita", "ahorita!!", "ahoritaaa 😱",
    "ahora  mismo", "justo ahora", "justo ahorita", "ya", "Ya!!!", "ya mismo", "en este momento", "orita", "en vivo",
    "right now!!! hurry", "they r still there", "rightnow", "in progress", "still happening", "they're still here",
    "siguen ahí", "horita",
]  # fmt: skip

RELATIVE_FORMS = [
    ("10 min ago", utc(2025, 1, 24, 17, 50)),
    ("10 mins ago", utc(2025, 1, 24, 17, 50)),
    ("10 minutes ago", utc(2025, 1, 24, 17, 50)),
    ("10m ago", utc(2025, 1, 24, 17, 50)),
    ("10 min. ago.", utc(2025, 1, 24, 17, 50)),
    ("a minute ago", utc(2025, 1, 24, 17, 59)),
    ("an hour ago", utc(2025, 1, 24, 17, 0)),
    ("1 hour ago", utc(2025, 1, 24, 17, 0)),
    ("2 hours ago", utc(2025, 1, 24, 16, 0)),
    ("2h ago", utc(2025, 1, 24, 16, 0)),
    ("1.5 hours ago", utc(2025, 1, 24, 16, 30)),
    ("an hour and a half ago", utc(2025, 1, 24, 16, 30)),
    ("half an hour ago", utc(2025, 1, 24, 17, 30)),
    ("30 seconds ago", utc(2025, 1, 24, 17, 59, 30)),
    ("ten minutes ago", utc(2025, 1, 24, 17, 50)),
    ("Twenty-five minutes ago", utc(2025, 1, 24, 17, 35)),
    ("sixty minutes ago", utc(2025, 1, 24, 17, 0)),
    ("0 minutes ago", utc(2025, 1, 24, 18, 0)),
    ("168 hours ago", utc(2025, 1, 17, 18, 0)),
    ("hace 10 minutos", utc(2025, 1, 24, 17, 50)),
    ("hace 10 min", utc(2025, 1, 24, 17, 50)),
    ("Hace un minuto.", utc(2025, 1, 24, 17, 59)),
    ("hace una hora", utc(2025, 1, 24, 17, 0)),
    ("hace 2 horas", utc(2025, 1, 24, 16, 0)),
    ("hace 1,5 horas", utc(2025, 1, 24, 16, 30)),
    ("hace una hora y media", utc(2025, 1, 24, 16, 30)),
    ("hace media hora", utc(2025, 1, 24, 17, 30)),
    ("hace diez minutos", utc(2025, 1, 24, 17, 50)),
    ("hace dos horas", utc(2025, 1, 24, 16, 0)),
    ("hace veinte minutos", utc(2025, 1, 24, 17, 40)),
    ("hace treinta y cinco minutos", utc(2025, 1, 24, 17, 25)),
    ("hace sesenta minutos", utc(2025, 1, 24, 17, 0)),
    ("20 minutos atrás", utc(2025, 1, 24, 17, 40)),
    # Glued units, abbreviations and slips of the keyboard.
    ("9min", utc(2025, 1, 24, 17, 51)),
    ("9min ago", utc(2025, 1, 24, 17, 51)),
    ("10mins ago!!", utc(2025, 1, 24, 17, 50)),
    ("1hr ago", utc(2025, 1, 24, 17, 0)),
    ("2hrs ago", utc(2025, 1, 24, 16, 0)),
    ("an hr ago", utc(2025, 1, 24, 17, 0)),
    ("hace 1hr", utc(2025, 1, 24, 17, 0)),
    ("hace una hr", utc(2025, 1, 24, 17, 0)),
    ("hace 2 hs", utc(2025, 1, 24, 16, 0)),
    ("10 mintues ago", utc(2025, 1, 24, 17, 50)),
    ("10 minuets ago", utc(2025, 1, 24, 17, 50)),
    ("10 minuts ago", utc(2025, 1, 24, 17, 50)),
    ("15 minuites ago", utc(2025, 1, 24, 17, 45)),
    ("10 min agooo", utc(2025, 1, 24, 17, 50)),
    ("hace 10 mins", utc(2025, 1, 24, 17, 50)),
    ("hace 10 minutitos", utc(2025, 1, 24, 17, 50)),
    ("10 minutos atras", utc(2025, 1, 24, 17, 50)),
    ("10 min atraz", utc(2025, 1, 24, 17, 50)),
    ("ago 10 min", utc(2025, 1, 24, 17, 50)),
    ("10 min before", utc(2025, 1, 24, 17, 50)),
    ("10 min back", utc(2025, 1, 24, 17, 50)),
    ("ase 10 min", utc(2025, 1, 24, 17, 50)),
    ("ace 10 min", utc(2025, 1, 24, 17, 50)),
    ("15min agoo", utc(2025, 1, 24, 17, 45)),
    ("fourty minutes ago", utc(2025, 1, 24, 17, 20)),
    ("veinticinco minutos atrás", utc(2025, 1, 24, 17, 35)),
    # No "ago" at all: an observation cannot be ahead, so a duration alone is how long ago.
    ("10 min", utc(2025, 1, 24, 17, 50)),
    ("10 minutos", utc(2025, 1, 24, 17, 50)),
    ("5 minutes", utc(2025, 1, 24, 17, 55)),
    ("1h", utc(2025, 1, 24, 17, 0)),
    # Compounds and fractions.
    ("1 hr 20 min ago", utc(2025, 1, 24, 16, 40)),
    ("1h 20m ago", utc(2025, 1, 24, 16, 40)),
    ("1h30 ago", utc(2025, 1, 24, 16, 30)),
    ("hace 1h 20", utc(2025, 1, 24, 16, 40)),
    ("an hour and 10 minutes ago", utc(2025, 1, 24, 16, 50)),
    ("hace 1 hora y 20 minutos", utc(2025, 1, 24, 16, 40)),
    ("hace una hora con 20", utc(2025, 1, 24, 16, 40)),
    ("hace hora y media", utc(2025, 1, 24, 16, 30)),
    ("hace una hora y cuarto", utc(2025, 1, 24, 16, 45)),
    ("1 and a half hours ago", utc(2025, 1, 24, 16, 30)),
    ("1½ hours ago", utc(2025, 1, 24, 16, 30)),
    ("1 1/2 hours ago", utc(2025, 1, 24, 16, 30)),
    ("half hour ago", utc(2025, 1, 24, 17, 30)),
    ("a quarter of an hour ago", utc(2025, 1, 24, 17, 45)),
    ("hace un cuarto de hora", utc(2025, 1, 24, 17, 45)),
    ("hace 1:30", utc(2025, 1, 24, 16, 30)),
    ("hace 30'", utc(2025, 1, 24, 17, 30)),
    ("hace una horita", utc(2025, 1, 24, 17, 0)),  # "horita" alone is "ahorita": now
    ("hour ago", utc(2025, 1, 24, 17, 0)),  # one hour, where "hours ago" is a few
    ("minute ago", utc(2025, 1, 24, 17, 59)),
]

ABSOLUTE_FORMS = [
    ("11:15", utc(2025, 1, 24, 17, 15)),
    ("11:15am", utc(2025, 1, 24, 17, 15)),
    ("11:15 am", utc(2025, 1, 24, 17, 15)),
    ("11:15 a.m.", utc(2025, 1, 24, 17, 15)),
    ("11:15 A. M.", utc(2025, 1, 24, 17, 15)),
    ("at 11:15", utc(2025, 1, 24, 17, 15)),
    ("11:15:42", utc(2025, 1, 24, 17, 15, 42)),
    ("3am", utc(2025, 1, 24, 9, 0)),
    ("12:04", utc(2025, 1, 24, 18, 4)),  # within the five minutes of tolerance: today
    ("noon", utc(2025, 1, 24, 18, 0)),
    ("midnight", utc(2025, 1, 24, 6, 0)),
    ("1/24 11:15", utc(2025, 1, 24, 17, 15)),
    ("01/24/2025 11:15", utc(2025, 1, 24, 17, 15)),
    ("1/24/25 11:15 am", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T11:15", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24 11:15", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T17:15:00Z", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T17:15:00+00:00", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T11:15:00-06:00", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T22:45:00+05:30", utc(2025, 1, 24, 17, 15)),
    ("2025-01-24T17:15:42.999Z", utc(2025, 1, 24, 17, 15, 42)),
    ("1/17 12:00", utc(2025, 1, 17, 18, 0)),  # exactly seven days
    ("today 12:05", utc(2025, 1, 24, 18, 5)),  # exactly five minutes ahead
    ("a las 11:15", utc(2025, 1, 24, 17, 15)),
    ("A las 11", utc(2025, 1, 24, 17, 0)),
    ("las 11", utc(2025, 1, 24, 17, 0)),
    ("a la 1", utc(2025, 1, 24, 7, 0)),
    ("hoy a las 11", utc(2025, 1, 24, 17, 0)),
    ("11:15 de la mañana", utc(2025, 1, 24, 17, 15)),
    ("11 in the morning", utc(2025, 1, 24, 17, 0)),
    ("2 de la madrugada", utc(2025, 1, 24, 8, 0)),
    ("12 de la noche", utc(2025, 1, 24, 6, 0)),
    ("a las once de la mañana", utc(2025, 1, 24, 17, 0)),
    # Afternoon times of today are still to come at noon, so they were yesterday's.
    ("3pm", utc(2025, 1, 23, 21, 0)),
    ("3 pm", utc(2025, 1, 23, 21, 0)),
    ("15:10", utc(2025, 1, 23, 21, 10)),
    ("a las 3 pm", utc(2025, 1, 23, 21, 0)),
    ("3 de la tarde", utc(2025, 1, 23, 21, 0)),
    ("a las tres de la tarde", utc(2025, 1, 23, 21, 0)),
    ("15:00 de la tarde", utc(2025, 1, 23, 21, 0)),
    ("11 de la noche", utc(2025, 1, 24, 5, 0)),
    ("3 in the afternoon", utc(2025, 1, 23, 21, 0)),
    ("yesterday 3pm", utc(2025, 1, 23, 21, 0)),
    ("yesterday at 15:10", utc(2025, 1, 23, 21, 10)),
    ("Yesterday 11:15 am", utc(2025, 1, 23, 17, 15)),
    ("3pm yesterday", utc(2025, 1, 23, 21, 0)),
    ("ayer a las 3 pm", utc(2025, 1, 23, 21, 0)),
    ("ayer 15:10", utc(2025, 1, 23, 21, 10)),
    ("ayer a las 11", utc(2025, 1, 23, 17, 0)),  # with a day, the hour is read as written
    ("a las 3 pm de ayer", utc(2025, 1, 23, 21, 0)),
    # Once refused, now read: redundant or unusual but unmistakable.
    ("15:00 pm", utc(2025, 1, 23, 21, 0)),
    ("0:30 am", utc(2025, 1, 24, 6, 30)),
    ("3 pm de la tarde", utc(2025, 1, 23, 21, 0)),
    ("at 5", utc(2025, 1, 24, 11, 0)),  # 17:00 is still to come
    ("yesterday 3", utc(2025, 1, 23, 9, 0)),
    ("ayer 1/23 15:10", utc(2025, 1, 23, 21, 10)),  # the day word and the date agree
    ("11:15 EST", utc(2025, 1, 24, 16, 15)),  # a zone the text names is honoured
    ("11:15 cst", utc(2025, 1, 24, 17, 15)),
    ("17:15Z", utc(2025, 1, 24, 17, 15)),
    ("17:15 utc", utc(2025, 1, 24, 17, 15)),
    # Dots, an "h", spaces, no colon at all; am/pm glued or spelt out.
    ("7.30", utc(2025, 1, 24, 13, 30)),
    ("7.30am", utc(2025, 1, 24, 13, 30)),
    ("7.30pm", utc(2025, 1, 24, 1, 30)),
    ("19h30", utc(2025, 1, 24, 1, 30)),
    ("a las 19h", utc(2025, 1, 24, 1, 0)),
    ("a las 19:30 hrs", utc(2025, 1, 24, 1, 30)),
    ("a las 7 hrs", utc(2025, 1, 24, 13, 0)),
    ("7 30 pm", utc(2025, 1, 24, 1, 30)),
    ("730pm", utc(2025, 1, 24, 1, 30)),
    ("at 1930", utc(2025, 1, 24, 1, 30)),
    ("1930 hrs", utc(2025, 1, 24, 1, 30)),
    ("0700", utc(2025, 1, 24, 13, 0)),  # a leading zero: a 24-hour clock time even alone
    ("0800 hrs", utc(2025, 1, 24, 14, 0)),
    ("10:30 central", utc(2025, 1, 24, 16, 30)),
    ("10:30 eastern time", utc(2025, 1, 24, 15, 30)),
    ("7:30 p", utc(2025, 1, 24, 1, 30)),
    ("7a", utc(2025, 1, 24, 13, 0)),
    ("11.15", utc(2025, 1, 24, 17, 15)),
    ("11,15", utc(2025, 1, 24, 17, 15)),
    ("@ 11:15", utc(2025, 1, 24, 17, 15)),
    ("@11:15am", utc(2025, 1, 24, 17, 15)),
    ("at 7 oclock", utc(2025, 1, 24, 13, 0)),
    ("7 o'clock", utc(2025, 1, 24, 13, 0)),
    ("a las 7 en punto", utc(2025, 1, 24, 13, 0)),
    # Spoken forms.
    ("a las 7 y media", utc(2025, 1, 24, 13, 30)),
    ("a las 3 y cuarto", utc(2025, 1, 24, 9, 15)),
    ("a las 4 menos cuarto", utc(2025, 1, 24, 9, 45)),
    ("las 8 menos 10", utc(2025, 1, 24, 13, 50)),
    ("a las 7 y 10", utc(2025, 1, 24, 13, 10)),
    ("cuarto para las 8", utc(2025, 1, 24, 13, 45)),
    ("10 para las 8", utc(2025, 1, 24, 13, 50)),
    ("half past 7", utc(2025, 1, 24, 13, 30)),
    ("quarter past 11", utc(2025, 1, 24, 17, 15)),
    ("quarter to 8", utc(2025, 1, 24, 13, 45)),
    ("quarter til 8", utc(2025, 1, 24, 13, 45)),
    ("10 past 7", utc(2025, 1, 24, 13, 10)),
    ("10 after 7", utc(2025, 1, 24, 13, 10)),
    ("10 minutes past 7", utc(2025, 1, 24, 13, 10)),
    ("20 to 8", utc(2025, 1, 24, 13, 40)),
    ("seven thirty", utc(2025, 1, 24, 13, 30)),
    ("seven thirty am", utc(2025, 1, 24, 13, 30)),
    ("a las siete y media de la mañana", utc(2025, 1, 24, 13, 30)),
    ("a las 7 y media de la tarde", utc(2025, 1, 24, 1, 30)),
    ("a la una y media", utc(2025, 1, 24, 7, 30)),
    ("mediodía", utc(2025, 1, 24, 18, 0)),
    ("12 noon", utc(2025, 1, 24, 18, 0)),
    ("medianoche", utc(2025, 1, 24, 6, 0)),
    # Parts of the day pick am or pm; "last night", "anoche" and "tonight" the day.
    ("7 this morning", utc(2025, 1, 24, 13, 0)),
    ("this morning at 7:30", utc(2025, 1, 24, 13, 30)),
    ("esta mañana a las 8", utc(2025, 1, 24, 14, 0)),
    ("last night at 11", utc(2025, 1, 24, 5, 0)),
    ("last night at 2", utc(2025, 1, 24, 8, 0)),
    ("11pm last night", utc(2025, 1, 24, 5, 0)),
    ("anoche a las 10", utc(2025, 1, 24, 4, 0)),
    ("ayer en la noche a las 9", utc(2025, 1, 24, 3, 0)),
    ("yesterday morning at 9", utc(2025, 1, 23, 15, 0)),
    ("ayer por la tarde a las 4", utc(2025, 1, 23, 22, 0)),
    ("8 de la noche", utc(2025, 1, 24, 2, 0)),
    ("9 at night", utc(2025, 1, 24, 3, 0)),
    # Day names and dates with month names.
    ("monday 3pm", utc(2025, 1, 20, 21, 0)),
    ("el lunes a las 3 de la tarde", utc(2025, 1, 20, 21, 0)),
    ("wednesday at 10:30", utc(2025, 1, 22, 16, 30)),
    ("friday 11am", utc(2025, 1, 24, 17, 0)),  # today is a Friday
    ("friday 3pm", utc(2025, 1, 17, 21, 0)),  # today's is still to come: last Friday's
    ("jan 22 3pm", utc(2025, 1, 22, 21, 0)),
    ("22 de enero a las 15:00", utc(2025, 1, 22, 21, 0)),
    ("January 22nd, 2025 at 3:15 pm", utc(2025, 1, 22, 21, 15)),
    ("el 22 de enero de 2025 a las 3 pm", utc(2025, 1, 22, 21, 0)),
    ("the 22nd at 3pm", utc(2025, 1, 22, 21, 0)),
    ("alas 7", utc(2025, 1, 24, 13, 0)),
    ("1 at lunch", utc(2025, 1, 23, 19, 0)),
]


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize("text", NOW_FORMS)
def test_words_for_now_are_the_moment_of_the_report(text: str, language: Language) -> None:
    """ "now", "rn", "ahorita": the reporter sees it as they type, so the report's moment is true."""
    assert_exact(read(text, language=language), NOW_UTC)


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "expected"), RELATIVE_FORMS)
def test_unhedged_counts_are_exact(text: str, expected: datetime, language: Language) -> None:
    """ "10 min ago", "9min", "hace diez minutos" count back from now, in digits or in words."""
    assert_exact(read(text, language=language), expected)


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "expected"), ABSOLUTE_FORMS)
def test_clock_times_and_dates_are_read_in_the_community_zone(
    text: str, expected: datetime, language: Language
) -> None:
    """Clock times, dates and ISO stamps give the exact instant; an explicit offset or zone beats ours."""
    assert_exact(read(text, language=language), expected)


DECORATIONS = [
    lambda t: t.upper(),
    lambda t: f"{t}!!!",
    lambda t: f"{t}...",
    lambda t: f"  {t}  🚨🚨",
    lambda t: f"😱 {t} 😭😭",
    lambda t: f'"{t}"',
    lambda t: f"({t})",
    lambda t: f"{t} lol",
    lambda t: f"{t} pls",
    lambda t: f"\u200b{t}\u200e",
    lambda t: t.replace(" ", "  "),
]


@pytest.mark.parametrize("decorate", DECORATIONS)
@pytest.mark.parametrize(
    "text",
    ["10 min ago", "hace 10 minutos", "11:15", "a las 3 pm", "rn", "7.30pm", "9min", "yesterday 3pm", "19h30"],
)
def test_case_emoji_and_repeated_punctuation_change_nothing(text: str, decorate: Callable[[str], str]) -> None:
    """Shouting, emoji, quotes and "!!!" around a time are how people type in a hurry, not part of it."""
    assert read(decorate(text)) == read(text)


# --- rules where there was a choice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said_at", "expected"),
    [
        ("23:50", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 25, 5, 50)),
        ("11:50 pm", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 25, 5, 50)),
        ("a las 23:50", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 25, 5, 50)),
        ("00:10", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 25, 6, 10)),
        ("00:24", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 25, 6, 24)),
        ("00:26", datetime(2025, 1, 25, 0, 20, tzinfo=CHICAGO), utc(2025, 1, 24, 6, 26)),
        ("23:55", datetime(2025, 1, 1, 0, 10, tzinfo=CHICAGO), utc(2025, 1, 1, 5, 55)),  # and across the year
        ("15:10", NOW, utc(2025, 1, 23, 21, 10)),
    ],
)
def test_a_clock_time_later_than_now_was_yesterday(text: str, said_at: datetime, expected: datetime) -> None:
    """At 00:20, "23:50" is ten minutes before midnight; within five minutes ahead it is still today."""
    assert_exact(read(text, now=said_at), expected)


@pytest.mark.parametrize(
    ("text", "said_at", "expected"),
    [
        ("7:30", datetime(2025, 1, 24, 20, 0, tzinfo=CHICAGO), utc(2025, 1, 25, 1, 30)),  # 19:30, not 07:30
        ("7:30", datetime(2025, 1, 24, 9, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 13, 30)),
        ("a las 3", datetime(2025, 1, 24, 16, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 21, 0)),  # 15:00
        ("a las 3", datetime(2025, 1, 24, 14, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 9, 0)),  # 03:00
        ("at 8", datetime(2025, 1, 24, 23, 0, tzinfo=CHICAGO), utc(2025, 1, 25, 2, 0)),
        ("12:06", NOW, utc(2025, 1, 24, 6, 6)),  # 12:06 is still to come; 00:06 is the latest behind us
        ("today 12:06", NOW, utc(2025, 1, 24, 6, 6)),
        ("12:30", datetime(2025, 1, 24, 13, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 18, 30)),
        ("07:30", datetime(2025, 1, 24, 20, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 13, 30)),  # a leading zero: 24 h
        ("today 7:30", datetime(2025, 1, 24, 20, 0, tzinfo=CHICAGO), utc(2025, 1, 25, 1, 30)),
        ("yesterday 7:30", datetime(2025, 1, 24, 20, 0, tzinfo=CHICAGO), utc(2025, 1, 23, 13, 30)),
    ],
)
def test_an_hour_without_am_or_pm_is_its_latest_reading_not_in_the_future(
    text: str, said_at: datetime, expected: datetime
) -> None:
    """ "7:30" typed at 20:00 is 19:30; with a leading zero or a named past day it is read as written."""
    assert_exact(read(text, now=said_at), expected)


def test_a_bare_clock_time_with_today_never_rolls_back_to_yesterday() -> None:
    """ "Today 13:06" at noon is in the future and refused, not moved to yesterday."""
    assert refusal("today 13:06").code == "when_future"
    assert refusal("today 12:06pm").code == "when_future"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("02/01 10:00", EN, utc(2025, 2, 1, 16, 0)),
        ("01/02 10:00", ES, utc(2025, 2, 1, 16, 0)),
        ("2/1 10:00", EN, utc(2025, 2, 1, 16, 0)),
        ("1/2 10:00", ES, utc(2025, 2, 1, 16, 0)),
        ("01.02.2025 10:00", ES, utc(2025, 2, 1, 16, 0)),
        ("2025-02-01 10:00", ES, utc(2025, 2, 1, 16, 0)),  # ISO is year-month-day in every language
        ("2025-02-01 10:00", EN, utc(2025, 2, 1, 16, 0)),
        ("1/31 10:00", ES, utc(2025, 1, 31, 16, 0)),  # 31 cannot be a month: the only real date is taken
    ],
)
def test_day_and_month_order_follows_the_language(text: str, language: Language, expected: datetime) -> None:
    """ "01/02" is 2 January in English and 1 February in Spanish."""
    assert_exact(read(text, language=language, now=datetime(2025, 2, 3, 12, 0, tzinfo=CHICAGO)), expected)


@pytest.mark.parametrize(("text", "language"), [("01/02 10:00", EN), ("02/01 10:00", ES)])
def test_the_other_day_month_order_is_not_tried(text: str, language: Language) -> None:
    """Read in the language's order the date is 2 January, too old, even though 1 February would fit."""
    assert refusal(text, language=language, now=datetime(2025, 2, 3, 12, 0, tzinfo=CHICAGO)).code == "when_too_old"


def test_a_date_without_year_in_the_future_is_refused_not_moved_to_last_year() -> None:
    """On 2 January, "12/31 23:00" is next December: refused, although last 31 December would fit."""
    assert refusal("12/31 23:00", now=datetime(2025, 1, 2, 12, 0, tzinfo=CHICAGO)).code == "when_future"


SPRING_FORWARD = datetime(2025, 3, 9, 12, 0, tzinfo=CHICAGO)  # 02:00 CST jumped to 03:00 CDT


@pytest.mark.parametrize("text", ["02:30", "2:30 am", "3/9 02:30", "2025-03-09 02:30", "a las 2:30"])
def test_a_time_skipped_by_spring_forward_is_kept_as_the_hour_either_side(text: str) -> None:
    """02:30 did not happen in Chicago on 9 March 2025: the reporter's clock was an hour off one way or the
    other, so the report keeps the window between 01:30 CST (07:30Z) and 03:30 CDT (08:30Z)."""
    observed = read(text, now=SPRING_FORWARD)
    assert (observed.precision, observed.earliest, observed.latest) == (
        APPROXIMATE,
        utc(2025, 3, 9, 7, 30),
        utc(2025, 3, 9, 8, 30),
    )


@pytest.mark.parametrize("text", ["02:30", "2:30 am", "3/9 02:30", "a las 2:30"])
def test_parse_when_still_refuses_a_skipped_time(text: str) -> None:
    """One instant cannot be picked inside the gap: `parse_when` says which time did not exist."""
    with pytest.raises(Refused) as raised:
        when(text, now=SPRING_FORWARD)
    assert (raised.value.code, raised.value.details) == ("when_nonexistent", {"time": "02:30"})


def test_a_hedged_time_in_the_gap_widens_its_window_on_both_sides() -> None:
    """ "around 2:30" on the spring-forward day: 15 minutes either side of either reading."""
    observed = read("around 2:30am", now=SPRING_FORWARD)
    assert (observed.earliest, observed.latest) == (utc(2025, 3, 9, 7, 15), utc(2025, 3, 9, 8, 45))


@pytest.mark.parametrize(("text", "expected"), [("01:30", utc(2025, 3, 9, 7, 30)), ("03:30", utc(2025, 3, 9, 8, 30))])
def test_times_around_the_spring_forward_gap_are_accepted(text: str, expected: datetime) -> None:
    """Either side of the gap the offset changes from -6 to -5."""
    assert_exact(read(text, now=SPRING_FORWARD), expected)


@pytest.mark.parametrize(
    ("said_at", "expected"),
    [
        (utc(2025, 11, 2, 18, 0), utc(2025, 11, 2, 7, 30)),  # long after both: the later, CST
        (utc(2025, 11, 2, 7, 26), utc(2025, 11, 2, 7, 30)),  # the later is within the tolerance: CST
        (utc(2025, 11, 2, 6, 40), utc(2025, 11, 2, 6, 30)),  # the later is still to come: the earlier, CDT
    ],
)
def test_a_repeated_fall_back_time_is_its_latest_occurrence_not_in_the_future(
    said_at: datetime, expected: datetime
) -> None:
    """01:30 happened twice on 2 November 2025 in Chicago: CDT (06:30Z), then CST (07:30Z)."""
    assert_exact(read("01:30", now=said_at), expected)
    assert_exact(read("2025-11-02 01:30", now=said_at), expected)
    assert_exact(read("01:30", now=said_at.astimezone(CHICAGO)), expected)  # whatever zone `now` is in


def test_an_explicit_offset_is_honoured_instead_of_the_community_zone() -> None:
    """The same wall time with and without an offset gives different instants."""
    assert_exact(read("2025-01-24 11:15"), utc(2025, 1, 24, 17, 15))
    assert_exact(read("2025-01-24 11:15+00:00"), utc(2025, 1, 24, 11, 15))


def test_the_result_is_utc_with_seconds_kept_and_microseconds_dropped() -> None:
    """The instant is stored in UTC to the second."""
    observed = read("now", now=datetime(2025, 1, 24, 12, 0, 30, 999999, tzinfo=CHICAGO))
    assert observed.at == utc(2025, 1, 24, 18, 0, 30)
    assert observed.at.tzinfo is UTC
    assert observed.at.microsecond == 0


def test_the_limits_are_public_constants() -> None:
    """Five minutes ahead for clock skew, seven days back, a hundred characters."""
    assert FUTURE_TOLERANCE.total_seconds() == 5 * 60
    assert MAX_AGE.total_seconds() == 7 * 24 * 3600
    assert MAX_LENGTH == 100


@pytest.mark.parametrize("reader", [read_when, parse_when])
def test_a_naive_now_is_a_programming_error(reader: Callable[..., object]) -> None:
    """`now` without a zone is the caller's bug: ValueError, not a refusal shown to the reporter."""
    with pytest.raises(ValueError, match="aware"):
        reader("now", now=datetime(2025, 1, 24, 12, 0), zone=CHICAGO, language=EN)


@pytest.mark.parametrize(
    "text",
    ["1\u200b1:15", "\u202e11:15", "11:15\u200e", "11:15\x00am", "１１：１５", "11:15\tam", "\n11:15\r\n",
     "  11:15   A.M.  ", "١١:١٥", "11:15 a.m", "11.15am"],
)  # fmt: skip
def test_invisible_characters_and_other_digits_are_normalised_before_matching(text: str) -> None:
    """Zero-width, bidi, control, full-width and Arabic-Indic characters do not change what was written."""
    assert_exact(read(text), utc(2025, 1, 24, 17, 15))


# --- nothing given, or nothing readable: kept, never refused --------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n", "\u200b", "\u200e\u202e\u2066", "\x00\x01"])
def test_no_time_given_is_the_received_time_not_an_exact_now(text: str | None) -> None:
    """The reporter did not say: only the moment we received the report is known, and it is not exact."""
    observed = read(text)
    assert (observed.precision, observed.at, observed.unreadable) == (NOT_GIVEN, NOW_UTC, False)


DONT_KNOW = ["idk", "IDK!!", "not sure", "im not sure?", "no sé", "no se 🤷", "ni idea", "n/a", "unknown", "dunno"]


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize("text", DONT_KNOW)
def test_i_dont_know_is_time_not_given_and_understood(text: str, language: Language) -> None:
    """ "idk" was read: the reporter does not know, so the bot offers buttons without saying it could not read."""
    observed = read(text, language=language)
    assert (observed.precision, observed.at, observed.unreadable) == (NOT_GIVEN, NOW_UTC, False)


UNREADABLE = [
    "?", "???", "😭", "🚨🚨🚨", ".", "!!!", "near the school on 48th", "school",
    "48th", "5", "11", "10 ago", "hace 10", "mañana", "at", "las", "ya se fueron", "they left", "hace mucho",
    "a long time ago", "13 de la mañana", "25:00", "11:75", "2/30 10:00", "2025-13-01 10:00", "ayer 1/22 15:10",
    "15:00 am", "0:30 pm", "10 to 8", "7-8", "ICE at the school 10 min ago", "los de la migra", "\ud800",
    "أمس", "昨天", "ꭰꭱ", "1/24 yesterday", "2025-01-24T11:15+99:00", "11:15 est pst",
]  # fmt: skip


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize("text", UNREADABLE)
def test_text_that_is_not_a_time_keeps_the_report_as_time_not_given(text: str, language: Language) -> None:
    """Sentences, bare numbers, contradictions: the report is kept with its received time, flagged unreadable."""
    observed = read(text, language=language)
    assert (observed.precision, observed.at, observed.unreadable) == (NOT_GIVEN, NOW_UTC, True)


# --- refusals: only what cannot be a recent observation -------------------------------------------------

REFUSALS = [
    # Clearly in the future.
    ("tomorrow", "when_future"),
    ("tomorrow 1pm", "when_future"),
    ("mañana a las 3", "when_future"),
    ("mañana en la tarde", "when_future"),
    ("in 10 min", "when_future"),
    ("en 10 minutos", "when_future"),
    ("dentro de una hora", "when_future"),
    ("10 min from now", "when_future"),
    ("later today", "when_future"),
    ("más tarde", "when_future"),
    ("tonight", "when_future"),
    ("this evening", "when_future"),
    ("esta noche", "when_future"),
    ("today 13:00", "when_future"),
    ("today 12:06pm", "when_future"),
    ("2025-01-24 12:06", "when_future"),
    ("1/25 10:00", "when_future"),
    ("1/25", "when_future"),
    ("the 30th", "when_too_old"),  # 30 December, said on 24 January
    ("2025-01-24T18:06:00Z", "when_future"),
    ("9999-12-31 23:59+00:00", "when_future"),
    # More than seven days ago.
    ("8 days ago", "when_too_old"),
    ("hace 8 días", "when_too_old"),
    ("169 hours ago", "when_too_old"),
    ("2 weeks ago", "when_too_old"),
    ("a few weeks ago", "when_too_old"),
    ("1/17 11:59", "when_too_old"),
    ("1/16", "when_too_old"),
    ("01/24/2024 11:15", "when_too_old"),
    ("0001-01-01 00:00", "when_too_old"),
    ("999999 hours ago", "when_too_old"),
    ("99999999999999999999 weeks ago", "when_too_old"),
    ("5-99999999999999999999 weeks ago", "when_too_old"),
    # Oversized: longer than the field, or expanding past three times it.
    ("1" * 101, "when_unparseable"),
    ("11:15" + " " * 96, "when_unparseable"),
    ("\ufdfa" * 20, "when_unparseable"),
]


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "code"), REFUSALS)
def test_only_future_too_old_or_oversized_text_is_refused(text: str, code: str, language: Language) -> None:
    """A time clearly ahead, wholly past the seven days, or a field too long is refused with its code."""
    error = refusal(text, language=language)
    assert error.code == code


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("tomorrow 1pm", {"minutes": 5}),
        ("8 days ago", {"days": 7}),
        ("today 13:00", {"minutes": 5}),
        ("1" * 101, {"max_length": 100}),
    ],
)
def test_refusals_carry_the_details_the_message_needs(text: str, details: dict[str, object]) -> None:
    """The adapter fills its message's placeholders from the details."""
    assert refusal(text).details == details


# --- parse_when: one instant, for a statement's published time ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, NOW_UTC),
        ("", NOW_UTC),
        ("now", NOW_UTC),
        ("11:15", utc(2025, 1, 24, 17, 15)),
        ("hace 10 minutos", utc(2025, 1, 24, 17, 50)),
        ("about 15 min ago", utc(2025, 1, 24, 17, 45)),  # 10..20 min ago: the middle
        ("around 7:30am", utc(2025, 1, 24, 13, 30)),
        ("a few minutes ago", utc(2025, 1, 24, 17, 54)),
    ],
)
def test_parse_when_gives_the_middle_of_a_narrow_window(text: str | None, expected: datetime) -> None:
    """Empty is now; an exact time is itself; a window no wider than half an hour is its middle."""
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("near the school on 48th", "when_unparseable"),
        ("5", "when_unparseable"),
        ("idk", "when_unparseable"),
        ("this morning", "when_vague"),
        ("yesterday", "when_vague"),
        ("hace un rato", "when_vague"),
        ("around 7", "when_vague"),
        ("about an hour ago", "when_vague"),
        ("tomorrow", "when_future"),
        ("8 days ago", "when_too_old"),
        ("1" * 101, "when_unparseable"),
    ],
)
def test_parse_when_refuses_what_it_would_have_to_make_up(text: str, code: str) -> None:
    """A midpoint of "this morning" would be invented, and unreadable text is no time at all."""
    with pytest.raises(Refused) as raised:
        when(text)
    assert raised.value.code == code


# --- ObservedTime ---------------------------------------------------------------------------------------


def test_the_constructors_normalise_to_utc_whole_seconds() -> None:
    """Any aware time becomes UTC; a window's ends are rounded outwards so it still holds what it held."""
    local = datetime(2025, 1, 24, 11, 15, 30, 500000, tzinfo=CHICAGO)
    assert ObservedTime.exact(local).at == utc(2025, 1, 24, 17, 15, 30)
    window = ObservedTime.window(local, local + timedelta(minutes=10))
    assert (window.earliest, window.latest) == (utc(2025, 1, 24, 17, 15, 30), utc(2025, 1, 24, 17, 25, 31))
    assert window.precision is APPROXIMATE
    given = ObservedTime.not_given(local, unreadable=True)
    assert (given.precision, given.unreadable, given.at) == (NOT_GIVEN, True, utc(2025, 1, 24, 17, 15, 30))


def test_at_is_the_middle_of_the_window() -> None:
    """Grouping uses one instant: the window's midpoint, to the second."""
    window = ObservedTime.window(utc(2025, 1, 24, 17, 0), utc(2025, 1, 24, 17, 20, 1))
    assert window.at == utc(2025, 1, 24, 17, 10)


@pytest.mark.parametrize(
    "arguments",
    [
        (utc(2025, 1, 24, 17, 0), utc(2025, 1, 24, 16, 0), APPROXIMATE, False),  # backwards
        (utc(2025, 1, 24, 17, 0), utc(2025, 1, 24, 18, 0), EXACT, False),  # an exact time is one instant
        (utc(2025, 1, 24, 17, 0), utc(2025, 1, 24, 18, 0), NOT_GIVEN, False),
        (utc(2025, 1, 24, 17, 0), utc(2025, 1, 24, 17, 0), EXACT, True),  # only NOT_GIVEN is unreadable
        (datetime(2025, 1, 24, 17, 0), datetime(2025, 1, 24, 17, 0), EXACT, False),  # naive
        (NOW, NOW, EXACT, False),  # not UTC
        (NOW_UTC.replace(microsecond=5), NOW_UTC.replace(microsecond=5), EXACT, False),
    ],
)
def test_an_inconsistent_observed_time_cannot_be_built(
    arguments: tuple[datetime, datetime, TimePrecision, bool],
) -> None:
    """The invariants hold for every ObservedTime, however it was made."""
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        ObservedTime(*arguments)


OBSERVED = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)).map(
        ObservedTime.exact
    ),
    st.builds(
        lambda start, width: ObservedTime.window(start, start + width),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
        st.timedeltas(min_value=timedelta(), max_value=timedelta(days=7)),
    ),
    st.builds(
        ObservedTime.not_given,
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
        unreadable=st.booleans(),
    ),
)


@given(OBSERVED)
def test_an_observed_time_survives_its_record(observed: ObservedTime) -> None:
    """to_record gives JSON-able strings; from_record gives the same ObservedTime back."""
    record = observed.to_record()
    assert all(isinstance(value, str) for value in record.values())
    assert ObservedTime.from_record(record) == observed


@pytest.mark.parametrize(
    "record",
    [
        {"earliest": "2025-01-24T17:00:00+00:00", "latest": "2025-01-24T17:00:00+00:00"},
        {"earliest": "2025-01-24T17:00:00", "latest": "2025-01-24T17:00:00", "precision": "exact"},
        {"earliest": "x", "latest": "2025-01-24T17:00:00+00:00", "precision": "exact"},
        {"earliest": "2025-01-24T17:00:00+00:00", "latest": "2025-01-24T17:00:00+00:00", "precision": "roughly"},
        {"earliest": "2025-01-24T17:00:00+00:00", "latest": "2025-01-24T17:00:00+00:00", "precision": "not_given",
         "unreadable": "yes"},
    ],
)  # fmt: skip
def test_a_record_it_could_not_have_written_is_a_value_error(record: dict[str, str]) -> None:
    """Storage reading back a damaged row gets a ValueError, never a wrong time."""
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        ObservedTime.from_record(record)


def test_a_record_from_another_offset_is_read_as_utc() -> None:
    """An aware time in another offset is the same instant, stored as UTC."""
    record = {"earliest": "2025-01-24T11:00:00-06:00", "latest": "2025-01-24T11:00:00-06:00", "precision": "exact"}
    assert ObservedTime.from_record(record) == ObservedTime.exact(utc(2025, 1, 24, 17, 0))


# --- any text at all ------------------------------------------------------------------------------------

TIMEISH = st.lists(
    st.sampled_from(
        [*"0123456789", ":", "/", "-", ".", ",", " ", "+", "~", "?", "!", "am", "pm", "a.m.", "T", "Z", "h",
         "de la tarde", "ago", "hace", "min", "mins", "horas", "hrs", "a las", "yesterday", "ayer", "around",
         "como", "like", "unos", "few", "between", "y", "and", "to", "menos", "cuarto", "media", "half", "past",
         "since", "desde", "before", "after", "almost", "more than", "last", "night", "anoche", "this morning",
         "monday", "jan", "tomorrow", "mañana", "now", "ya", "rn", "est", "\u200b", "\u200e", "\u202e", "\t",
         "ñ", "é", "½", "🚨", "١"]
    ),
    max_size=30,
).map("".join)  # fmt: skip
ANY_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Nd", "No", "Mn", "Po", "So", "Sm"]), max_size=120),
    TIMEISH,
    st.text(min_size=95, max_size=1000),
    st.integers(0, 2000).map(lambda n: "1:1" * n),
)
NOWS = st.sampled_from(
    [NOW, SPRING_FORWARD, utc(2025, 11, 2, 6, 40), utc(2025, 11, 2, 7, 26), datetime(2025, 1, 1, 0, 1, tzinfo=CHICAGO),
     datetime(2025, 1, 24, 3, 0, tzinfo=CHICAGO), datetime(2025, 1, 20, 23, 59, 59, 999999, tzinfo=CHICAGO)]
)  # fmt: skip
CODES = {"when_unparseable", "when_future", "when_too_old"}


@settings(max_examples=1500, deadline=None)
@given(text=ANY_TEXT, language=st.sampled_from([EN, ES]), now=NOWS)
@example(text="near the school on 48th", language=EN, now=NOW)
@example(text="11:15\u200b\u202e", language=ES, now=NOW)
@example(text="9" * 5000, language=EN, now=NOW)
@example(text="2:30 am", language=EN, now=SPRING_FORWARD)
@example(text="1:30 ~", language=EN, now=utc(2025, 11, 2, 6, 40))
@example(text="0BETWEE", language=EN, now=NOW)  # "between" with one end
@example(text="2025-01-24T11:15+99:00", language=EN, now=NOW)  # no such offset
def test_any_text_gives_a_time_within_the_limits_or_a_refusal(text: str, language: Language, now: datetime) -> None:
    """Whatever is typed: an ObservedTime within [now - 7 days, now + 5 min], or Refused, nothing else;
    and the same answer every time."""
    outcome: ObservedTime | Refused
    try:
        outcome = read_when(text, now=now, zone=CHICAGO, language=language)
    except Refused as error:
        outcome = error
    if isinstance(outcome, Refused):
        assert outcome.code in CODES
        with pytest.raises(Refused) as again:
            read_when(text, now=now, zone=CHICAGO, language=language)
        assert (again.value.code, again.value.details) == (outcome.code, outcome.details)
        return
    instant = now.astimezone(UTC).replace(microsecond=0)
    assert instant - MAX_AGE <= outcome.earliest <= outcome.at <= outcome.latest <= instant + FUTURE_TOLERANCE
    if outcome.precision is not EXACT:
        assert outcome.latest <= instant  # only an exact clock time may be a little ahead
    if outcome.precision is NOT_GIVEN:
        assert outcome.at == instant
    assert read_when(text, now=now, zone=CHICAGO, language=language) == outcome


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, language=st.sampled_from([EN, ES]), now=NOWS)
def test_parse_when_gives_an_instant_in_range_or_a_known_refusal(text: str, language: Language, now: datetime) -> None:
    """The older API keeps its contract: a UTC instant within the limits or one of its refusal codes."""
    outcome: datetime | Refused
    try:
        outcome = parse_when(text, now=now, zone=CHICAGO, language=language)
    except Refused as error:
        outcome = error
    if isinstance(outcome, Refused):
        assert outcome.code in {*CODES, "when_vague", "when_nonexistent"}
        return
    instant = outcome
    assert instant.tzinfo is UTC
    assert instant.microsecond == 0
    assert now - MAX_AGE <= instant <= now + FUTURE_TOLERANCE
