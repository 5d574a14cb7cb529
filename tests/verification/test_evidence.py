"""Issue 19 §4: an incident's place is everything its reports said, and a chain of places stops at a
near miss: evidence that came in only through accumulated evidence never attracts a report by itself."""

from __future__ import annotations

from datetime import timedelta

from tests.scenario_steps import CHICAGO, set_up_chicago
from tests.verification.test_usecases import NOW, report
from verification import usecases


async def _filed(uow, n: int, where: str) -> usecases.Outcome:
    return await usecases.submit_report(uow, NOW + timedelta(minutes=n), report(f"r{n}", where, when=None))


async def test_a_chain_of_places_stops_at_a_near_miss(uow):
    await set_up_chicago(uow)
    first = await _filed(uow, 1, "5210 W Ogden Ave")
    at_the_address = await _filed(uow, 2, "Bodega Lupita at 5210 W Ogden")  # a shop there: its name is evidence
    by_name = await _filed(uow, 3, "la bodega Lupita")  # the shop's name alone meets that evidence
    assert at_the_address.number == first.number
    assert by_name.number == first.number
    # What the name-only report brought came in only through accumulated evidence: a shop of that name on
    # another street is shown beside the incident, never joined to it.
    elsewhere = await _filed(uow, 4, "Bodega Lupita on Cicero")
    assert elsewhere.number != first.number
    assert first.number in {r.number for r in elsewhere.incident.resembles}


_RIVERTON = (
    "name,area,kind,aliases\n"
    "Plaza Norte,Northgate,other,el Plaza Norte\n"
    "Larkin Tower,Northgate,other,\n"
    "Casa Esperanza,Northgate,other,\n"
)


async def test_a_corner_typed_with_a_registered_place_is_evidence_of_where_it_is(uow):
    """Issue 19 §4: "Plaza Norte, 14 y Elm" says where the Plaza is, so "Elm & 14th" later meets it, in
    either language and order; a registered place's report never joins another registered place's
    incident through a corner both were typed with."""
    await set_up_chicago(uow)
    await usecases.import_places(uow, CHICAGO, _RIVERTON)
    plaza = await _filed(uow, 1, "el Plaza Norte, 14 y Elm")
    corner = await _filed(uow, 2, "Elm St & W 14th St")
    assert plaza.incident.place.known
    assert corner.number == plaza.number
    tower = await _filed(uow, 3, "Larkin Tower at 14th & Elm")
    assert tower.number != plaza.number
    assert plaza.number in {r.number for r in tower.incident.resembles}
    again = await _filed(uow, 4, "Plaza Norte")
    assert again.number == plaza.number
