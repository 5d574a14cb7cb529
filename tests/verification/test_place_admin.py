"""Registering places with where they are: the places file, /places add, and reports that find them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.place import PlaceBook, resolve_place
from tests.scenario_steps import CHICAGO
from verification import usecases
from verification.errors import RuleViolation
from verification.model import Agency, Language, PlaceKind
from verification.usecases import ReportInput

NOW = datetime(2025, 1, 24, 17, 20, tzinfo=UTC)
PLACES = """cross_streets,name,area,kind,address,aliases
S Laflin St,Hamline Elementary,Back of the Yards,school,1548 W 48th St,"Hamline school,John H. Hamline"
W 23rd St & S Wolcott Ave,Whittier Park,Pilsen,park,,
W 27th St; S Pulaski Rd,Toman Library,Little Village,other,,
,El Güero Market,Little Village,store,2559 S Pulaski Rd,Mercado El Güero
"""


def test_a_places_file_names_its_columns_in_any_order():
    places = {p.name: p for _, p in usecases.parse_places_csv(PLACES)}
    hamline = places["Hamline Elementary"]
    assert (hamline.address, hamline.cross_streets) == ("1548 W 48th St", ("S Laflin St",))
    assert hamline.aliases == ("Hamline school", "John H. Hamline")
    assert places["Whittier Park"].cross_streets == ("W 23rd St", "S Wolcott Ave")
    assert places["Whittier Park"].kind is PlaceKind.PARK
    assert places["Toman Library"].cross_streets == ("W 27th St", "S Pulaski Rd")
    assert places["El Güero Market"].kind is PlaceKind.STORE


def test_an_older_places_file_with_unquoted_commas_in_aliases_still_imports():
    text = "name,area,kind,aliases\nHamline Elementary,Back of the Yards,school,Hamline school,1548 W 48th St\n"
    [(line, place)] = usecases.parse_places_csv(text)
    assert (line, place.aliases, place.address) == (2, ("Hamline school", "1548 W 48th St"), "")


@pytest.mark.parametrize(
    "header",
    ["name,area", "name,area,kind,colour", "name,area,kind,name", "place,area,kind", "area,kind,aliases,address"],
)
def test_a_header_without_the_required_columns_or_with_unknown_ones_is_refused(header):
    with pytest.raises(RuleViolation) as refused:
        usecases.parse_places_csv(f"{header}\nX School,Pilsen,school\n")
    assert refused.value.code == "import_header"


def test_spaces_and_hyphens_in_column_names_are_forgiven():
    text = "Name, Area ,KIND,Cross Streets,address\nX School,Pilsen,school,Elm St & Oak St,100 W Elm St\n"
    [(_, place)] = usecases.parse_places_csv(text)
    assert place.cross_streets == ("Elm St", "Oak St")


def test_extra_cells_outside_the_aliases_column_are_refused():
    text = "name,area,kind,address\nX School,Pilsen,school,100 W Elm St,oops\n"
    with pytest.raises(RuleViolation) as refused:
        usecases.parse_places_csv(text)
    assert refused.value.details == {"line": 2, "problem": "columns"}


def test_make_place_takes_an_address_and_cross_streets():
    place = usecases.make_place(
        "Kelly High", "Brighton Park", PlaceKind.SCHOOL, "", "4136 S California Ave", "W 41st St"
    )
    assert (place.address, place.cross_streets) == ("4136 S California Ave", ("W 41st St",))
    listed = usecases.make_place("Kelly Park", "Brighton Park", PlaceKind.PARK, cross_streets=["41st", "  ", "Kedzie"])
    assert listed.cross_streets == ("41st", "Kedzie")


def test_too_many_cross_streets_are_refused():
    with pytest.raises(RuleViolation) as refused:
        usecases.make_place("X", "Y", PlaceKind.PARK, cross_streets=";".join(f"{n}th St" for n in range(1, 9)))
    assert refused.value.code == "too_many_cross_streets"


def report(reporter: str, where: str) -> ReportInput:
    return ReportInput(
        community=CHICAGO,
        reporter=reporter,
        where=where,
        what="agents",
        when=None,
        agency=Agency.ICE,
        language=Language.ES,
    )


async def test_reports_at_a_place_s_address_or_corner_join_the_reports_that_name_it(uow):
    await usecases.import_places(uow, CHICAGO, PLACES)
    await usecases.configure_community(
        uow, usecases.Setup(community=CHICAGO, moderator_role=11, queue_channel=2, alerts_channel=3, timezone="UTC")
    )
    texts = ["escuela Hamline", "1548 W. 48th Street", "48th & Laflin", "la migra en el 1530 de la 48", "hamlin elem"]
    numbers = set()
    for i, text in enumerate(texts):
        outcome = await usecases.submit_report(uow, NOW + timedelta(minutes=i), report(f"r{i}", text))
        numbers.add(outcome.number)
        assert outcome.incident.place.label == "Hamline Elementary"
    assert len(numbers) == 1
    at_the_market = await usecases.submit_report(uow, NOW, report("r9", "2559 s pulaski"))
    assert at_the_market.incident.place.label == "El Güero Market"


async def test_a_place_is_removed_by_an_alias_too(uow):
    await usecases.import_places(uow, CHICAGO, PLACES)
    assert await usecases.remove_place(uow, CHICAGO, "Mercado El Güero")
    assert "El Güero Market" not in [p.name for p in await usecases.list_places(uow, CHICAGO)]


@pytest.mark.parametrize("alias", ["escuela", "the school", "la iglesia", "Parque", "HS", "clínica"])
def test_an_alias_that_is_only_a_kind_of_place_is_refused(alias):
    """Found in review: "escuela" as an alias made every report about any school this place."""
    with pytest.raises(RuleViolation) as refused:
        usecases.make_place("Hamline Elementary", "Back of the Yards", PlaceKind.SCHOOL, f"Hamline school, {alias}")
    assert refused.value.code == "alias_only_kind"


def test_a_places_file_with_a_kind_word_alias_is_refused_whole_with_its_line():
    text = (
        "name,area,kind,aliases\n"
        "Hamline Elementary,Back of the Yards,school,Hamline school\n"
        "St. Pius V,Pilsen,worship,iglesia\n"
    )
    with pytest.raises(RuleViolation) as refused:
        usecases.parse_places_csv(text)
    assert (refused.value.code, refused.value.details["line"], refused.value.details["problem"]) == (
        "import_line",
        3,
        "alias_only_kind",
    )


@pytest.mark.parametrize("name", ["Park Avenue Park", "Church Street Station", "North Station", "Parque Calle Ocho"])
def test_a_name_made_of_street_and_kind_words_registers_and_is_found_by_it(name):
    """Real places are named this way; only a kind word alone fails to tell one place from another.
    Such a place is found by its whole name or an alias (not yet inside a longer sentence)."""
    place = usecases.make_place(name, "Eastside", PlaceKind.PARK, aliases=f"{name} Eastside;{name.lower()}")
    assert len(place.aliases) == 2
    book = PlaceBook.of([place, usecases.make_place("Lincoln Park", "Eastside", PlaceKind.PARK)])
    for typed in (name, name.lower(), f" {name.upper()}  "):
        found = resolve_place(typed, book)
        assert found.ref.known, typed
        assert found.ref.label == name, typed


@pytest.mark.parametrize("name", ["the school", "High School", "la escuela primaria", "Street", "el parque", "  "])
def test_a_kind_word_alone_or_a_lone_street_word_is_not_a_name(name):
    with pytest.raises(RuleViolation) as refused:
        usecases.make_place(name, "Eastside", PlaceKind.SCHOOL)
    assert refused.value.code == "place_name_required"
