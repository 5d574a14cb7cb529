"""The bot starts against the emulator, is set up by an admin, and takes a report."""

from __future__ import annotations

from tests.bot.conftest import set_up


async def test_a_report_gets_an_unverified_reply_and_one_queue_card(world):
    await set_up(world)
    result = await world.people["luis"].slash("report", where="Hamline Elementary", what="two agents at the door")
    assert result.ephemeral
    assert "#1" in result.content
    assert "UNVERIFIED" in result.content
    await world.settle()
    card = world.card(1)
    assert "UNVERIFIED" in card.text
    assert world.emu.pings == []
