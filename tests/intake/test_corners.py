"""Issue 19 §2, §8: corners in all their forms, street-type and name shorthand, numbered highways."""

from __future__ import annotations

import pytest

from intake.place import PlaceBook, ReadingKind, resolve_place

EMPTY = PlaceBook()


@pytest.mark.parametrize(
    "texts",
    [
        ("Gessner Rd & Westheimer Rd", "westheimer/gessner", "gessner & w westheimer", "Westheimer x Gessner"),
        ("Laurel Cyn & Ventura", "Laurel Canyon y Ventura", "ventura / laurel canyon"),
        ("Hwy 6 and Bellaire", "bellaire y la carretera 6", "Highway 6 & Bellaire Blvd."),
        ("I-45 & Airline", "airline y la i45", "Airline Dr at I 45"),
        ("Roosevelt Ave & 82nd St", "82 st and roosevelt", "Roosevelt y la 82", "roosevelt av. x 82"),
    ],
)
def test_one_corner_written_many_ways_is_one_place(texts: tuple[str, ...]):
    places = [resolve_place(t, EMPTY) for t in texts]
    assert all(p.reading is ReadingKind.CORNER for p in places), [
        (t, p.ref.key) for t, p in zip(texts, places, strict=True)
    ]
    first = set(places[0].same_keys)
    assert all(first & set(p.same_keys) for p in places[1:]), [p.same_keys for p in places]


def test_a_highway_number_is_never_a_numbered_street_nor_a_house():
    highway = resolve_place("I-45 & Airline", EMPTY)
    assert set(highway.same_keys).isdisjoint(resolve_place("45th St & Airline", EMPTY).same_keys)
    assert highway.ref.label == "Airline & I-45"
    assert resolve_place("FM 1960 y Kuykendahl", EMPTY).ref.label == "FM 1960 & Kuykendahl"
    assert resolve_place("they took us 2", EMPTY).reading is not ReadingKind.CORNER
