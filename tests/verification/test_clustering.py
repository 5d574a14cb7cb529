"""Grouping: reports of one scene become one incident; places that are only alike become near misses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from intake.place import PlaceBook, ResolvedPlace, resolve_chosen, resolve_place
from tests.builders import at
from tests.intake.test_place_reading import BOOK
from verification.clustering import (
    Candidate,
    ClusterIndex,
    NearReason,
    choose_incident,
    group,
    search_window,
)

EMPTY = PlaceBook()
WINDOW = timedelta(hours=2)


def candidate(number: int, place: ResolvedPlace, minutes: int, keys: tuple[str, ...] | None = None) -> Candidate:
    return Candidate(
        number, place.ref.key, place.words, at(minutes), at(minutes), keys or place.lookup_keys, place.ref.label
    )


def test_a_report_joins_an_open_incident_at_the_same_place_within_the_window():
    place = resolve_place("Hamline", BOOK)
    open_one = candidate(1, place, 0)
    assert choose_incident(place, at(90), [open_one], WINDOW) == 1
    later = group(place, at(180), [open_one], WINDOW)
    assert later.number is None
    assert [(m.number, m.reason, m.minutes_apart) for m in later.near] == [(1, NearReason.SAME_PLACE, 180)]
    assert group(place, at(60 * 5), [open_one], WINDOW) == group(place, at(60 * 5), [], WINDOW)


def test_the_same_corner_joins_and_the_next_corner_is_only_near():
    here = resolve_place("26th & Pulaski", EMPTY)
    same = candidate(1, resolve_place("pulaski/26", EMPTY), 0)
    next_corner = candidate(2, resolve_place("27th y Pulaski", EMPTY), 0)
    assert choose_incident(here, at(10), [next_corner, same]) == 1
    grouping = group(here, at(10), [next_corner])
    assert grouping.number is None
    assert [(m.number, m.reason, m.label) for m in grouping.near] == [(2, NearReason.NEARBY, "27th St & Pulaski")]


def test_a_school_and_a_park_that_share_a_name_never_join_but_are_named():
    park = resolve_place("parque Whittier", BOOK)
    school = candidate(7, resolve_place("Whittier Elementary", BOOK), 0)
    grouping = group(park, at(5), [school])
    assert grouping.number is None
    assert [(m.number, m.reason, m.minutes_apart) for m in grouping.near] == [(7, NearReason.SIMILAR_NAME, 5)]


def test_two_schools_two_hours_apart_stay_two_incidents():
    """Russell and Lillian Street (Los Angeles, April 2025): other school, other time, separate incidents."""
    russell = candidate(1, resolve_place("Russell Elementary", BOOK), 0)
    assert choose_incident(resolve_place("Lillian Street Elementary", BOOK), at(120), [russell]) is None


def test_an_ambiguous_name_joins_the_only_open_incident_it_can_mean():
    whittier = resolve_place("Whittier", BOOK)
    school = candidate(3, resolve_place("Whittier school", BOOK), 0)
    park = candidate(4, resolve_place("Whittier park", BOOK), 0)
    assert choose_incident(whittier, at(10), [school]) == 3
    both = group(whittier, at(10), [school, park])
    assert both.number is None
    assert {(m.number, m.reason) for m in both.near} == {(3, NearReason.EITHER), (4, NearReason.EITHER)}


def test_a_known_place_found_by_its_address_joins_the_one_found_by_its_name():
    by_name = candidate(1, resolve_place("escuela Hamline", BOOK), 0)
    assert choose_incident(resolve_place("1530 W 48th St", BOOK), at(3), [by_name]) == 1
    assert choose_incident(resolve_place("48th y Laflin", BOOK), at(3), [by_name]) == 1


def test_one_business_through_typos_joins_and_a_similar_name_is_only_near():
    market = candidate(1, resolve_place("El Güero market", EMPTY), 0)
    assert choose_incident(resolve_place("el guerro mercado", EMPTY), at(5), [market]) == 1
    assert choose_incident(resolve_place("El Güero", EMPTY), at(5), [market]) == 1  # the only one it can be
    diminutive = group(resolve_place("El Güerito market", EMPTY), at(5), [market])
    assert diminutive.number is None
    assert [m.reason for m in diminutive.near] == [NearReason.SIMILAR_NAME]


def test_a_name_without_a_kind_does_not_choose_between_two_kinds():
    market = candidate(1, resolve_place("El Güero market", EMPTY), 0)
    taqueria = candidate(2, resolve_place("taqueria El Güero", EMPTY), 0)
    grouping = group(resolve_place("el guero", EMPTY), at(5), [market, taqueria])
    assert grouping.number is None
    assert {m.number for m in grouping.near} == {1, 2}


def test_a_business_on_two_streets_is_two_places():
    cermak = candidate(1, resolve_place("Walgreens on Cermak", EMPTY), 0)
    pulaski = group(resolve_place("Walgreens on Pulaski", EMPTY), at(5), [cermak])
    assert pulaski.number is None
    assert [m.number for m in pulaski.near] == [1]


def test_houses_on_one_block_join_whatever_the_direction_typed_and_opposite_sides_of_town_do_not():
    south = candidate(1, resolve_place("2314 S Pulaski", EMPTY), 0)
    assert choose_incident(resolve_place("2350 S. Pulaski Rd", EMPTY), at(5), [south]) == 1
    assert choose_incident(resolve_place("enfrente del 2340 de la Pulaski", EMPTY), at(5), [south]) == 1
    north = group(resolve_place("2314 N Pulaski", EMPTY), at(5), [south])
    assert north.number is None
    assert [m.number for m in north.near] == [1]
    next_block = group(resolve_place("2414 S Pulaski", EMPTY), at(5), [south])
    assert next_block.number is None
    assert [m.reason for m in next_block.near] == [NearReason.NEARBY]


def test_a_street_name_of_uncertain_length_joins_its_full_form():
    full = candidate(1, resolve_place("Central Park Ave & Cermak Rd", EMPTY), 0)
    assert choose_incident(resolve_place("cermak and central park", EMPTY), at(5), [full]) == 1


def test_a_key_the_incident_holds_through_a_merge_joins_it():
    corner = resolve_place("26th & Pulaski", EMPTY)
    merged = Candidate(
        9, "place:la villita store", ("villita",), at(0), at(0), ("place:la villita store", corner.ref.key)
    )
    assert choose_incident(corner, at(5), [merged]) == 9


def test_vague_reports_never_join():
    vague = resolve_place("the school", BOOK)
    other = Candidate(1, vague.ref.key, (), at(0), at(0), ())
    assert choose_incident(vague, at(1), [other]) is None


def test_picking_from_the_menu_moves_the_report_to_that_place_s_incident():
    chosen = resolve_chosen(BOOK.places["whittier park"], BOOK)
    park = candidate(4, resolve_place("Whittier park", BOOK), 0)
    assert choose_incident(chosen, at(10), [park]) == 4


def test_near_misses_are_few_and_closest_first():
    here = resolve_place("26th & Pulaski", EMPTY)
    others = [
        candidate(n, resolve_place(t, EMPTY), m) for n, t, m in [(1, "27th & Pulaski", 30), (2, "25th & Pulaski", 3)]
    ]
    assert [m.number for m in group(here, at(0), others).near] == [2, 1]


def test_the_cluster_index_finds_candidates_by_key_and_time_bucket():
    index = ClusterIndex(window=WINDOW)
    a = resolve_place("Hamline", BOOK)
    index.put(candidate(1, a, 0), a.lookup_keys)
    index.put(candidate(2, resolve_place("Kelly HS", BOOK), 0), ["place:kelly high school"])
    index.put(candidate(3, a, 60 * 24), a.lookup_keys)
    assert [c.number for c in index.candidates(a.search_keys, at(30))] == [1]
    index.remove(1)
    assert index.candidates(a.search_keys, at(30)) == []
    assert len(index) == 2
    assert search_window(WINDOW) == 2 * WINDOW


# --- a stream of reports, as the use case groups them ----------------------------------------------


@dataclass
class Queue:
    """The moderators' queue: one card per incident, as `submit_report` keeps it."""

    book: PlaceBook
    index: ClusterIndex = field(default_factory=lambda: ClusterIndex(window=search_window(WINDOW)))
    cards: dict[int, list[str]] = field(default_factory=dict)
    keys: dict[int, tuple[str, ...]] = field(default_factory=dict)
    near: dict[int, list[int]] = field(default_factory=dict)

    def report(self, text: str, minutes: int) -> int:
        place = resolve_place(text, self.book)
        grouping = group(place, at(minutes), self.index.candidates(place.search_keys, at(minutes)), WINDOW)
        number = grouping.number
        if number is None:
            number = len(self.cards) + 1
            self.cards[number], self.keys[number] = [], ()
            self.near[number] = [m.number for m in grouping.near]
            first = at(minutes)
        else:
            first = self.index.candidates(self.keys[number], at(minutes))[0].first_observed
        self.cards[number].append(text)
        self.keys[number] = tuple(dict.fromkeys((*self.keys[number], *place.lookup_keys)))
        label = place.ref.label if len(self.cards[number]) == 1 else ""
        self.index.put(
            Candidate(number, place.ref.key, place.words, first, at(minutes), label=label), self.keys[number]
        )
        return number


SCENES = {
    "corner": [
        "26th & Pulaski", "la migra en la 26 y pulaski!!", "Pulaski/26th, 3 vans", "ICE AT 26TH AND PULASKI",
        "s pulaski rd & w 26th st", "pulasky y 26", "corner of 26th and pulaski they're arresting kids",
    ],
    "school": [
        "Hamline Elementary", "escuela hamline", "2 agents at Hamline school door", "hamlin elem",
        "1548 W 48th St", "la escuela Hamline en la 48", "Hamline ES",
    ],
    "market": [
        "El Güero market", "mercado el guero", "ICE at El Guero market right now", "tienda El Güero!!",
        "Guero's market", "carniceria el guero",
    ],
    "house": [
        "2314 S Pulaski", "enfrente del 2314 de la Pulaski", "#2320 S Pulaski Rd", "in front of 2318 s pulaski",
        "Pulaski 2314", "2314 s. pulaski apt 2",
    ],
}  # fmt: skip


def test_every_scene_becomes_one_card_however_it_is_written():
    queue = Queue(BOOK)
    numbers: dict[str, set[int]] = {name: set() for name in SCENES}
    longest = max(len(texts) for texts in SCENES.values())
    minute = 0
    for i in range(longest):
        for name, texts in SCENES.items():
            if i < len(texts):
                numbers[name].add(queue.report(texts[i], minute))
                minute += 1
    assert all(len(found) == 1 for found in numbers.values()), numbers
    assert len(queue.cards) == len(SCENES)


def test_the_same_corner_hours_later_is_a_new_card_that_names_the_first():
    queue = Queue(EMPTY)
    first = queue.report("26th & Pulaski", 0)
    second = queue.report("26 y pulaski", 60 * 3)
    assert second != first
    assert queue.near[second] == [first]


@pytest.mark.parametrize(("a", "b"), [("26th & Pulaski", "27th & Pulaski"), ("Whittier Elementary", "Whittier Park")])
def test_confusable_neighbours_open_two_cards(a, b):
    queue = Queue(BOOK)
    assert queue.report(a, 0) != queue.report(b, 1)


def test_a_business_named_at_a_corner_meets_the_reports_that_name_only_the_business():
    market = candidate(1, resolve_place("El Güero market", EMPTY), 0)
    assert choose_incident(resolve_place("El Güero market at 26th & Pulaski", EMPTY), at(5), [market]) == 1
    at_corner = candidate(2, resolve_place("ICE at El Guero, 26th y Pulaski", EMPTY), 0)
    assert choose_incident(resolve_place("mercado el güero", EMPTY), at(5), [at_corner]) == 2
    elsewhere = group(resolve_place("El Güero at 31st & Kedzie", EMPTY), at(5), [at_corner])
    assert elsewhere.number is None


def test_a_vague_time_joins_the_open_incident_at_the_same_place_it_may_be_from():
    """Issue 19 §6: "this morning" sent at 14:00 (a window of 05:00 to 12:00) about a corner where an
    incident was seen at 11:30 joins it; the same words never open a second card there."""
    place = resolve_place("26th & Pulaski", EMPTY)
    morning = candidate(1, place, 11 * 60 + 30)
    sent_at_two_pm = at(14 * 60)
    assert choose_incident(place, at(8 * 60 + 30), [morning]) is None  # read as one instant, mid-morning
    assert choose_incident(place, at(5 * 60), [morning], until=at(12 * 60)) == 1
    # Of two incidents there, the one the window reaches: the morning's, not the afternoon's.
    afternoon = candidate(2, place, 13 * 60 + 45)
    assert choose_incident(place, at(5 * 60), [afternoon, morning], until=at(10 * 60)) == 1
    assert choose_incident(place, at(12 * 60), [afternoon, morning], until=sent_at_two_pm) == 2


def test_an_address_and_a_corner_on_one_street_are_offered_to_each_other():
    """Issue 19 §4, §7: without a grid an address and a corner of one street never join by themselves, but
    the card of the one says "possibly the same as" the other, for a moderator to merge in one click."""
    corner = candidate(1, resolve_place("car wash on cermak & leavitt", EMPTY), 0)
    address = group(resolve_place("2200 W Cermak", EMPTY), at(10), [corner])
    assert address.number is None
    assert [(m.number, m.reason) for m in address.near] == [(1, NearReason.NEARBY)]


def test_a_registered_place_never_joins_another_s_incident_but_joins_one_merged_with_it():
    """Whatever corner both were typed with, two registered places stay apart unless a moderator merged
    them: then the merged incident holds both places' keys and takes reports of either."""
    whittier = resolve_place("Whittier Elementary", BOOK)
    hamline = resolve_place("Hamline", BOOK)
    shared = "corner:12|elm"
    other = candidate(3, hamline, 0, (*hamline.lookup_keys, shared))
    typed = ResolvedPlace(whittier.ref, (*whittier.lookup_keys, shared), whittier.words, whittier.reading)
    grouping = group(typed, at(5), [other])
    assert grouping.number is None
    assert [m.number for m in grouping.near] == [3]
    merged = candidate(3, hamline, 0, (*hamline.lookup_keys, *whittier.lookup_keys))
    assert choose_incident(whittier, at(5), [merged]) == 3


@pytest.mark.parametrize(
    "text",
    ["la Alder, los apartamentos", "Alder St", "the apartments on Alder", "obra en la Alder", "construction on Alder"],
)
def test_somewhere_on_a_street_joins_the_one_open_incident_on_it(text: str):
    """Issue 19 §4: a report that names only a street, or a kind of place on it, is at its one open
    incident; with two open on the street it names neither, and both are offered."""
    place = resolve_place(text, EMPTY)
    block = candidate(1, resolve_place("4300 Alder St, los apartamentos", EMPTY), 0)
    assert choose_incident(place, at(20), [block]) == 1
    corner = candidate(2, resolve_place("Alder & 9th", EMPTY), 5)
    both = group(place, at(20), [block, corner])
    assert both.number is None
    assert {m.number for m in both.near} == {1, 2}
    assert choose_incident(place, at(20), [candidate(3, resolve_place("Birch St", EMPTY), 0)]) is None


def test_a_name_that_may_be_a_street_is_offered_beside_what_is_on_that_street():
    block = candidate(1, resolve_place("4300 Alder St, los apartamentos", EMPTY), 0)
    assert choose_incident(resolve_place("alder apts", EMPTY), at(10), [block]) == 1  # the apartments there
    alone = group(resolve_place("alder", EMPTY), at(10), [block])
    assert alone.number is None
    assert [m.number for m in alone.near] == [1]


def test_a_report_naming_one_of_two_places_is_offered_the_incident_that_named_either():
    from tests.intake.test_place_generalising import RIVERTON

    either = candidate(4, resolve_place("food lion", RIVERTON), 0)
    bayside = group(resolve_place("Food Lion Bayside", RIVERTON), at(10), [either])
    assert bayside.number is None
    assert [(m.number, m.reason) for m in bayside.near] == [(4, NearReason.SIMILAR_NAME)]


def test_a_number_typed_without_its_type_joins_the_one_open_corner_of_that_number():
    avenue = candidate(1, resolve_place("7th Ave & 60th St", EMPTY), 0)
    assert choose_incident(resolve_place("60th & 7th", EMPTY), at(10), [avenue]) == 1
    road = candidate(2, resolve_place("7th Rd & 60th St", EMPTY), 0)
    assert choose_incident(resolve_place("60th & 7th", EMPTY), at(10), [avenue, road]) is None  # either
    assert choose_incident(resolve_place("7th Rd & 60th", EMPTY), at(10), [avenue]) is None  # another street


@pytest.mark.parametrize(
    ("text", "joins"), [("Elm & 5th", True), ("la 4 y Elm", True), ("Elm & 12th", False), ("Elm & 3rd", False)]
)
def test_a_corner_on_a_stretch_joins_it_when_it_is_the_only_one(text: str, joins: bool):
    """A corner between the ends of a short numbered stretch of street is on it; its ends are the next
    blocks' corners too."""
    stretch = candidate(1, resolve_place("Elm Ave from 3rd to 7th", EMPTY), 0)
    assert (choose_incident(resolve_place(text, EMPTY), at(10), [stretch]) == 1) is joins
    other = candidate(3, resolve_place("Elm Ave between 4th and 6th", EMPTY), 0)
    assert choose_incident(resolve_place("Elm & 5th", EMPTY), at(10), [stretch, other]) is None


def test_a_business_at_a_corner_is_offered_beside_a_place_of_a_like_name():
    unity = candidate(1, resolve_place("Unity Plaza", EMPTY), 0)
    corner = group(resolve_place("12th Rd & Oak St plaza", EMPTY), at(10), [unity])
    assert corner.number is None
    assert [m.number for m in corner.near] == [1]
