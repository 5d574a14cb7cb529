"""Issue 19 §4: an incident's place is everything its reports said, and a chain of places stops at a
near miss: evidence that came in only through accumulated evidence never attracts a report by itself."""

from __future__ import annotations

from datetime import timedelta

from tests.scenario_steps import set_up_chicago
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
