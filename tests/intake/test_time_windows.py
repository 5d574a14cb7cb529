"""Approximate times: each accepted form is a window that holds the moment the reporter meant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake import Language, Refused
from intake.time import ObservedTime, TimePrecision, parse_when, read_when

CHICAGO = ZoneInfo("America/Chicago")
EN, ES = Language.EN, Language.ES
APPROXIMATE = TimePrecision.APPROXIMATE
NOW = datetime(2025, 1, 24, 12, 0, tzinfo=CHICAGO)  # Friday noon, CST


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall time in Chicago in January 2025 (CST all month)."""
    return datetime(2025, 1, day, hour, minute, tzinfo=CHICAGO)


def read(text: str, *, now: datetime = NOW, language: Language = EN) -> ObservedTime:
    return read_when(text, now=now, zone=CHICAGO, language=language)


def window(text: str, *, now: datetime = NOW, language: Language = EN) -> tuple[datetime, datetime]:
    """The window in Chicago wall time, checked to be approximate."""
    observed = read(text, now=now, language=language)
    assert observed.precision is APPROXIMATE, observed
    return observed.earliest.astimezone(CHICAGO), observed.latest.astimezone(CHICAGO)


# Each form with a moment it can truthfully describe, said on Friday 24 January at noon.
HEDGED_COUNTS = [
    ("about 15 min ago", ago(13)),
    ("like 10 min ago", ago(12)),
    ("like 10 mins ago!!", ago(8)),
    ("around 20 minutes ago", ago(25)),
    ("approx 20 mins ago", ago(17)),
    ("approx. 20 mins ago", ago(20)),
    ("roughly an hour ago", ago(70)),
    ("~10 min", ago(11)),
    ("~10min ago", ago(9)),
    ("10ish min ago", ago(11)),
    ("10 min ago maybe", ago(12)),
    ("10 min ago?", ago(9)),
    ("10 min ago or so", ago(11)),
    ("maybe 30 min ago idk", ago(35)),
    ("prolly 5 min ago", ago(6)),
    ("i think 20 min ago", ago(22)),
    ("abt 15 min ago", ago(14)),
    ("bout 20 mins ago", ago(19)),
    ("arround 10 minutes ago", ago(10)),
    ("probably like 15 minutes ago", ago(16)),
    ("10 minutes ago i think", ago(9)),
    ("it was like 10 min ago lol", ago(10)),
    ("not sure, maybe 20 min ago", ago(24)),
    ("like 5 mins", ago(4)),
    ("like an hour ago", ago(55)),
    ("about half an hour ago", ago(35)),
    ("some 20 minutes ago", ago(20)),
    ("hace como 10 min", ago(12)),
    ("hace unos 10 minutos", ago(9)),
    ("hace más o menos 20 min", ago(22)),
    ("hace como una hora", ago(65)),
    ("hace como media hora", ago(28)),
    ("como hace 15 min", ago(14)),
    ("hace aprox 15 min", ago(15)),
    ("hace 15 min aprox", ago(16)),
    ("hace 10 min mas o menos", ago(8)),
    ("hace tipo 20 minutos", ago(20)),
    ("hace como 10 minutos creo", ago(11)),
    ("creo que hace 20 min", ago(18)),
    ("hace cerca de una hora", ago(58)),
    ("hace alrededor de 30 min", ago(33)),
    ("hace unos 5 min", ago(5)),
    ("hace como 2 horas", ago(150)),
    ("HACE COMO 10 MIN!!!", ago(10)),
    ("haze como 10 min", ago(10)),
]

VAGUE_COUNTS = [
    ("a few minutes ago", ago(5)),
    ("few mins ago", ago(4)),
    ("a few min ago", ago(3)),
    ("a couple minutes ago", ago(2)),
    ("couple mins ago", ago(3)),
    ("a couple of minutes ago", ago(4)),
    ("several minutes ago", ago(10)),
    ("minutes ago", ago(7)),
    ("hace unos minutos", ago(6)),
    ("hace unos minutitos", ago(3)),
    ("hace pocos minutos", ago(4)),
    ("hace un par de minutos", ago(2)),
    ("hace varios minutos", ago(15)),
    ("hace minutos", ago(5)),
    ("a few hours ago", ago(180)),
    ("couple hrs ago", ago(120)),
    ("hace unas horas", ago(200)),
    ("hace un par de horas", ago(130)),
    ("a few seconds ago", ago(0.5)),
    ("hace unos segundos", ago(0.3)),
]

WHILES = [
    ("just now", ago(1)),
    ("Just now.", ago(2)),
    ("just now!!", ago(2)),
    ("a moment ago", ago(1)),
    ("hace nada", ago(1)),
    ("moments ago", ago(2)),
    ("a sec ago", ago(0.5)),
    ("hace un momento", ago(3)),
    ("hace un momentito", ago(1)),
    ("recién", ago(2)),
    ("they just left", ago(1)),
    ("acaba de pasar", ago(2)),
    ("a little while ago", ago(15)),
    ("a bit ago", ago(10)),
    ("hace un ratito", ago(20)),
    ("hace ratito", ago(10)),
    ("hace un poquito", ago(12)),
    ("hace poco", ago(30)),
    ("not long ago", ago(20)),
    ("no hace mucho", ago(25)),
    ("a while ago", ago(60)),
    ("awhile ago", ago(45)),
    ("a while back", ago(50)),
    ("hace un rato", ago(40)),
    ("hace rato", ago(90)),
    ("un rato antes", ago(30)),
    ("earlier", ago(60)),
    ("más temprano", ago(45)),
    ("antes", ago(30)),
    ("a good while ago", ago(120)),
    ("hace un buen rato", ago(150)),
    ("recently", ago(50)),
    ("recientemente", ago(30)),
]

PARTS_OF_DAY = [
    ("this morning", local(24, 8)),
    ("This Morning.", local(24, 6, 30)),
    ("esta mañana", local(24, 9, 30)),
    ("esta manana", local(24, 10)),
    ("earlier this morning", local(24, 7)),
    ("early this morning", local(24, 5, 30)),
    ("esta madrugada", local(24, 3)),
    ("de madrugada", local(24, 4)),
    ("in the morning", local(24, 10)),
    ("en la mañana", local(24, 9)),
    ("por la mañana", local(24, 11)),
    ("this am", local(24, 9)),
    ("last night", local(23, 22)),
    ("anoche", local(24, 1)),
    ("late last night", local(24, 2)),
    ("ayer en la noche", local(23, 21)),
    ("yesterday afternoon", local(23, 15)),
    ("ayer por la tarde", local(23, 17)),
    ("yesterday morning", local(23, 8)),
    ("ayer en la mañana", local(23, 10)),
    ("yesterday evening", local(23, 19)),
    ("monday night", local(20, 23)),
    ("el lunes en la noche", local(21, 1)),
    ("in the evening", local(23, 20)),  # today's has not begun at noon: yesterday's
    ("toda la noche", local(24, 3)),
    ("lastnight", local(23, 23)),
    ("anoche tarde", local(24, 1)),
    ("sometime last night", local(23, 20)),
    ("at lunch", local(24, 11, 30)),
    ("lunchtime yesterday", local(23, 13)),
    ("midmorning", local(24, 10)),
]

DAYS = [
    ("yesterday", local(23, 14)),
    ("ayer", local(23, 9)),
    ("Ayer.", local(23, 20)),
    ("yday", local(23, 9)),
    ("yesterdy", local(23, 9)),
    ("ayer temprano", local(23, 7)),
    ("today", local(24, 9)),
    ("hoy", local(24, 9)),
    ("earlier today", local(24, 8)),
    ("hoy temprano", local(24, 7)),
    ("all day", local(24, 10)),
    ("todo el día", local(24, 8)),
    ("anteayer", local(22, 12)),
    ("day before yesterday", local(22, 20)),
    ("monday", local(20, 10)),
    ("el lunes", local(20, 10)),
    ("on wednesday", local(22, 13)),
    ("last tuesday", local(21, 9)),
    ("this past monday", local(20, 9)),
    ("el martes pasado", local(21, 18)),
    ("2 days ago", local(22, 15)),
    ("hace 2 días", local(22, 15)),
    ("hace 3 dias", local(21, 9)),
    ("a day ago", local(23, 12)),
    ("hace como 2 días", local(21, 23)),
    ("1/22", local(22, 16)),
    ("jan 22", local(22, 16)),
    ("22 de enero", local(22, 16)),
    ("on the 22nd", local(22, 16)),
    ("jan 22nd", local(22, 16)),
    ("this week", local(21, 10)),
    ("esta semana", local(20, 10)),
    ("last week", local(18, 10)),
    ("la semana pasada", local(20, 10)),
    ("the other day", local(21, 12)),
    ("a couple days ago", local(22, 12)),
    ("a few days ago", local(20, 12)),
]

HEDGED_CLOCKS = [
    ("around 7", local(24, 7, 10)),
    ("like 8", local(24, 7, 50)),
    ("como a las 10", local(24, 10, 15)),
    ("a eso de las 10", local(24, 9, 45)),
    ("eso de las 11", local(24, 11, 5)),
    ("cerca de las 11", local(24, 10, 50)),
    ("around 7:30", local(24, 7, 40)),
    ("around 7:30am", local(24, 7, 20)),
    ("like 7:30ish", local(24, 7, 35)),
    ("7ish", local(24, 7, 20)),
    ("7-ish", local(24, 6, 50)),
    ("8ish am", local(24, 8, 10)),
    ("9am-ish", local(24, 9, 10)),
    ("~9am", local(24, 8, 50)),
    ("approx 10:15", local(24, 10, 5)),
    ("around 11 this morning", local(24, 11, 20)),
    ("this morning around 8", local(24, 8, 15)),
    ("esta mañana como a las 8", local(24, 8, 15)),
    ("como a las 8 de la mañana", local(24, 7, 45)),
    ("around noon", local(24, 11, 50)),
    ("como al mediodía", local(24, 11, 45)),
    ("last night around 11", local(23, 23, 10)),
    ("anoche como a las 11", local(23, 22, 50)),
    ("ayer como a las 3 de la tarde", local(23, 15, 20)),
    ("yesterday around 3pm", local(23, 14, 45)),
    ("around 7 last night", local(23, 19)),
    ("a las 10 y pico", local(24, 10, 20)),
    ("10 something", local(24, 10, 40)),
    ("just after 10", local(24, 10, 10)),
    ("poco después de las 10", local(24, 10, 5)),
    ("a little before 11", local(24, 10, 50)),
    ("almost 11", local(24, 10, 55)),
    ("casi las 11", local(24, 10, 55)),
    ("before 11", local(24, 10, 30)),
    ("antes de las 11", local(24, 10, 30)),
    ("after 10", local(24, 10, 30)),
    ("después de las 10", local(24, 10, 45)),
    ("since 10:30", local(24, 11)),
    ("desde las 10", local(24, 11, 30)),
    ("since this morning", local(24, 9)),
    ("between 7 and 8", local(24, 7, 30)),
    ("entre las 7 y las 8", local(24, 7, 45)),
    ("7-8am", local(24, 7, 15)),
    ("like 10-11", local(24, 10, 30)),
]

RANGES_AND_DIRECTIONS = [
    ("15-20 min ago", ago(17)),
    ("10 to 15 minutes ago", ago(12)),
    ("10 or 15 min ago", ago(14)),
    ("hace 10 o 15 minutos", ago(11)),
    ("hace entre 10 y 15 minutos", ago(13)),
    ("between 10 and 15 min ago", ago(13)),
    ("5/10 min ago", ago(7)),
    ("hace 10 a 15 minutos", ago(12)),
    ("1-2 hours ago", ago(90)),
    ("more than an hour ago", ago(80)),
    ("over an hour ago", ago(100)),
    ("hace más de una hora", ago(70)),
    ("10+ min ago", ago(15)),
    ("at least 20 min ago", ago(30)),
    ("less than 10 min ago", ago(5)),
    ("hace menos de 10 minutos", ago(3)),
    ("in the last 20 min", ago(10)),
    ("within the last hour", ago(40)),
    ("en los últimos 15 minutos", ago(7)),
    ("for 20 min", ago(15)),
    ("for the last half hour", ago(20)),
    ("desde hace 20 min", ago(18)),
    ("almost 10 min ago", ago(9)),
    ("casi 10 minutos", ago(9)),
    ("just over an hour ago", ago(65)),
    ("un poco más de una hora", ago(70)),
    ("hace casi una hora", ago(55)),
    ("in the last hour", ago(45)),
    ("within the hour", ago(30)),
    ("the last 2 hours", ago(100)),
    ("hace hora y pico", ago(70)),
    ("hace 10 y pico minutos", ago(12)),
    ("1 hour ago or less", ago(40)),
    ("20 min or more", ago(30)),
    ("hace 10 min o menos", ago(6)),
]

ALL_FORMS = HEDGED_COUNTS + VAGUE_COUNTS + WHILES + PARTS_OF_DAY + DAYS + HEDGED_CLOCKS + RANGES_AND_DIRECTIONS


@pytest.mark.parametrize("language", [EN, ES])
@pytest.mark.parametrize(("text", "truth"), ALL_FORMS)
def test_every_approximate_form_is_a_window_holding_the_truth(text: str, truth: datetime, language: Language) -> None:
    """The window contains the moment the words describe, and never reaches past now."""
    earliest, latest = window(text, language=language)
    assert earliest <= truth <= latest
    assert latest <= NOW


@pytest.mark.parametrize("decorate", [str.upper, "{}!!!".format, "{} 🚨🚨".format, "😭 {}...".format, "{}??".format])
@pytest.mark.parametrize(("text", "truth"), ALL_FORMS[::3])
def test_hurried_variants_hold_the_same_truth(text: str, truth: datetime, decorate: Callable[[str], str]) -> None:
    """Shouted, with emoji, trailing "!!!" or "??": still a window around the same moment."""
    earliest, latest = window(decorate(text))
    assert earliest <= truth <= latest


# --- how wide each kind of window is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "most", "least"),
    [
        ("about 15 min ago", 20, 10),  # the example
        ("about 3 min ago", 5, 1),  # never narrower than two minutes either side
        ("about an hour ago", 80, 40),
        ("hace como una hora", 80, 40),
        ("hace como 2 horas", 160, 80),
        ("around 30 min ago", 40, 20),
        ("like 6 mins ago", 8, 4),
    ],
)
def test_a_hedged_count_widens_with_the_count(text: str, most: float, least: float) -> None:
    """ "about N ago" is N ± max(2 min, N/3) ago."""
    assert window(text) == (ago(most), ago(least))


def test_a_hedged_count_near_now_stops_at_now() -> None:
    """ "about 30 seconds ago" reaches two minutes either side, but not past the report."""
    assert window("about 30 seconds ago") == (ago(2.5), NOW)


@pytest.mark.parametrize(
    ("text", "most", "least"),
    [
        ("a few minutes ago", 10, 2),
        ("a couple minutes ago", 5, 1),
        ("several minutes ago", 20, 3),
        ("hace unos minutos", 10, 2),
        ("minutes ago", 10, 2),
        ("a few hours ago", 300, 120),
        ("a couple of hours ago", 180, 60),
        ("several hours ago", 480, 120),
        ("a few seconds ago", 5, 0),
        ("hace unos segundos", 5, 0),
        ("several seconds ago", 5, 0),
        ("just now", 5, 0),
        ("hace un momento", 5, 0),
        ("a little while ago", 30, 5),
        ("hace un ratito", 30, 5),
        ("hace poco", 60, 2),
        ("a while ago", 120, 15),
        ("hace un rato", 120, 15),
        ("earlier", 120, 15),
        ("a good while ago", 180, 30),
        ("recently", 120, 0),
        ("10-15 min ago", 15, 10),
        ("entre 10 y 15 minutos", 15, 10),
        ("more than 10 min ago", 20, 10),
        ("less than 10 min ago", 10, 0),
        ("for the last 20 min", 20, 0),
        ("almost 15 min ago", 15, 10),
        ("just over 15 min ago", 20, 15),
    ],
)
def test_vague_words_and_ranges_have_fixed_windows(text: str, most: float, least: float) -> None:
    """Each vague phrase stands for a documented window, counted back from now."""
    assert window(text) == (ago(most), ago(least))


@pytest.mark.parametrize(
    ("text", "said_at", "expected"),
    [
        ("around 7:30", local(24, 12), (local(24, 7, 15), local(24, 7, 45))),
        ("around 7", local(24, 20), (local(24, 18, 30), local(24, 19, 30))),  # 19:00, not 07:00
        ("around 7", local(24, 9), (local(24, 6, 30), local(24, 7, 30))),
        ("around 7", local(24, 6, 45), (local(24, 6, 30), local(24, 6, 45))),  # has begun: today's, cut to now
        ("like 8", local(24, 9), (local(24, 7, 30), local(24, 8, 30))),
        ("como a las 3", local(24, 16), (local(24, 14, 30), local(24, 15, 30))),
        ("como a las 3", local(24, 14), (local(24, 2, 30), local(24, 3, 30))),
        ("around 11", local(24, 10), (local(23, 22, 30), local(23, 23, 30))),  # 11:00 has not begun at 10:00
        ("a eso de las 4 de la tarde", local(24, 18), (local(24, 15, 30), local(24, 16, 30))),
        ("around noon", local(24, 14), (local(24, 11, 30), local(24, 12, 30))),
        ("7ish", local(24, 20), (local(24, 18, 30), local(24, 19, 30))),
        ("between 7 and 8", local(24, 20), (local(24, 19), local(24, 20))),
        ("7-8am", local(24, 20), (local(24, 7), local(24, 8))),
    ],
)
def test_a_hedged_clock_is_its_most_recent_occurrence_with_a_margin(
    text: str, said_at: datetime, expected: tuple[datetime, datetime]
) -> None:
    """±15 min with minutes, ±30 min for a bare hour; am or pm is the latest one whose window has begun."""
    assert window(text, now=said_at) == expected


@pytest.mark.parametrize(
    ("text", "said_at", "expected"),
    [
        ("this morning", local(24, 12), (local(24, 5), local(24, 12))),
        ("this morning", local(24, 9), (local(24, 5), local(24, 9))),
        ("this morning", local(24, 4), (local(24, 0), local(24, 4))),  # the small hours so far
        ("esta mañana", local(24, 15), (local(24, 5), local(24, 12))),
        ("early this morning", local(24, 15), (local(24, 0), local(24, 8))),
        ("this afternoon", local(24, 16), (local(24, 12), local(24, 16))),
        ("esta tarde", local(24, 21), (local(24, 12), local(24, 19))),
        ("this evening", local(24, 20), (local(24, 17), local(24, 20))),
        ("tonight", local(24, 21), (local(24, 18), local(24, 21))),
        ("tonight", local(25, 2), (local(24, 18), local(25, 2))),  # the night still going on
        ("esta noche", local(25, 2), (local(24, 18), local(25, 2))),
        ("last night", local(24, 12), (local(23, 18), local(24, 6))),
        ("anoche", local(25, 2), (local(24, 18), local(25, 2))),
        ("in the afternoon", local(24, 10), (local(23, 12), local(23, 19))),  # today's has not begun
        ("in the afternoon", local(24, 14), (local(24, 12), local(24, 14))),
        ("yesterday", local(24, 12), (local(23, 0), local(24, 0))),
        ("today", local(24, 12), (local(24, 0), local(24, 12))),
        ("2 days ago", local(24, 0, 30), (local(22, 0), local(23, 0))),  # a calendar day, not 48 hours
        ("about 2 days ago", local(24, 12), (local(21, 0), local(24, 0))),
        ("last week", local(24, 12), (local(17, 12), local(24, 0))),  # cut at seven days
        ("this week", local(24, 12), (local(17, 12), local(24, 12))),
        ("friday night", local(24, 12), (local(17, 18), local(18, 6))),  # tonight's is still to come
    ],
)
def test_parts_of_the_day_and_days_are_windows_cut_to_now(
    text: str, said_at: datetime, expected: tuple[datetime, datetime]
) -> None:
    """Morning 05-12, afternoon 12-19, evening 17-23, night 18-06; days run midnight to midnight."""
    assert window(text, now=said_at) == expected


@pytest.mark.parametrize(
    ("text", "said_at"),
    [("this afternoon", local(24, 10)), ("tonight", local(24, 10)), ("this evening", local(24, 16))],
)
def test_a_part_of_the_day_still_to_come_is_refused_as_future(text: str, said_at: datetime) -> None:
    """ "this afternoon" said at 10:00 cannot be an observation yet."""
    with pytest.raises(Refused) as raised:
        read(text, now=said_at)
    assert raised.value.code == "when_future"


def test_a_window_reaching_past_seven_days_is_cut_there() -> None:
    """ "7 days ago" is that calendar day, but only its part within the seven days."""
    earliest, latest = window("7 days ago")
    assert (earliest, latest) == (NOW - timedelta(days=7), local(18, 0))


def test_a_window_is_stored_and_read_back_unchanged() -> None:
    """What `read_when` gives survives its record, as storage will keep it."""
    observed = read("hace como 10 min")
    assert ObservedTime.from_record(observed.to_record()) == observed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about 15 min ago", ago(15)),
        ("a couple minutes ago", ago(3)),
        ("around 7:30am", local(24, 7, 30)),
        ("10-15 min ago", ago(12.5)),
    ],
)
def test_at_is_the_middle_of_the_window(text: str, expected: datetime) -> None:
    """Grouping and `parse_when` use the middle of the window."""
    assert read(text).at == expected.astimezone(UTC)
    assert parse_when(text, now=NOW, zone=CHICAGO, language=EN) == expected.astimezone(UTC)
