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
            cross=("Hawthorne Ave", "40th St"),
        ),
        _place("Riverton Municipal Court", PlaceKind.COURT, "Downtown", "la corte de Riverton", "Riverton court"),
        _place("Hostos Elementary", PlaceKind.SCHOOL, "Northgate", "Hostos", "escuela Hostos"),
        _place("Hostos Middle School", PlaceKind.SCHOOL, "Northgate", "Hostos middle", "la intermedia Hostos"),
        _place("Walmart Oakdale", PlaceKind.STORE, "Oakdale", "Walmart"),
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
