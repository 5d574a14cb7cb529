"""Places and clustering: free text finds known places, reports of one event join one incident."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders import at
from verification.clustering import Candidate, ClusterIndex, PlaceBook, choose_incident, resolve_place
from verification.errors import RuleViolation
from verification.model import Place, PlaceKind
from verification.places import fold, free_place, place_key, tokens

BOOK = PlaceBook.of(
    [
        Place(
            "hamline school",
            "Hamline Elementary",
            "Back of the Yards",
            PlaceKind.SCHOOL,
            ("John H. Hamline Elementary School", "1548 W 48th St"),
        ),
        Place("whittier school", "Whittier Elementary", "Pilsen", PlaceKind.SCHOOL),
        Place("whittier park", "Whittier Park", "Pilsen", PlaceKind.OTHER),
        Place("russell school", "Russell Elementary", "Florence-Firestone", PlaceKind.SCHOOL),
        Place("lillian st school", "Lillian Street Elementary", "Florence-Firestone", PlaceKind.SCHOOL),
        Place("st agnes", "St. Agnes Church", "Pilsen", PlaceKind.WORSHIP, ("Iglesia Santa Inés",)),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hamline Elementary", "Hamline Elementary"),
        ("hamline", "Hamline Elementary"),
        ("HAMLINE ELEMENTARY!!", "Hamline Elementary"),
        ("la escuela Hamline", "Hamline Elementary"),
        ("Hamline school on 48th", "Hamline Elementary"),
        ("hamlin elementary", "Hamline Elementary"),
        ("1548 W. 48th Street", "Hamline Elementary"),
        ("1548 West 48th St", "Hamline Elementary"),
        ("whittier school on 23rd", "Whittier Elementary"),
        ("Whittier elem", "Whittier Elementary"),
        ("whittier park", "Whittier Park"),
        ("parque Whittier", "Whittier Park"),
        ("Iglesia Santa Ines", "St. Agnes Church"),
        ("iglesia santa inés", "St. Agnes Church"),
        ("Lillian St Elementary", "Lillian Street Elementary"),
        ("Russell elementary school", "Russell Elementary"),
        ("Hаmline", "Hamline Elementary"),  # Cyrillic а
        ("Ham\u200bline", "Hamline Elementary"),  # zero-width space
        ("\u202eHamline", "Hamline Elementary"),  # right-to-left override
        ("ＨＡＭＬＩＮＥ", "Hamline Elementary"),  # full-width letters
    ],
)
def test_free_text_finds_the_known_place(text, expected):
    place = resolve_place(text, BOOK)
    assert place.ref.known
    assert place.ref.label == expected


def test_whittier_elementary_is_not_whittier_park():
    """Confusable neighbours stay apart: a school is never matched to a park of the same name."""
    assert resolve_place("Whittier school", BOOK).ref.label == "Whittier Elementary"
    assert resolve_place("Whittier park", BOOK).ref.label == "Whittier Park"


def test_a_name_two_places_share_is_refused_with_both_names():
    with pytest.raises(RuleViolation) as refused:
        resolve_place("Whittier", BOOK)
    assert refused.value.code == "place_ambiguous"
    assert refused.value.details["suggestions"] == "Whittier Elementary, Whittier Park"


def test_look_alike_letters_never_make_a_new_place():
    """Mixed scripts that match nothing are refused with suggestions instead of becoming a place."""
    with pytest.raises(RuleViolation) as refused:
        resolve_place("Rоsевеlt High", BOOK)
    assert refused.value.code == "place_confusable"


@pytest.mark.parametrize("text", ["the school", "la escuela", "outside", "  ", "st", "&&&"])
def test_text_that_names_no_place_is_refused(text):
    with pytest.raises(RuleViolation) as refused:
        resolve_place(text, BOOK)
    assert refused.value.code in {"place_too_vague", "place_required"}


def test_huge_place_text_is_refused():
    with pytest.raises(RuleViolation) as refused:
        resolve_place("x" * 201, BOOK)
    assert refused.value.code == "text_too_long"


@pytest.mark.parametrize(
    "text", ["26th & Pulaski", "26th St and Pulaski Rd", "pulaski/26", "Pulaski y 26", "26 and pulaski"]
)
def test_one_intersection_written_many_ways_is_one_key(text):
    assert resolve_place(text, BOOK).ref.key == "corner:26|pulaski"


def test_a_home_address_is_kept_at_block_level():
    """A house number becomes its hundred block; two houses on one block are one place."""
    a = resolve_place("2315 S Whipple St", BOOK).ref
    b = resolve_place("outside 2347 South Whipple Street", BOOK).ref
    assert a.key == b.key
    assert a.block == 2300
    assert a.label == "S Whipple St"
    assert resolve_place("2415 S Whipple St", BOOK).ref.key != a.key


def test_normalisation_folds_case_accents_and_suffixes():
    assert fold("Ｉglesia SANTA Inés") == "iglesia santa ines"
    assert tokens("W. 48th Street") == ["w", "48", "st"]
    assert place_key("Lillian Street Elementary") == place_key("lillian st. elem")
    assert free_place("26th & Pulaski").words == ("26", "pulaski")


def candidate(number, key, words, minutes):
    return Candidate(number, key, tuple(words), at(minutes), at(minutes))


def test_a_report_joins_an_open_incident_at_the_same_place_within_the_window():
    place = resolve_place("Hamline", BOOK)
    near = candidate(1, place.ref.key, ["hamline"], 0)
    assert choose_incident(place, at(90), [near], timedelta(hours=2)) == 1
    assert choose_incident(place, at(180), [near], timedelta(hours=2)) is None


def test_free_text_places_cluster_by_similarity_but_numbers_must_agree():
    place = resolve_place("Pulaski & 26th St", BOOK)
    same = candidate(1, "corner:26|pulaski", ["26", "pulaski"], 0)
    other = candidate(2, "corner:27|pulaski", ["27", "pulaski"], 0)
    assert choose_incident(place, at(10), [other, same]) == 1
    assert choose_incident(place, at(10), [other]) is None


def test_two_schools_two_hours_apart_stay_two_incidents():
    """Russell and Lillian Street (Los Angeles, April 2025): other school, other time, separate incidents."""
    russell = resolve_place("Russell Elementary", BOOK)
    lillian = resolve_place("Lillian Street Elementary", BOOK)
    open_russell = candidate(1, russell.ref.key, ["russell"], 0)
    assert choose_incident(lillian, at(120), [open_russell]) is None


def test_the_cluster_index_finds_candidates_by_key_and_time_bucket():
    index = ClusterIndex(window=timedelta(hours=2))
    index.put(candidate(1, "place:a", ["a"], 0), ["place:a"])
    index.put(candidate(2, "place:b", ["b"], 0), ["place:b"])
    index.put(candidate(3, "place:a", ["a"], 60 * 24), ["place:a"])
    assert [c.number for c in index.candidates(["place:a"], at(30))] == [1]
    index.remove(1)
    assert index.candidates(["place:a"], at(30)) == []
    assert len(index) == 2


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("2314 Pulaski", "block:2300:pulaski", "Pulaski"),
        ("2314 S Pulaski", "block:2300:s pulaski", "S Pulaski"),
        ("Calle Pulaski 2314", "block:2300:st pulaski", "Calle Pulaski"),
        ("casa en calle Pulaski 2314", "block:2300:st pulaski", "calle Pulaski"),
    ],
)
def test_a_house_number_without_a_street_suffix_is_still_only_its_block(text, key, label):
    """Found in review: "2314 Pulaski" used to keep its house number in the alert."""
    place = resolve_place(text, BOOK).ref
    assert (place.key, place.block, place.label) == (key, 2300, label)
    assert "2314" not in place.label
