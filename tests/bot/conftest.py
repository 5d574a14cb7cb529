"""End-to-end fixtures: the real bot, on real discord.py, against the emulator, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import Tuning
from bot.demo.live_world import Person, World, open_world
from tests.scenario_steps import PLACES_CSV

PEOPLE = [
    Person("admin", "admin"),
    Person("marta", "moderator", "es-419"),
    Person("dev", "moderator"),
    Person("rosa", "member", "es-419"),
    Person("luis", "member"),
    Person("sam", "member"),
    Person("lucia", "member", "es-ES"),
    Person("pat", "member"),
]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await open_world(tmp_path / "data", PEOPLE, tuning=Tuning(card_interval=0.0, maintenance_every=3600))
    try:
        yield opened
    finally:
        await opened.close()
    assert opened.emu.errors == [], "the emulator crashed while handling a request"


async def set_up(world: World, timezone: str = "America/Chicago", language: str = "en") -> None:
    """The admin runs /setup and imports the places, as an admin would on day one."""
    admin = world.people["admin"]
    result = await admin.slash(
        "setup",
        moderator_role=world.mods,
        queue_channel=world.queue,
        alerts_channel=world.alerts,
        timezone=timezone,
        language=language,
    )
    assert "Veraz is set up" in result.content, result.content
    imported = await admin.slash("places import", file=("places.csv", PLACES_CSV.encode()))
    assert "Imported 5 places" in imported.content, imported.content


def alerts(member) -> list:
    """The alert messages (ALERT and its amendments) a member got by DM: they carry a Veraz reference.
    Other DMs, like the welcome sent at /subscribe, are left out."""
    return [m for m in member.dms if "Veraz ref " in m.content]
