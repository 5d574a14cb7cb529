"""The reporter's "when": every accepted form gives one exact UTC instant, everything else a precise refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from verification.errors import RuleViolation, WhenRefused
from verification.model import Language
from verification.when import FUTURE_TOLERANCE, MAX_AGE, parse_when

CHICAGO = ZoneInfo("America/Chicago")
EN, ES = Language.EN, Language.ES
# The morning of a real incident: Friday 2025-01-24, noon in Chicago (CST, UTC-6).
NOW = datetime(2025, 1, 24, 12, 0, tzinfo=CHICAGO)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def when(text: str | None, *, language: Language = EN, now: datetime = NOW) -> datetime:
    return parse_when(text, now=now, zone=CHICAGO, language=language)


def refusal(text: str, *, language: Language = EN, now: datetime = NOW) -> WhenRefused:
    with pytest.raises(WhenRefused) as raised:
        when(text, language=language, now=now)
    return raised.value


# --- accepted forms -------------------------------------------------------------------------------------

NOW_FORMS = ["", "   ", None, "now", "Just now.", "RIGHT NOW", "ahora", "Ahorita", "ahora  mismo", "justo ahora"]

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
]

PART_OF_DAY_FORMS = [
    ("this morning", utc(2025, 1, 24, 15, 0)),
    ("This Morning.", utc(2025, 1, 24, 15, 0)),
    ("esta mañana", utc(2025, 1, 24, 15, 0)),
    ("esta manana", utc(2025, 1, 24, 15, 0)),
    ("last night", utc(2025, 1, 24, 3, 0)),
    ("anoche", utc(2025, 1, 24, 3, 0)),
    ("yesterday afternoon", utc(2025, 1, 23, 21, 0)),
    ("ayer por la tarde", utc(2025, 1, 23, 21, 0)),
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
    ("ayer a las 11", utc(2025, 1, 23, 17, 0)),
    ("a las 3 pm de ayer", utc(2025, 1, 23, 21, 0)),
]


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize("text", NOW_FORMS)
def test_empty_text_and_words_for_now_mean_now(text: str | None, language: Language) -> None:
    """Nothing typed, or "now" in either language, is the moment of the report."""
    assert when(text, language=language) == utc(2025, 1, 24, 18, 0)


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "expected"), RELATIVE_FORMS)
def test_relative_times_count_back_from_now(text: str, expected: datetime, language: Language) -> None:
    """ "10 min ago" and "hace diez minutos" count back from now, in digits or in words."""
    assert when(text, language=language) == expected


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "expected"), PART_OF_DAY_FORMS)
def test_parts_of_the_day_stand_for_a_fixed_local_hour(text: str, expected: datetime, language: Language) -> None:
    """Morning is 09:00, afternoon 15:00, last night 21:00 the day before, in the community's zone."""
    assert when(text, language=language) == expected


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "expected"), ABSOLUTE_FORMS)
def test_clock_times_and_dates_are_read_in_the_community_zone(
    text: str, expected: datetime, language: Language
) -> None:
    """Clock times, dates and ISO stamps give the exact instant; an explicit offset beats the zone."""
    assert when(text, language=language) == expected


@pytest.mark.parametrize(
    ("text", "said_at", "expected"),
    [
        ("this afternoon", datetime(2025, 1, 24, 13, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 19, 0)),
        ("esta tarde", datetime(2025, 1, 24, 13, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 19, 0)),
        ("this afternoon", datetime(2025, 1, 24, 16, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 21, 0)),
        ("tonight", datetime(2025, 1, 24, 19, 30, tzinfo=CHICAGO), utc(2025, 1, 25, 1, 30)),
        ("esta noche", datetime(2025, 1, 24, 21, 0, tzinfo=CHICAGO), utc(2025, 1, 25, 2, 0)),
        ("this evening", datetime(2025, 1, 24, 21, 0, tzinfo=CHICAGO), utc(2025, 1, 25, 2, 0)),
        ("this morning", datetime(2025, 1, 24, 8, 0, tzinfo=CHICAGO), utc(2025, 1, 24, 14, 0)),
    ],
)
def test_a_part_of_the_day_still_to_come_becomes_now(text: str, said_at: datetime, expected: datetime) -> None:
    """ "This afternoon" said at 13:00 cannot be 15:00, so it is the moment of the report."""
    assert when(text, now=said_at) == expected


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
        ("12:06", NOW, utc(2025, 1, 23, 18, 6)),
    ],
)
def test_a_bare_clock_time_later_than_now_was_yesterday(text: str, said_at: datetime, expected: datetime) -> None:
    """At 00:20, "23:50" is ten minutes before midnight; within five minutes ahead it is still today."""
    assert when(text, now=said_at) == expected


def test_a_bare_clock_time_with_today_never_rolls_back_to_yesterday() -> None:
    """ "Today 12:06" at noon is in the future and refused, not moved to yesterday."""
    assert refusal("today 12:06").code == "when_future"


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
    assert when(text, language=language, now=datetime(2025, 2, 3, 12, 0, tzinfo=CHICAGO)) == expected


@pytest.mark.parametrize(("text", "language"), [("01/02 10:00", EN), ("02/01 10:00", ES)])
def test_the_other_day_month_order_is_not_tried(text: str, language: Language) -> None:
    """Read in the language's order the date is 2 January, too old, even though 1 February would fit."""
    assert refusal(text, language=language, now=datetime(2025, 2, 3, 12, 0, tzinfo=CHICAGO)).code == "when_too_old"


def test_a_date_without_year_in_the_future_is_refused_not_moved_to_last_year() -> None:
    """On 2 January, "12/31 23:00" is next December: refused, although last 31 December would fit."""
    assert refusal("12/31 23:00", now=datetime(2025, 1, 2, 12, 0, tzinfo=CHICAGO)).code == "when_future"


SPRING_FORWARD = datetime(2025, 3, 9, 12, 0, tzinfo=CHICAGO)  # 02:00 CST jumped to 03:00 CDT


@pytest.mark.parametrize("text", ["02:30", "2:30 am", "3/9 02:30", "2025-03-09 02:30", "a las 2:30"])
def test_a_time_skipped_by_spring_forward_is_refused(text: str) -> None:
    """02:30 did not happen in Chicago on 9 March 2025."""
    error = refusal(text, now=SPRING_FORWARD)
    assert (error.code, error.details) == ("when_nonexistent", {"time": "02:30"})


@pytest.mark.parametrize(("text", "expected"), [("01:30", utc(2025, 3, 9, 7, 30)), ("03:30", utc(2025, 3, 9, 8, 30))])
def test_times_around_the_spring_forward_gap_are_accepted(text: str, expected: datetime) -> None:
    """Either side of the gap the offset changes from -6 to -5."""
    assert when(text, now=SPRING_FORWARD) == expected


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
    assert when("01:30", now=said_at) == expected
    assert when("2025-11-02 01:30", now=said_at) == expected
    assert when("01:30", now=said_at.astimezone(CHICAGO)) == expected  # same answer whatever zone `now` is in


def test_an_explicit_offset_is_honoured_instead_of_the_community_zone() -> None:
    """The same wall time with and without an offset gives different instants."""
    assert when("2025-01-24 11:15") == utc(2025, 1, 24, 17, 15)
    assert when("2025-01-24 11:15+00:00") == utc(2025, 1, 24, 11, 15)


def test_the_result_is_utc_with_seconds_kept_and_microseconds_dropped() -> None:
    """The instant is stored in UTC to the second."""
    result = when("now", now=datetime(2025, 1, 24, 12, 0, 30, 999999, tzinfo=CHICAGO))
    assert result == utc(2025, 1, 24, 18, 0, 30)
    assert result.tzinfo is UTC
    assert result.microsecond == 0


def test_the_limits_are_public_constants() -> None:
    """Five minutes ahead for clock skew, seven days back."""
    assert FUTURE_TOLERANCE.total_seconds() == 5 * 60
    assert MAX_AGE.total_seconds() == 7 * 24 * 3600


def test_a_naive_now_is_a_programming_error() -> None:
    """`now` without a zone is the caller's bug: ValueError, not a refusal shown to the reporter."""
    with pytest.raises(ValueError, match="aware"):
        parse_when("now", now=datetime(2025, 1, 24, 12, 0), zone=CHICAGO, language=EN)


# --- refusals -------------------------------------------------------------------------------------------

REFUSALS = [
    # Not a time: sentences, bare numbers, words dateutil would guess from.
    ("near the school on 48th", "when_unparseable"),
    ("5", "when_unparseable"),
    ("11", "when_unparseable"),
    ("at 5", "when_unparseable"),
    ("yesterday 3", "when_unparseable"),
    ("48th", "when_unparseable"),
    ("school", "when_unparseable"),
    ("tomorrow", "when_unparseable"),
    ("mañana", "when_unparseable"),
    ("10 minutos", "when_unparseable"),
    ("11:15 EST", "when_unparseable"),
    ("17:15Z", "when_unparseable"),  # an offset needs a full date
    ("15:00 pm", "when_unparseable"),
    ("0:30 am", "when_unparseable"),
    ("13 de la mañana", "when_unparseable"),
    ("3 pm de la tarde", "when_unparseable"),
    ("25:00", "when_unparseable"),
    ("11:75", "when_unparseable"),
    ("2/30 10:00", "when_unparseable"),
    ("2025-13-01 10:00", "when_unparseable"),
    ("ayer 1/23 15:10", "when_unparseable"),
    ("1" * 101, "when_unparseable"),
    ("11:15" + " " * 96, "when_unparseable"),
    ("\u200b", "when_unparseable"),
    ("\u200e\u202e\u2066", "when_unparseable"),
    ("\x00\x01", "when_unparseable"),
    (".", "when_unparseable"),
    ("\ud800", "when_unparseable"),
    # A time, but we would have to invent the hour.
    ("yesterday", "when_vague"),
    ("Ayer.", "when_vague"),
    ("today", "when_vague"),
    ("a while ago", "when_vague"),
    ("hace un rato", "when_vague"),
    ("hace poco", "when_vague"),
    ("earlier", "when_vague"),
    ("recently", "when_vague"),
    ("a few minutes ago", "when_vague"),
    ("hace unos minutos", "when_vague"),
    ("2 days ago", "when_vague"),
    ("hace 3 días", "when_vague"),
    ("1/24", "when_vague"),
    # Out of range.
    ("today 12:06", "when_future"),
    ("2025-01-24 12:06", "when_future"),
    ("1/25 10:00", "when_future"),
    ("2025-01-24T18:06:00Z", "when_future"),
    ("8 days ago", "when_too_old"),
    ("hace 8 días", "when_too_old"),
    ("169 hours ago", "when_too_old"),
    ("2 weeks ago", "when_too_old"),
    ("1/17 11:59", "when_too_old"),
    ("01/24/2024 11:15", "when_too_old"),
    ("0001-01-01 00:00", "when_too_old"),
    ("9999-12-31 23:59+00:00", "when_future"),
    ("999999 hours ago", "when_too_old"),
]


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "code"), REFUSALS)
def test_text_that_is_not_an_acceptable_time_is_refused_with_its_code(text: str, code: str, language: Language) -> None:
    """Sentences, bare numbers, vague words and out-of-range times are refused, never guessed."""
    error = refusal(text, language=language)
    assert error.code == code
    assert isinstance(error, RuleViolation)


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("tomorrow 1pm", {}),
        ("8 days ago", {"days": 7}),
        ("today 13:00", {"minutes": 5}),
        ("1" * 101, {"max_length": 100}),
    ],
)
def test_refusals_carry_the_details_the_message_needs(text: str, details: dict[str, object]) -> None:
    """The adapter fills its message's placeholders from the details."""
    assert refusal(text).details == details


@pytest.mark.parametrize(
    "text",
    [
        "1\u200b1:15",
        "\u202e11:15",
        "11:15\u200e",
        "11:15\x00am",
        "１１：１５",
        "11:15\tam",
        "\n11:15\r\n",
        "  11:15   A.M.  ",
    ],
)
def test_invisible_characters_and_full_width_digits_are_normalised_before_matching(text: str) -> None:
    """Zero-width, bidi, control and full-width characters do not change what the reporter wrote."""
    assert when(text) == utc(2025, 1, 24, 17, 15)


# --- any text at all ------------------------------------------------------------------------------------

TIMEISH = st.lists(
    st.sampled_from(
        [*"0123456789", ":", "/", "-", ".", ",", " ", "+", "am", "pm", "a.m.", "T", "Z", "de la tarde", "ago",
         "hace", "min", "horas", "a las", "yesterday", "ayer", "\u200b", "\u200e", "\u202e", "\t", "ñ", "é"]
    ),
    max_size=30,
).map("".join)  # fmt: skip
ANY_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Nd", "No", "Mn", "Po"]), max_size=120),
    TIMEISH,
    st.text(min_size=95, max_size=1000),
    st.integers(0, 2000).map(lambda n: "1:1" * n),
)
NOWS = st.sampled_from(
    [NOW, SPRING_FORWARD, utc(2025, 11, 2, 6, 40), utc(2025, 11, 2, 7, 26), datetime(2025, 1, 1, 0, 1, tzinfo=CHICAGO)]
)


@settings(max_examples=500)
@given(text=ANY_TEXT, language=st.sampled_from([EN, ES]), now=NOWS)
@example(text="near the school on 48th", language=EN, now=NOW)
@example(text="11:15\u200b\u202e", language=ES, now=NOW)
@example(text="9" * 5000, language=EN, now=NOW)
def test_any_text_gives_an_instant_in_range_or_a_refusal(text: str, language: Language, now: datetime) -> None:
    """Whatever is typed, the answer is a UTC instant within the limits or a WhenRefused, nothing else."""
    outcome: datetime | WhenRefused
    try:
        outcome = parse_when(text, now=now, zone=CHICAGO, language=language)
    except WhenRefused as error:
        outcome = error
    if isinstance(outcome, WhenRefused):
        assert outcome.code in {"when_unparseable", "when_vague", "when_future", "when_too_old", "when_nonexistent"}
    else:
        assert outcome.tzinfo is UTC
        assert outcome.microsecond == 0
        assert now - MAX_AGE <= outcome <= now + FUTURE_TOLERANCE
