"""How people place a report around the streets: neighbourhoods as context, connectors and shortened
street names, businesses at corners and on streets, the numbered grid, transit lines by colour.

The community here is not the benchmark's: East Los Angeles, with Spanish and English as people type
them. Each rule is about how places are written, never about one street.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.place import Place, PlaceBook, PlaceKind, ReadingKind, resolve_place
from tests.verification.test_clustering import Queue

EAST_LA = [
    Place(
        "roosevelt hs", "Roosevelt High School", "Boyle Heights", PlaceKind.SCHOOL, ("Roosevelt HS", "prepa Roosevelt"),
        "456 S Mathews St", ("E 4th St", "S Mathews St"),
    ),
    Place(
        "hollenbeck park", "Hollenbeck Park", "Boyle Heights", PlaceKind.PARK, ("parque Hollenbeck",),
        "415 S St Louis St", ("E 4th St", "S St Louis St"),
    ),
    Place(
        "hollenbeck ms", "Hollenbeck Middle School", "Boyle Heights", PlaceKind.SCHOOL, ("Hollenbeck MS",),
        "2510 E 6th St", ("E 6th St", "S Cummings St"),
    ),
    Place(
        "st mary", "St. Mary Church", "Boyle Heights", PlaceKind.WORSHIP, ("iglesia Santa Maria",),
        "407 S Chicago St", ("E 4th St", "S Chicago St"),
    ),
    Place(
        "mariachi plaza", "Mariachi Plaza station", "Boyle Heights", PlaceKind.STATION,
        ("Mariachi Plaza", "Gold Line Mariachi Plaza", "estacion Mariachi"), "1831 E 1st St",
        ("E 1st St", "N Boyle Ave"),
    ),
    Place(
        "soto station", "Soto station", "Boyle Heights", PlaceKind.STATION, ("Soto Gold Line",),
        "2030 E 1st St", ("E 1st St", "N Soto St"),
    ),
    Place(
        "white memorial", "White Memorial Medical Center", "Boyle Heights", PlaceKind.HOSPITAL,
        ("White Memorial", "hospital White Memorial"), "1720 E Cesar Chavez Ave", ("E Cesar Chavez Ave", "N State St"),
    ),
    Place(
        "echo park", "Echo Park", "Echo Park", PlaceKind.PARK, ("Echo Park Lake", "parque Echo Park"),
        "751 Echo Park Ave", ("Echo Park Ave", "W Park Ave"),
    ),
    Place(
        "echo park clinic", "Echo Park Health Clinic", "Echo Park", PlaceKind.HOSPITAL, ("clinica Echo Park",),
        "1400 W Sunset Blvd", ("W Sunset Blvd", "N Echo Park Ave"),
    ),
    Place(
        "ela court", "East Los Angeles Courthouse", "East Los Angeles", PlaceKind.COURT, ("East LA Courthouse",),
        "4848 E Cesar Chavez Ave", ("E Cesar Chavez Ave", "S Fetterly Ave"),
    ),
    Place(
        "ramona gardens", "Ramona Gardens Community Center", "El Sereno", PlaceKind.OTHER, (),
        "2830 Lancaster Ave", ("Lancaster Ave", "Evergreen Ave", "Everett St", "Martin Luther King Blvd"),
    ),
]  # fmt: skip
BOOK = PlaceBook.of(EAST_LA)
EMPTY = PlaceBook()

# Manhattan: numbered streets do not cross the avenues at their hundred blocks.
MANHATTAN = PlaceBook.of(
    [
        Place("union sq", "Union Square Park", "Union Square", PlaceKind.PARK, (), "201 Park Ave S", ("E 14th St",)),
        Place("madison sq", "Madison Square Park", "Flatiron", PlaceKind.PARK, (), "11 Madison Ave", ("E 23rd St",)),
        Place("gramercy", "Gramercy Park", "Gramercy", PlaceKind.PARK, (), "50 Lexington Ave", ("E 21st St",)),
        Place("stuyvesant", "Stuyvesant Square", "Gramercy", PlaceKind.PARK, (), "300 Rutherford Pl", ("E 17th St",)),
    ]
)


def key(text: str, book: PlaceBook = BOOK) -> str:
    return resolve_place(text, book).ref.key


# --- neighbourhoods are context --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sunset y Alvarado, Echo Park",
        "sunset/alvarado echo park",
        "Echo Park: Sunset and Alvarado",
        "alvarado & sunset blvd echo prk",
        "la Alvarado y Sunset en Echo Park!!",
        "Sunset & Alvarado, Echo Prk",
    ],
)
def test_a_neighbourhood_beside_a_corner_is_context_not_a_place(text):
    place = resolve_place(text, BOOK)
    assert place.reading is ReadingKind.CORNER
    assert place.ref.key == key("Sunset Blvd & Alvarado St")
    assert not any("echo" in k for k in (*place.lookup_keys, *place.loose_keys)), place


@pytest.mark.parametrize(
    "text",
    ["Cesar Chavez y Soto, Boyle Heights", "soto & cesar chavez boyle heights", "2300 E Cesar Chavez, Boyle Hts"],
)
def test_a_neighbourhood_beside_a_location_never_pulls_it_into_a_place_of_that_neighbourhood(text):
    assert not resolve_place(text, BOOK).ref.known


def test_a_neighbourhood_alone_names_only_a_place_whose_whole_name_it_is():
    assert resolve_place("Echo Park", BOOK).ref.label == "Echo Park"  # the park: its whole name
    assert resolve_place("clinica Echo Park", BOOK).ref.label == "Echo Park Health Clinic"
    assert resolve_place("echo park clinic", BOOK).ref.label == "Echo Park Health Clinic"
    # A kind word inside the neighbourhood's name is not the clinic's kind: "the park" is not a clinic.
    assert resolve_place("el parque en Echo Park", BOOK).ref.label == "Echo Park"


def test_a_neighbourhood_never_names_a_place_that_only_contains_it():
    book = PlaceBook.of([*EAST_LA, Place("bh tech", "Boyle Heights Tech Academy", "Boyle Heights", PlaceKind.SCHOOL)])
    assert not resolve_place("Boyle Heights", book).ref.known
    assert not resolve_place("ICE all over boyle heights", book).ref.known
    assert resolve_place("escuela Boyle Heights Tech", book).ref.label == "Boyle Heights Tech Academy"
    assert resolve_place("boyle heights tech academy", book).ref.label == "Boyle Heights Tech Academy"


def test_a_neighbourhood_called_like_a_known_street_is_still_read_as_that_street():
    place = resolve_place("Morton y Echo Park Ave", BOOK)
    assert place.reading is ReadingKind.CORNER
    assert place.ref.key == key("Echo Park Ave & Morton Ave")
    # The clinic is on that corner: the corner named with the neighbourhood's words still finds it.
    assert resolve_place("Sunset y Echo Park Ave", BOOK).ref.label == "Echo Park Health Clinic"


def test_the_area_word_of_a_corner_card_never_mixes_it_with_the_place_of_that_area():
    queue = Queue(BOOK)
    clinic = queue.report("clinica Echo Park", 0)
    corner = queue.report("Sunset y Alvarado, Echo Park", 5)
    assert queue.report("echo park clinic ER", 10) == clinic
    assert queue.report("alvarado/sunset", 12) == corner != clinic


# --- connectors and shortened street names ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Soto esquina Whittier",
        "soto esquina con whittier",
        "Whittier casi esquina con la Soto",
        "la Soto cerca de la Whittier",
        "Soto near Whittier Blvd",
        "whittier con soto",
        "Soto St at the corner of Whittier",
    ],
)
def test_a_corner_is_one_place_whatever_joins_its_two_streets(text):
    assert key(text, EMPTY) == key("Whittier Blvd & Soto St", EMPTY)


@pytest.mark.parametrize(
    "text", ["Soto at the corner of Whittier", "whittier right at soto", "soto by whittier", "Whittier cerca de Soto"]
)
def test_at_by_and_near_join_two_streets_when_one_is_known(text):
    """Soto is known (a station is on it); "ICE at Whittier" alone would be no corner."""
    assert key(text) == key("Whittier Blvd & Soto St")


@pytest.mark.parametrize(
    ("text", "full"),
    [
        ("Everg y 4th", "Evergreen Ave & 4th St"),  # a beginning of one known street
        ("evrgrn & 4", "Evergreen Ave & 4th St"),  # its consonants, as typed in a hurry
        ("MLK y Lancaster", "Martin Luther King Blvd & Lancaster Ave"),  # its initials
        ("Lancstr & Everett", "Lancaster Ave & Everett St"),
        ("lancaster & everet", "Lancaster Ave & Everett St"),  # a typo
    ],
)
def test_a_known_street_shortened_or_misspelt_is_that_street(text, full):
    assert key(text) == key(full)


def test_a_longer_known_street_by_its_last_word():
    assert key("soto y chavez") == key("Cesar Chavez Ave & Soto St")
    assert key("Chavez & Fetterly") == key("East LA Courthouse")  # the courthouse is on that corner


@pytest.mark.parametrize(
    "text", ["Hollenbeck en la St Louis", "4th & St Louis", "St Louis y la 4", "el parque de la St. Louis y 4th"]
)
def test_a_street_named_for_a_saint_is_one_street(text):
    assert resolve_place(text, BOOK).ref.label == "Hollenbeck Park"


def test_a_saint_s_street_nobody_registered_is_still_one_street():
    assert key("St Charles y 4th", EMPTY) == key("4th St & St. Charles Ave", EMPTY)
    assert resolve_place("la St Charles y la 4", EMPTY).ref.label == "4th St & St Charles"


def test_a_shortening_shared_by_two_known_streets_or_outside_a_street_names_none():
    assert key("Ever & 4th") != key("Evergreen Ave & 4th St")  # Evergreen or Everett
    assert key("Ever & 4th") != key("Everett St & 4th St")
    assert resolve_place("the arch on Lancaster", BOOK).reading is not ReadingKind.CORNER


# Denver: Federal Blvd is a street whatever "federal" says elsewhere.
DENVER = PlaceBook.of(
    [
        Place(
            "rocky mountain lake", "Rocky Mountain Lake Park", "Berkeley", PlaceKind.PARK, ("parque Rocky Mountain",),
            "4600 Federal Blvd", ("W 46th Ave", "Federal Blvd"),
        ),
        Place(
            "chaffee", "Chaffee Park", "Chaffee Park", PlaceKind.PARK, (), "4700 Tejon St", ("W 47th Ave", "Tejon St")
        ),
    ]
)  # fmt: skip


@pytest.mark.parametrize("text", ["38th y Federal", "Federal esquina 38", "federal & 38th", "la 38 con la Federal"])
def test_a_known_street_called_like_a_word_of_the_report_is_that_street(text):
    assert key(text, DENVER) == key("W 38th Ave & Federal Blvd", DENVER)


def test_that_word_still_qualifies_the_words_after_it():
    place = resolve_place("federal agents at 38th, 2 trucks", DENVER)
    assert place.ref.key == key("W 38th Ave", DENVER)


@pytest.mark.parametrize(
    ("text", "full"),
    [
        ("federal y la cuarenta", "Federal Blvd & 40th Ave"),
        ("la treinta y ocho y Federal", "Federal Blvd & 38th Ave"),
        ("calle veintiséis y Tejon", "Tejon St & 26th Ave"),
    ],
)
def test_spanish_names_numbered_streets_with_cardinals(text, full):
    assert key(text, DENVER) == key(full, DENVER)


@pytest.mark.parametrize("text", ["la una de la tarde", "llegaron dos camionetas", "tres agentes en la tienda"])
def test_counts_and_hours_in_spanish_are_not_streets(text):
    assert resolve_place(text, DENVER).reading not in (ReadingKind.STREET, ReadingKind.CORNER)


# --- businesses at corners and on streets ----------------------------------------------------------


def test_a_business_typed_before_a_numbered_street_is_on_it():
    for text in ["King Soopers 38th Ave", "king soopers 38th"]:
        place = resolve_place(text, DENVER)
        assert place.reading is ReadingKind.NAMED, text
        assert place.ref.label.startswith("King Soopers, 38th")
    assert resolve_place("Tejon 44th", DENVER).reading is ReadingKind.CORNER  # Tejon is a known street


def test_tire_shops_and_mechanics_are_one_kind_in_both_languages():
    queue = Queue(EMPTY)
    shop = queue.report("tire shop on Morrison", 0)
    assert queue.report("la llantera de la Morrison", 2) == shop
    assert queue.report("llantera Morrison rd", 3) == shop
    assert queue.report("El Gallo tire shop Morrison", 4) == shop


def test_a_business_on_a_street_and_at_a_corner_of_that_street_is_one_place_and_on_another_street_is_not():
    queue = Queue(EMPTY)
    whittier = queue.report("CVS on Whittier", 0)
    for text in [
        "CVS at Whittier Blvd & Atlantic",
        "el CVS de la Whittier y Atlantic",
        "whittier & atlantic cvs",
        "cvs en la whittier",
        "CVS Whittier",
        "cvs de Whittier",
    ]:
        assert queue.report(text, 5) == whittier, text
    olympic = queue.report("CVS on Olympic", 10)
    assert olympic != whittier
    assert whittier in queue.near[olympic]


@pytest.mark.parametrize(
    "order",
    [
        ["CVS at Whittier & Atlantic", "CVS at Whittier & Soto"],
        ["cvs on whittier", "el CVS de la Whittier y Atlantic", "CVS en la Whittier y Soto"],
        ["CVS on Whittier", "CVS at Whittier & Atlantic", "CVS, 2400 E Whittier Blvd"],
    ],
)
def test_one_business_at_two_corners_of_one_street_is_two_places(order):
    """The same chain twice on a long street: the second corner never joins through the name."""
    queue = Queue(EMPTY)
    cards = [queue.report(text, i) for i, text in enumerate(order)]
    assert cards[-1] != cards[-2]
    assert cards[-2] in queue.near[cards[-1]]


def test_two_kinds_of_business_with_one_name_on_one_street_stay_apart():
    queue = Queue(EMPTY)
    taqueria = queue.report("Taqueria El Paisa on 26th", 0)
    butcher = queue.report("carniceria El Paisa en la 26", 1)
    assert butcher != taqueria
    assert taqueria in queue.near[butcher]
    assert queue.report("la taqueria el paisa de la 26 y kedzie", 2) == taqueria
    assert queue.report("El Paisa meat market, 26th St", 3) == butcher


def test_a_business_at_a_corner_reported_first_meets_it_on_either_street_only():
    queue = Queue(EMPTY)
    corner = queue.report("la farmacia Superior de la Soto y 1st", 0)
    assert queue.report("farmacia Superior en la Soto", 3) == corner
    assert queue.report("Superior pharmacy on Olympic", 6) != corner


def test_a_kind_on_a_street_meets_the_one_named_place_of_that_kind_there_but_never_joins_two():
    queue = Queue(EMPTY)
    bare = queue.report("el car wash de la Olympic", 0)
    assert queue.report("Sparkle car wash on Olympic", 2) == bare
    other = queue.report("Bubbles carwash on Olympic", 4)
    assert other != bare
    assert bare in queue.near[other]


def test_a_street_typed_beside_a_business_without_on_is_its_street():
    queue = Queue(EMPTY)
    cvs = queue.report("CVS on Whittier", 0)
    assert queue.report("CVS Whittier Blvd", 2) == cvs
    assert queue.report("Whittier CVS", 3) == cvs
    wash = queue.report("el car wash de la Olympic", 4)
    assert queue.report("Sparkle car wash Olympic", 5) == wash
    assert queue.report("carwash olympic", 6) == wash
    assert resolve_place("Walgreens Cesar Chavez Ave", BOOK).ref.label == "Walgreens, Cesar Chavez Ave"


def test_a_business_of_the_streets_in_spanish_is_the_business_on_that_street():
    place = resolve_place("la Carreta de la Soto", BOOK)
    assert place.reading is ReadingKind.NAMED
    assert place.ref.label == "la Carreta, Soto St"


def test_a_gas_station_is_not_a_train_station():
    assert not resolve_place("gas station on Soto", BOOK).ref.known
    assert not resolve_place("gasolinera de la 1st y Boyle", BOOK).ref.known
    assert resolve_place("Boyle y 1st", BOOK).ref.label == "Mariachi Plaza station"  # the place at that corner


def test_a_known_place_at_a_corner_is_not_a_business_named_there():
    assert not resolve_place("Walgreens at 1st & Boyle", BOOK).ref.known
    assert resolve_place("la parada de la 1st y Boyle", BOOK).ref.label == "Mariachi Plaza station"


def test_street_words_with_a_kind_never_name_a_place_elsewhere_on_that_street():
    assert resolve_place("Soto station", BOOK).ref.label == "Soto station"
    assert resolve_place("la estacion de la Soto", BOOK).ref.label == "Soto station"
    assert resolve_place("Soto & 1st bus stop", BOOK).ref.label == "Soto station"  # it is at that corner
    elsewhere = resolve_place("Soto y 4th, la parada del bus", BOOK)
    assert not elsewhere.ref.known
    assert elsewhere.ref.key == key("4th St & Soto St")


# --- known places named loosely ---------------------------------------------------------------------


def test_the_street_typed_chooses_between_places_that_share_a_name():
    assert resolve_place("Hollenbeck en la 6", BOOK).ref.label == "Hollenbeck Middle School"
    assert resolve_place("hollenbeck on 4th", BOOK).ref.label == "Hollenbeck Park"
    shared = resolve_place("Hollenbeck", BOOK)
    assert shared.needs_choice
    assert shared.ties == 2


@pytest.mark.parametrize(
    "text", ["tren dorado en la Soto", "la linea dorada en la Soto", "Soto gold line", "gold line soto stop"]
)
def test_a_transit_line_named_by_its_colour_in_either_language_is_its_station(text):
    assert resolve_place(text, BOOK).ref.label == "Soto station"


def test_a_text_that_is_exactly_an_alias_names_its_place():
    """ "East LA" is a direction and an article: the alias as a whole still names the courthouse."""
    assert resolve_place("East LA courthouse!!", BOOK).ref.label == "East Los Angeles Courthouse"
    assert not resolve_place("the courthouse", BOOK).ref.known


def test_a_colour_is_a_line_only_beside_one():
    book = PlaceBook.of([Place("st rose", "St. Rose of Lima Church", "Maywood", PlaceKind.WORSHIP)])
    assert resolve_place("iglesia Santa Rosa", book).ref.label == "St. Rose of Lima Church"


# --- the numbered grid ------------------------------------------------------------------------------


def test_the_grid_holds_only_where_the_places_show_it():
    grid = BOOK.grid()
    assert grid is not None
    assert grid.directions == frozenset({"s"})
    assert MANHATTAN.grid() is None
    assert EMPTY.grid() is None


@pytest.mark.parametrize(
    "order",
    [
        ["710 S Evergreen", "7th y Evergreen", "Evergreen entre 7 y 8", "the 700 block of s evergreen ave"],
        ["7th y Evergreen", "710 S Evergreen", "Evergreen between 7th and 8th"],
        ["Evergreen entre la 7 y la 8", "evergreen & 7th", "#745 S Evergreen Ave"],
    ],
)
def test_on_the_grid_a_corner_its_block_and_its_stretch_are_one_place(order):
    queue = Queue(BOOK)
    assert len({queue.report(text, i) for i, text in enumerate(order)}) == 1


def test_on_the_grid_the_next_corner_and_the_other_side_of_town_stay_apart():
    queue = Queue(BOOK)
    block = queue.report("710 S Evergreen", 0)
    assert queue.report("8th & Evergreen", 1) != block
    assert queue.report("710 N Evergreen", 2) != block
    corner = queue.report("7th y Evergreen", 3)
    assert corner == block


def test_off_the_grid_a_corner_and_the_block_of_its_number_are_only_near():
    queue = Queue(MANHATTAN)
    block = queue.report("2310 Lexington Ave", 0)
    corner = queue.report("23rd & Lexington", 1)
    assert corner != block
    assert block in queue.near[corner]


STEPS = st.lists(
    st.tuples(
        st.sampled_from([7, 8]),
        st.sampled_from(["{n}th y Evergreen", "{n}{h} S Evergreen", "Evergreen entre {n} y {m}", "evergreen/{n}th"]),
        st.sampled_from(["10", "45", "90"]),
    ),
    min_size=2,
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(steps=STEPS)
def test_two_corners_one_block_apart_never_share_a_card_whatever_comes_between(steps):
    """Corners, blocks and stretches of the 700 and 800 blocks, in any order: never one card."""
    queue = Queue(BOOK)
    cards: dict[int, set[int]] = {}
    for minute, (n, form, house) in enumerate(steps):
        text = form.format(n=n, m=n + 1, h=house)
        cards.setdefault(queue.report(text, minute), set()).add(n)
    assert all(len(numbers) == 1 for numbers in cards.values()), cards
