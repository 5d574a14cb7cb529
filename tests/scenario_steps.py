"""Shared set-up for use-case tests: a configured community with the scenarios' places."""

from __future__ import annotations

from verification import usecases
from verification.model import Language, PlaceKind
from verification.ports import UnitOfWork

CHICAGO = 1
PLACES_CSV = """name,area,kind,aliases
Hamline Elementary,Back of the Yards,school,"John H. Hamline Elementary School,Hamline school,1548 W 48th St"
Whittier Elementary,Pilsen,school,Whittier school
Whittier Park,Pilsen,other,
Russell Elementary,Florence-Firestone,school,
Lillian Street Elementary,Florence-Firestone,school,Lillian St Elementary
"""


async def set_up_chicago(uow: UnitOfWork, *, alerts_channel: int | None = 300) -> None:
    await usecases.configure_community(
        uow,
        usecases.Setup(
            community=CHICAGO,
            moderator_role=100,
            queue_channel=200,
            alerts_channel=alerts_channel,
            timezone="America/Chicago",
            language=Language.EN,
        ),
    )
    await usecases.import_places(uow, CHICAGO, PLACES_CSV)


__all__ = ["CHICAGO", "PLACES_CSV", "PlaceKind", "set_up_chicago"]
