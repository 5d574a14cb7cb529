"""Issue 23 §1 on the real bot: a reporter's words that name a private person never reach a subscriber.
Confirm asks for the place first (a modal that offers what could be published), the card says plainly
that the label is the reporter's words, and /incident confirm without a place is refused politely."""

from __future__ import annotations

from tests.bot.conftest import alerts, set_up

HOSTILE = "outside Maria Gonzalez house they took her husband"


async def _reported(world, where: str) -> None:
    await set_up(world)
    await world.people["sam"].slash("subscribe")
    result = await world.people["luis"].slash("report", where=where, what="ICE, 2 agents at the door")
    assert "#1" in result.content
    await world.settle()


async def test_confirm_asks_for_the_place_and_no_subscriber_reads_the_reporters_words(world):
    await _reported(world, HOSTILE)
    card = world.card(1)
    assert "reporter's own words, not approved" in card.text
    assert "Maria Gonzalez" in card.text  # moderators see what was reported, to judge it
    opened = await world.people["dev"].click(card, "Confirm")
    assert opened.modal is not None, opened.content
    assert "Maria Gonzalez house" in str(opened.modal.components)  # what is not published, said plainly
    assert opened.modal.field("place").get("value") in (None, "")  # nothing in the text can be offered
    voted = await world.people["dev"].submit_modal(opened, {"place": "Pilsen"})
    assert "Your vote" in voted.content, voted.content
    await world.settle()
    assert "reporter's own words" not in world.card(1).text
    second = await world.people["marta"].click(world.card(1), "Confirm")  # the place is named: she just votes
    assert second.modal is None
    assert "CONFIRMADO" in second.content, second.content
    await world.settle()
    [alert] = alerts(world.people["sam"])
    assert alert.content.startswith("**🚨 ALERT · #1 · Pilsen")
    for surface in (alert.content, world.alerts.messages[0].content):
        for private in ("Maria", "Gonzalez", "husband"):
            assert private not in surface


async def test_the_modal_offers_the_street_the_reporter_named(world):
    await _reported(world, "ICE at the Ramirez twins house on Elm St, both DACA")
    assert "It could be published as: Elm St" in world.card(1).text
    opened = await world.people["dev"].click(world.card(1), "Confirm")
    assert opened.modal is not None
    assert opened.modal.field("place")["value"] == "Elm St"
    await world.people["dev"].submit_modal(opened, {})  # as offered
    await world.people["marta"].click(world.card(1), "Confirm")
    await world.settle()
    [alert] = alerts(world.people["sam"])
    assert alert.content.startswith("**🚨 ALERT · #1 · Elm St")
    assert "Ramirez" not in alert.content
    assert "DACA" not in alert.content


async def test_confirm_by_command_without_a_place_is_refused_and_changes_nothing(world):
    await _reported(world, HOSTILE)
    refused = await world.people["dev"].slash("incident confirm", id=1)
    assert "reporter's own words" in refused.content
    assert "/incident place" in refused.content
    assert "Nothing was changed" in refused.content
    en_espanol = await world.people["marta"].slash("incident confirm", id=1)
    assert "palabras de quien reportó" in en_espanol.content
    await world.settle()
    assert "No votes yet" in world.card(1).text  # the card is in the server's language
    named = await world.people["dev"].slash("incident place", id=1, place="house 45 on Elm St")
    assert "#1" in named.content
    await world.people["dev"].slash("incident confirm", id=1)
    await world.people["marta"].slash("incident confirm", id=1)
    await world.settle()
    [alert] = alerts(world.people["sam"])
    assert alert.content.startswith("**🚨 ALERT · #1 · 0 block of Elm St")  # a home only as its block
    assert "45" not in alert.content.split("\n")[0]
