"""Issue 19 §7 end to end: an admin imports the community's street grid with /places import, the same
command as places, and from then on an address and the corner at its block land on one card."""

from __future__ import annotations

import re

import pytest

from bot.demo.live_world import World
from tests.bot.conftest import set_up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

GRID = "street,number,cross_street\nBellaire Blvd,6100,Hillcroft Ave\nBellaire Blvd,6500,Gessner Rd\n"


def number(reply: str) -> str:
    return re.search(r"#\d+", reply).group(0)  # type: ignore[union-attr]


def numbers(world: World) -> set[str]:
    return {str(m.embeds[0].get("title", "")).split(" ")[0] for m in world.queue.messages if m.embeds}


async def test_a_grid_imported_through_discord_puts_an_address_on_its_corner(world: World):
    await set_up(world)
    admin, rosa, luis = world.people["admin"], world.people["rosa"], world.people["luis"]
    before = await rosa.slash("report", where="6123 Bellaire Blvd", what="migra en la puerta", when="ahorita")
    corner = await luis.slash("report", where="Bellaire & Hillcroft", what="ICE vans", when="now")
    assert "#1" in before.content
    assert "#2" in corner.content  # without a grid, an address and a corner are two cards

    imported = await admin.slash("places import", file=("grid.csv", GRID.encode()))
    assert "2 crossings" in imported.content, imported.content
    bad = await admin.slash("places import", file=("grid.csv", b"street,number\nW 47th St,47th\n"))
    assert "Line 2" in bad.content, bad.content
    assert "Nothing was imported" in bad.content

    joined = await world.people["sam"].slash("report", where="6518 bellaire", what="2 agents", when="now")
    gessner = await world.people["pat"].slash("report", where="gessner y bellaire", what="agentes", when="now")
    assert number(joined.content) == number(gessner.content) == "#3"
    await world.settle()
    assert len(numbers(world)) == 3  # the address and the corner of its block share #3
