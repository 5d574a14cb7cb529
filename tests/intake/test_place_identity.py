"""Issue 19 §1, §5: a registered place's identity keeps every word, two registered places are never one,
context words pick among places that share a name, and in "X by Y" the place is X."""

from __future__ import annotations

import pytest

from intake.place import Place, PlaceBook, PlaceKind, ReadingKind, resolve_place
from intake.place.words import place_key
from tests.scenario_steps import CHICAGO
from verification import usecases
from verification.errors import RuleViolation


def _place(name: str, kind: PlaceKind, area: str, *aliases: str, address: str = "", cross: tuple[str, ...] = ()):
    return Place(place_key(name), name, area, kind, aliases, address, cross)


BOOK = PlaceBook.of(
    [
        _place("Lincoln High School", PlaceKind.SCHOOL, "Eastside", "Lincoln"),
        _place("Lincoln Middle School", PlaceKind.SCHOOL, "Westside", "Lincoln"),
        _place("Home Depot Burbank", PlaceKind.STORE, "Burbank"),
        _place("St. Mary's Church", PlaceKind.WORSHIP, "Eastside"),
        _place("St. Mary's Clinic", PlaceKind.HOSPITAL, "Westside"),
        _place(
            "Roosevelt Elementary",
            PlaceKind.SCHOOL,
            "Eastside",
            address="1200 E Oak St",
            cross=("E Oak St", "N 12th St"),
        ),
        _place("Garfield Park", PlaceKind.PARK, "Eastside"),
    ]
)


def test_an_identity_keeps_the_words_that_tell_places_apart():
    assert place_key("Lincoln High School") != place_key("Lincoln Middle School")
    assert place_key("Garfield Park") != place_key("Garfield Field")
    # Spellings of one word are still one identity.
    assert place_key("Roosevelt Elem.") == place_key("roosevelt elementary")
    assert place_key("Lillian Street Elementary") == place_key("lillian st. elem")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lincoln High", "Lincoln High School"),
        ("lincoln HS", "Lincoln High School"),
        ("la prepa Lincoln", "Lincoln High School"),
        ("Lincoln middle", "Lincoln Middle School"),
        ("Lincoln MS", "Lincoln Middle School"),
        ("la secundaria lincoln", "Lincoln Middle School"),
        ("St Mary's, Eastside", "St. Mary's Church"),
        ("st marys westside", "St. Mary's Clinic"),
        ("iglesia St Mary's", "St. Mary's Church"),
    ],
)
def test_level_kind_and_area_words_pick_among_places_that_share_a_name(text: str, name: str):
    assert resolve_place(text, BOOK).ref.label == name


def test_a_name_two_places_share_names_neither_and_offers_both():
    lincoln = resolve_place("lincoln", BOOK)
    assert lincoln.reading is not ReadingKind.KNOWN
    assert lincoln.needs_choice
    assert {p.name for p in lincoln.alternatives} >= {"Lincoln High School", "Lincoln Middle School"}


def test_a_branch_nobody_registered_is_not_the_registered_one():
    glendale = resolve_place("Home Depot Glendale", BOOK)
    assert glendale.reading is not ReadingKind.KNOWN
    assert "place:home depot burbank" in glendale.near_keys  # shown beside it, never joined
    assert resolve_place("home depot", BOOK).ref.label == "Home Depot Burbank"
    assert resolve_place("Home Depot, Burbank", BOOK).ref.label == "Home Depot Burbank"


def test_in_x_by_y_the_place_is_x():
    assert resolve_place("Roosevelt Elementary by Garfield Park", BOOK).ref.label == "Roosevelt Elementary"
    assert resolve_place("la escuela Roosevelt cerca del parque Garfield", BOOK).ref.label == "Roosevelt Elementary"
    taqueria = resolve_place("taqueria across from Roosevelt Elementary", BOOK)
    assert not taqueria.ref.known
    assert "place:roosevelt elementary" not in taqueria.same_keys
    assert "place:roosevelt elementary" in taqueria.near_keys
    spanish = resolve_place("la taqueria enfrente de la escuela Roosevelt", BOOK)
    assert set(spanish.same_keys) & set(taqueria.same_keys)  # one place, both ways of saying it
    assert resolve_place("ICE by Garfield Park", BOOK).ref.label == "Garfield Park"  # who is there is no place


async def test_two_schools_of_one_name_and_a_shared_alias_can_both_be_registered(uow):
    csv = (
        "name,area,kind,aliases\n"
        "De Soto Elementary,Northside,school,De Soto\n"
        "De Soto Middle School,Southside,school,De Soto;DSMS\n"
    )
    await usecases.import_places(uow, CHICAGO, csv)
    names = {p.name for p in await usecases.list_places(uow, CHICAGO)}
    assert {"De Soto Elementary", "De Soto Middle School"} <= names
    with pytest.raises(RuleViolation) as again:
        await usecases.add_place(uow, CHICAGO, usecases.make_place("de soto elementary", "X", PlaceKind.SCHOOL))
    assert again.value.code == "place_exists"


ADDRESSED = PlaceBook.of(
    [
        _place("Roosevelt Elementary", PlaceKind.SCHOOL, "Eastside", address="1200 E Oak St, Springfield, IL 62701"),
        _place("Oak Market", PlaceKind.STORE, "Eastside", address="1234 E Oak St"),
    ]
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("1200 E Oak St", "Roosevelt Elementary"),
        ("1200 E. Oak Street, Springfield", "Roosevelt Elementary"),
        ("1200 e oak st springfield il 62701", "Roosevelt Elementary"),
        ("1234 E Oak", "Oak Market"),
    ],
)
def test_a_registered_place_s_own_address_is_that_place(text: str, name: str):
    """Issue 19 §3: typed as registered, with or without the town, even where two places share the block."""
    assert resolve_place(text, ADDRESSED).ref.label == name


def test_another_house_on_a_shared_block_is_offered_both():
    other = resolve_place("1210 E Oak St", ADDRESSED)
    assert other.reading is ReadingKind.BLOCK
    assert {p.name for p in other.alternatives} == {"Roosevelt Elementary", "Oak Market"}


@pytest.mark.parametrize(
    ("text", "name"),
    [("la prepa", "Lincoln High School"), ("the middle school", "Lincoln Middle School"), ("la primaria", None)],
)
def test_a_school_s_level_alone_names_the_one_school_of_that_level(text: str, name: str | None):
    """Issue 19 §8: "la prepa" is the community's one high school; with two elementaries, neither."""
    book = PlaceBook.of([*BOOK.places.values(), _place("Grant Elementary", PlaceKind.SCHOOL, "Westside")])
    found = resolve_place(text, book)
    assert (found.ref.label if found.ref.known else None) == name
    assert not resolve_place("la escuela", book).ref.known  # a kind alone is any such place
