"""Issue 19 §7: a community imports its street grid, and an address and the corner at its block meet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.place.grid import GridPoint
from tests.scenario_steps import CHICAGO, set_up_chicago
from tests.verification.test_usecases import NOW, report
from verification import usecases
from verification.errors import RuleViolation

GRID = "street,number,cross_street\nBellaire Blvd,6100,Hillcroft Ave\nBellaire Blvd,6500,Gessner Rd\n"
NUMBERED = "street,number\nW 47th St,4700\nW 48th St,4800\n"


async def _filed(uow, n: int, where: str) -> usecases.Outcome:
    return await usecases.submit_report(uow, NOW + timedelta(minutes=n), report(f"r{n}", where, when=None))


async def test_an_address_joins_the_corner_the_grid_puts_at_its_block(uow):
    await set_up_chicago(uow)
    before = await _filed(uow, 1, "6123 Bellaire Blvd")
    assert (await _filed(uow, 2, "Bellaire & Hillcroft")).number != before.number  # no grid yet: two cards
    points = await usecases.import_grid(uow, CHICAGO, GRID)
    assert points == [GridPoint("Bellaire Blvd", 6100, "Hillcroft Ave"), GridPoint("Bellaire Blvd", 6500, "Gessner Rd")]
    corner = await _filed(uow, 3, "gessner y bellaire")
    assert (await _filed(uow, 4, "6518 Bellaire")).number == corner.number
    assert (await _filed(uow, 5, "6700 Bellaire Blvd")).number != corner.number  # another block


async def test_a_numbered_grid_puts_every_crossing_at_its_hundred(uow):
    await set_up_chicago(uow)
    await usecases.import_grid(uow, CHICAGO, NUMBERED)
    corner = await _filed(uow, 1, "Ashland y la 47")
    assert (await _filed(uow, 2, "4712 S Ashland Ave")).number == corner.number
    assert (await _filed(uow, 3, "4812 S Ashland Ave")).number != corner.number


@pytest.mark.parametrize(
    ("text", "problem"),
    [("street,number\n,4700\n", "street"), ("street,number\nW 47th St,47th\n", "number")],
)
async def test_a_bad_grid_line_imports_nothing(uow, text: str, problem: str):
    await set_up_chicago(uow)
    with pytest.raises(RuleViolation) as refused:
        await usecases.import_grid(uow, CHICAGO, text)
    assert refused.value.details == {"line": 2, "problem": problem}
    assert usecases.is_grid_csv(GRID)
    assert usecases.is_grid_csv(NUMBERED)
    assert not usecases.is_grid_csv("name,area,kind\nX School,Pilsen,school\n")
