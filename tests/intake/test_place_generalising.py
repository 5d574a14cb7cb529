"""Issue 19, second round: the general rules behind the failures on days written in other cities. Every
example is made up for these tests (a town called Riverton), in both languages."""

from __future__ import annotations

import pytest

from intake.place import Place, PlaceBook, PlaceKind, ReadingKind, resolve_place
from intake.place.words import place_key


def _place(name: str, kind: PlaceKind, area: str, *aliases: str, address: str = "", cross: tuple[str, ...] = ()):
    return Place(place_key(name), name, area, kind, aliases, address, cross)


RIVERTON = PlaceBook.of(
    [
        _place("Oakdale Clinic", PlaceKind.HOSPITAL, "Oakdale", "Oakdale", address="410 Maple St"),
        _place(
            "Hawthorne-Brookside station",
            PlaceKind.STATION,
            "Brookside",
            "Brookside Hawthorne Av",
            "la 40",
            cross=("Hawthorne Ave", "40th St"),
        ),
        _place("Riverton Municipal Court", PlaceKind.COURT, "Downtown", "la corte de Riverton", "Riverton court"),
        _place("Hostos Elementary", PlaceKind.SCHOOL, "Northgate", "Hostos", "escuela Hostos"),
        _place("Hostos Middle School", PlaceKind.SCHOOL, "Northgate", "Hostos middle", "la intermedia Hostos"),
        _place("Walmart Oakdale", PlaceKind.STORE, "Oakdale", "Walmart"),
        _place("Maplewood Library", PlaceKind.OTHER, "Eastgate", cross=("Maplewood Ave", "Larchmont Blvd")),
        _place("Ashby Market", PlaceKind.STORE, "Eastgate", cross=("Ashby St", "Cedar Hollow Rd")),
        _place("Stone Ridge Pool", PlaceKind.PARK, "Eastgate", address="200 Stone Ridge Dr"),
        _place("Baker Park", PlaceKind.PARK, "Northgate", cross=("Mary T Baker Blvd", "12th St")),
        _place("PS 12 Fairmont", PlaceKind.SCHOOL, "Northgate", "PS 12"),
        _place("Hazel Branch Library", PlaceKind.OTHER, "Westgate", address="62-05 Hazel Ave"),
        _place("Rio Mart Eastgate", PlaceKind.STORE, "Eastgate"),
        _place("Rio Mart Southside", PlaceKind.STORE, "Southside"),
        _place("Harbor Transit Center", PlaceKind.STATION, "Westside", "Harbor TC"),
        _place("Southline Transit Center", PlaceKind.STATION, "Westgate"),
        _place("Food Lion Ridgeview", PlaceKind.STORE, "Ridgeview", "Food Lion Ridgeview Rd", cross=("Ridgeview Rd",)),
        _place("Food Lion Bayside", PlaceKind.STORE, "Bayside", "Food Lion 301", cross=("Kent St", "Harbor Blvd")),
        _place("Central Plaza", PlaceKind.OTHER, "Downtown", "la plaza"),
        _place("Plaza Theater", PlaceKind.OTHER, "Downtown"),
        _place("Jose Marti Elementary", PlaceKind.SCHOOL, "Eastgate", "Marti", cross=("Birch Ave", "12th St")),
        _place("Jose Marti Middle School", PlaceKind.SCHOOL, "Westgate", "Marti middle"),
        _place("Bryant Elementary", PlaceKind.SCHOOL, "Maple Park", "Bryant"),
        _place("Bryant Middle School", PlaceKind.SCHOOL, "Lakeview", "Bryant"),
        _place("Hill St–Quarry Rd station", PlaceKind.STATION, "Lakeview", "Hill St-Quarry"),
        _place("Crossroads station", PlaceKind.STATION, "Fairview"),
        _place("60th St–Larch Ave station", PlaceKind.STATION, "Harbor"),
        _place("Kings Terminal", PlaceKind.STATION, "Harbor", "210 St", cross=("St Agnes Ave", "W 210th St")),
        _place("Sunnyside Park", PlaceKind.PARK, "Sunnyside Park"),
        _place("Riverton Gov Center", PlaceKind.OTHER, "Downtown", "Gov Center"),
        _place("Sunnyside High School", PlaceKind.SCHOOL, "Sunnyside Park"),
        _place("Founders Plaza", PlaceKind.OTHER, "Fairview", cross=("Elm St", "103rd St")),
        _place("Ferry Landing station", PlaceKind.STATION, "Lakeview", "Ferry 5 train", cross=("Ferry Rd", "Water St")),
    ]
)


def _known(text: str) -> str | None:
    found = resolve_place(text, RIVERTON)
    return found.ref.label if found.ref.known else None


# --- kind 1: an area's or a street's words are where a place is, not its name ----------------------------


@pytest.mark.parametrize("text", ["Birch St, Oakdale", "calle Birch en Oakdale", "Birch Street (Oakdale)"])
def test_an_area_beside_a_street_is_where_the_street_is_not_a_place_of_that_name(text: str):
    found = resolve_place(text, RIVERTON)
    assert not found.ref.known, found.ref
    assert found.reading is ReadingKind.STREET
    assert _known("Oakdale") == "Oakdale Clinic"  # the alias alone still names the clinic


@pytest.mark.parametrize("text", ["12 st hawthorne brookside", "la 12 y Hawthorne en Brookside"])
def test_street_and_area_words_never_name_a_place_without_its_kind(text: str):
    """The station's alias is only its area's and its street's words: a corner of that street in that
    area is a corner."""
    found = resolve_place(text, RIVERTON)
    assert found.reading is ReadingKind.CORNER, found.ref
    assert found.ref.key == "corner:12|hawthorn"
    assert _known("brookside hawthorne station") == "Hawthorne-Brookside station"


# --- kind 5: landmark phrases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Cedar Ave & 9th St (by Riverton court)", "Cedar Ave y la 9, cerca de la corte de Riverton"]
)
def test_a_pause_before_a_landmark_marker_changes_nothing(text: str):
    found = resolve_place(text, RIVERTON)
    assert found.reading is ReadingKind.CORNER, found.ref
    assert found.ref.key == "corner:9|cedar"


@pytest.mark.parametrize(
    "text",
    [
        "la panaderia a un ladito del Walmart",
        "la panadería pegadita al Walmart",
        "the bakery right next to Walmart",
        "el puesto de elotes abajo del Walmart",
    ],
)
def test_colloquial_markers_put_a_place_beside_a_landmark(text: str):
    found = resolve_place(text, RIVERTON)
    assert not found.ref.known, found.ref
    assert "place:walmart oakdale" not in found.same_keys
    assert "place:walmart oakdale" in found.near_keys


# --- kind 1 and 8: school levels in both languages -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("la Hostos (la intermedia)", "Hostos Middle School"),
        ("escuela intermedia Hostos", "Hostos Middle School"),
        ("Hostos intermediate school", "Hostos Middle School"),
        ("la primaria Hostos", "Hostos Elementary"),
    ],
)
def test_an_intermediate_school_is_a_middle_school(text: str, name: str):
    assert _known(text) == name


# --- kind 2: corners --------------------------------------------------------------------------------------


def _corner_key(text: str) -> str:
    """The corner a text names, or the registered place at it."""
    found = resolve_place(text, RIVERTON)
    assert found.reading in (ReadingKind.CORNER, ReadingKind.KNOWN), (text, found.ref)
    return found.ref.key


@pytest.mark.parametrize(
    "texts",
    [
        # Two streets the community's places are on, side by side with no connector.
        ("Maplewood Ave & Larchmont Blvd", "maplewood larchmont", "esquina Maplewood Larchmont",
         "larchmont maplewood intersection"),
        # The first word of a longer known name, or the name typed as one word.
        ("Ashby St & Cedar Hollow Rd", "ashby con cedar", "cedar y ashby"),
        ("Ashby St & Stone Ridge Dr", "ashby y stoneridge", "stoneridge/ashby"),
        # Two numbered streets, one of them clearly a street.
        ("9th Ave & 31st St", "la 9 avenida con 31", "9na ave y 31", "9 av c/ 31 st"),
        # A direction spelled out after the number.
        ("E 140th St & Birch Ave", "calle 140 este con Birch", "140th St East y la Birch"),
    ],
)  # fmt: skip
def test_a_corner_is_read_however_its_streets_are_shortened_or_joined(texts: tuple[str, ...]):
    keys = {text: _corner_key(text) for text in texts}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize("text", ["3rd ave y 2 vans", "a las 5 y la 26", "12/03"])
def test_a_count_or_an_hour_beside_a_numbered_street_is_no_corner(text: str):
    assert resolve_place(text, RIVERTON).reading is not ReadingKind.CORNER


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cedar Ave / w 155 st riverton", "corner:155|cedar"),  # 155th St in Riverton, not a house on "St Riverton"
        ("Cedar Ave & 9th St, Riverton", "corner:9|cedar"),  # the town, not "la corte de Riverton"
        ("40 st / 6 av fairmont", "corner:40|6 ave"),  # a word beside a corner, not PS 12 Fairmont
    ],
)
def test_a_word_beside_a_corner_is_where_it_is_or_what_is_there_not_a_place_it_half_names(text: str, key: str):
    found = resolve_place(text, RIVERTON)
    assert found.reading is ReadingKind.CORNER, found.ref
    assert found.ref.key == key
    assert _known("Fairmont") == "PS 12 Fairmont"


def test_a_middle_initial_does_not_make_another_street():
    typed = [resolve_place(t, PlaceBook()) for t in ("Edgar J Hill Hwy & 12th", "12th y edgar hill", "12 / Edgar Hill")]
    assert all(p.reading is ReadingKind.CORNER for p in typed)
    first = set(typed[0].same_keys)
    assert all(first & set(p.same_keys) for p in typed[1:]), [p.same_keys for p in typed]


def test_spanish_texting_shorthand_is_read():
    assert _known("la tienda d la Ashby y Cedar Hollow") == "Ashby Market"  # "d" is "de"
    assert _corner_key("12 av c/ 31 st") == _corner_key("12th Ave & 31st St")  # "c/" is "con"


# --- kind 2 and 3: addresses --------------------------------------------------------------------------------


def _block_key(text: str) -> str:
    found = resolve_place(text, RIVERTON)
    assert found.reading is ReadingKind.BLOCK, (text, found.ref)
    return found.ref.key


@pytest.mark.parametrize(
    "texts",
    [
        # A house number of Queens's kind: house 15 past 31st, on the 3100 block.
        ("31-15 Larch St", "Larch St (el 31-15)", "31-15 larch street riverton"),
        # The number after the street, in either language, with or without a pause or a block word.
        ("4300 Alder St", "la Alder, el 4300", "Alder St cuadra 4300", "alder 4300 block", "obra en la alder, 4300",
         "alder st 4300 blk"),
    ],
)  # fmt: skip
def test_an_address_is_read_in_every_order_people_write_it(texts: tuple[str, ...]):
    keys = {text: _block_key(text) for text in texts}
    assert len(set(keys.values())) == 1, keys


def test_a_number_of_queens_s_kind_is_its_block_and_never_shown():
    home = resolve_place("la 14 casa 22-07 Oakdale", RIVERTON)
    assert home.ref.key == "block:2200:14"  # on 14th St in Oakdale, not on an "Oakdale" street
    assert "22-07" not in home.ref.label
    assert "31-15" not in resolve_place("31-15 Larch St", RIVERTON).ref.label
    assert _known("62-05 Hazel Ave") == "Hazel Branch Library"  # a registered place's own address is that place


@pytest.mark.parametrize("text", ["Alder St, 2 agents", "la Alder, 830", "Alder St 10-15 min ago"])
def test_a_count_or_a_time_after_a_street_is_no_address(text: str):
    assert resolve_place(text, RIVERTON).reading is not ReadingKind.BLOCK


# --- kind 2: stretches of street ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texts",
    [
        ("Elm Ave between 3rd and 7th", "Elm Ave from 3rd to 7th", "Elm Ave 3-7", "la Elm de la 3 a la 7",
         "Elm desde la 3 hasta la 7"),
        ("Loop 12 between Oak and Pine", "Loop 12 frontage rd Oak to Pine", "loop 12 feeder btw oak and pine"),
    ],
)  # fmt: skip
def test_a_stretch_of_street_is_read_in_every_form(texts: tuple[str, ...]):
    found = [resolve_place(t, RIVERTON) for t in texts]
    assert all(p.reading is ReadingKind.SEGMENT for p in found), [(t, p.ref) for t, p in zip(texts, found, strict=True)]
    assert len({p.ref.key for p in found}) == 1, [p.ref.key for p in found]


@pytest.mark.parametrize("text", ["ICE at Elm a las 5", "Elm St, 10 to 15 agents", "de 3 a 5 carros en la Elm"])
def test_a_count_or_an_hour_is_no_stretch(text: str):
    assert resolve_place(text, RIVERTON).reading is not ReadingKind.SEGMENT


# --- kind 8: shorthand and the general lexicon of places ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("rio eastgate", "Rio Mart Eastgate"),  # "Mart" is a kind of store, not a word that tells them apart
        ("el rio de southside", "Rio Mart Southside"),
        ("harbor transit ctr", "Harbor Transit Center"),
        ("la estacion harbor", "Harbor Transit Center"),
        ("Harbor stn", "Harbor Transit Center"),
        ("southline", "Southline Transit Center"),  # two letters away from the Southside area: another word
    ],
)
def test_shorthand_and_kind_words_name_the_place(text: str, name: str):
    assert _known(text) == name


def test_a_point_is_a_pt_and_a_plaza_a_plz():
    assert _corner_key("Cedar Pt Rd & Elm") == _corner_key("cedar point rd y elm")
    assert resolve_place("Elm Plz", RIVERTON).ref.key == resolve_place("elm plaza", RIVERTON).ref.key


@pytest.mark.parametrize(
    "text", ["Elm St apartments (the 4300 ones)", "the construction on Elm a couple blocks down from the school"]
)
def test_words_that_count_or_point_are_no_place_names(text: str):
    found = resolve_place(text, RIVERTON)
    assert found.reading in (ReadingKind.STREET, ReadingKind.NAMED), found.ref
    assert "elm" in found.ref.key
    assert "ones" not in found.ref.key
    assert "coupl" not in found.ref.key


# --- kind 1: a chain's branches, generic aliases ------------------------------------------------------


def test_a_chain_s_name_alone_names_neither_branch_and_a_street_or_area_picks_one():
    both = resolve_place("food lion", RIVERTON)
    assert not both.ref.known
    assert {"place:food lion ridgeview", "place:food lion bayside"} <= set(both.loose_keys)
    assert _known("foodlion ridgeview") == "Food Lion Ridgeview"  # two words of its name typed as one
    assert _known("foodlion kent") == "Food Lion Bayside"  # on Kent St
    assert _known("la food lion de Bayside") == "Food Lion Bayside"
    assert RIVERTON.streets.find("food lion") is None  # "Food Lion 301" is a name and a number, not an address


def test_a_landmark_may_be_either_of_two_branches():
    shell = resolve_place("the Shell next to the Food Lion", RIVERTON)
    assert not shell.ref.known
    assert shell.ref.key.startswith("landmark:")


def test_a_word_beside_an_alias_of_words_other_places_share_names_another_place():
    assert _known("la plaza") == "Central Plaza"
    unity = resolve_place("Unity Plaza", RIVERTON)
    assert not unity.ref.known, unity.ref
    assert _known("escuela Jose Marti, 12 y Birch") == "Jose Marti Elementary"  # its own name's words


@pytest.mark.parametrize("text", ["escuela Bryant en Maple", "la escuela de Bryant, maple", "Bryant school, Maple Pk"])
def test_an_area_is_also_called_without_its_kind_word(text: str):
    """Issue 19 §1: "Maple" is the Maple Park area, which picks the Bryant school there."""
    assert _known(text) == "Bryant Elementary"
    assert not resolve_place("escuela Bryant", RIVERTON).ref.known


def test_a_street_said_to_be_where_a_place_is_comes_before_a_name_after_la():
    found = resolve_place("la palomera en la Birch", RIVERTON)
    assert found.reading is ReadingKind.NAMED, found.ref
    assert found.ref.key.endswith("@birch"), found.ref.key
    assert "palomer" in found.ref.key


# --- where a registered place is decides over words that half name another ------------------------------


def test_a_place_named_for_its_corner_is_at_that_corner():
    assert _known("la Hill y Quarry") == "Hill St–Quarry Rd station"
    assert _known("Quarry Rd & Hill St (5 train)") == "Hill St–Quarry Rd station"  # not the Ferry "5 train"
    assert RIVERTON.streets.find("quarry") is None  # a name's corner makes no street known elsewhere


def test_a_corner_on_none_of_a_place_s_streets_is_not_that_place():
    found = resolve_place("Oak Ave & 9th St, 5 train", RIVERTON)
    assert found.reading is ReadingKind.CORNER, found.ref
    assert "place:ferry landing station" in found.near_keys


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("Grand Plaza 103", ReadingKind.WORDS),  # a name and a number, not house 103 on a Plaza St
        ("PS 212 Fair Hills", ReadingKind.WORDS),
        ("Elm y 103 la plaza", ReadingKind.CORNER),  # the numbered street of a corner
        ("103 Elm St", ReadingKind.BLOCK),
    ],
)
def test_a_number_of_three_digits_is_a_house_only_where_the_street_is_written_as_one(text: str, reading: ReadingKind):
    assert resolve_place(text, PlaceBook()).reading is reading


def test_an_area_s_name_with_a_street_type_after_it_is_a_street():
    found = resolve_place("12 st-oakdale av", RIVERTON)
    assert found.reading is ReadingKind.CORNER, found.ref
    assert found.ref.key == "corner:12|oakdal"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("el metro de Fairview", "Crossroads station"),  # the one station in Fairview
        ("the station in fairview", "Crossroads station"),
        ("la parada de Lakeview", None),  # two there: neither
        ("la escuela de Northgate", None),  # several schools there: none
        ("la 40 otra vez", "Hawthorne-Brookside station"),  # an alias typed whole, with words that say nothing
        ("la 40 again!!", "Hawthorne-Brookside station"),
    ],
)
def test_a_kind_and_an_area_name_the_one_place_of_that_kind_there(text: str, name: str | None):
    """Issue 19 §8."""
    assert _known(text) == name


@pytest.mark.parametrize("text", ["Elm y 103 (el tren)", "the train at 103rd & Elm", "Elm St & 103rd St bus stop"])
def test_a_kind_named_at_a_corner_is_not_a_place_of_no_kind_registered_there(text: str):
    """A plaza registered with no kind is no train station or bus stop, though it is at that corner."""
    found = resolve_place(text, RIVERTON)
    assert not found.ref.known, found.ref
    assert "place:founders plaza" in found.near_keys
    assert _known("Elm & 103rd") == "Founders Plaza"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("estacion 60 larch ave", "60th St–Larch Ave station"),  # 60th & Larch, where the station is
        ("60 Birch Ave", None),  # a house on Birch
        ("210 st agnes", "Kings Terminal"),  # 210th & St Agnes, where the terminal is
        ("230 st agnes", None),
    ],
)
def test_a_registered_corner_reads_a_number_as_its_street(text: str, name: str | None):
    assert _known(text) == name
    assert resolve_place("60 Birch Ave", RIVERTON).reading is ReadingKind.BLOCK


def test_a_pause_in_a_landmark_s_place_is_kept():
    assert _known("sunnyside park, top of the hill by 44th") == "Sunnyside Park"


def test_a_numbered_street_of_another_type_is_another_street():
    """Issue 19 §2: "37th Rd" is not 37th Ave, nor 37th St; a number typed without its type is the one of
    that number the community's places are on."""
    road, avenue, street = (
        resolve_place(t, PlaceBook()) for t in ("37th Rd & 74th St", "37th Ave & 74th St", "37th St & 74th St")
    )
    assert len({road.ref.key, avenue.ref.key, street.ref.key}) == 3
    assert road.ref.label == "37th Rd & 74th St"
    book = PlaceBook.of([_place("Linden Market", PlaceKind.STORE, "Eastgate", cross=("37th Ave", "74th St"))])
    assert resolve_place("la 37 y 74", book).ref.key == resolve_place("37th Ave & 74th St", book).ref.key
    assert resolve_place("37th Rd y 74", book).ref.label == "37th Rd & 74th St"


def test_an_alias_typed_without_its_street_type_is_typed_whole():
    assert _known("la 210") == "Kings Terminal"  # its alias "210 St"
    assert _known("la 210 otra vez") == "Kings Terminal"


def test_an_area_s_name_that_is_a_place_s_alias_names_it_on_its_own_street():
    assert _known("across from oakdale on maple") == "Oakdale Clinic"  # the clinic is on Maple St
    assert not resolve_place("Birch St, Oakdale", RIVERTON).ref.known


def test_a_building_s_lobby_is_no_street():
    assert resolve_place("library lobby / 9 elm", RIVERTON).ref.key != "corner:9|lobi"
    assert "lobi" not in resolve_place("the lobby / 12", RIVERTON).ref.key


@pytest.mark.parametrize("text", ["founders cerca de la 44", "Founders Plaza near 44th St"])
def test_a_landmark_of_streets_elsewhere_makes_a_registered_name_another_place(text: str):
    """Founders Plaza is registered at Elm & 103rd: a "Founders" near 44th St is another."""
    found = resolve_place(text, RIVERTON)
    assert not found.ref.known, found.ref
    assert "place:founders plaza" in found.near_keys
    assert _known("Founders Plaza near Elm") == "Founders Plaza"


@pytest.mark.parametrize("text", ["government center", "el government center de Riverton"])
def test_a_word_typed_whole_meets_its_shortening_in_a_registered_name(text: str):
    assert _known(text) == "Riverton Gov Center"


def test_broadway_s_shortenings_are_broadway():
    assert _corner_key("w 175 & bway") == _corner_key("Broadway & W 175th St") == _corner_key("175 y bdwy")


def test_public_housing_is_a_kind_of_place_however_it_is_called():
    keys = {
        resolve_place(t, PlaceBook()).ref.key for t in ("Larkin Houses", "larkin projects", "los apartamentos Larkin")
    }
    assert len(keys) == 1, keys
