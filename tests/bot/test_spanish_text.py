"""A moderator's text in Spanish (issue 25): given on the commands or in the card's modals, it reaches
subscribers who read Spanish in Spanish; without it they get the English, marked "(escrito en inglés)"."""

from __future__ import annotations

import pytest

from tests.bot.conftest import alerts, set_up
from tests.bot.test_delivery import confirmed_incident

pytestmark = pytest.mark.timeout(120)


async def subscribed(world):
    await set_up(world)
    sam, lucia = world.people["sam"], world.people["lucia"]
    await sam.slash("subscribe")
    await lucia.slash("subscribe", language="es")
    await confirmed_incident(world)
    await world.settle()
    return sam, lucia


async def test_a_correction_given_in_both_languages_reaches_each_reader_in_theirs(world):
    sam, lucia = await subscribed(world)
    await world.people["dev"].slash(
        "incident correct", id=1, text="There were four agents, not two.", in_spanish="Eran cuatro agentes, no dos."
    )
    await world.settle()
    english, spanish = alerts(sam)[-1].content, alerts(lucia)[-1].content
    assert "Correction: There were four agents, not two\\." in english
    assert "Eran cuatro" not in english
    assert "Corrección: Eran cuatro agentes, no dos\\." in spanish
    assert "four agents" not in spanish
    assert "(escrito en inglés)" not in spanish
    # The old facts come after the correction, labelled, in both languages.
    assert english.index("Correction:") < english.index("Original alert:") < english.index("Place:")
    assert spanish.index("Corrección:") < spanish.index("Alerta original:") < spanish.index("Lugar:")


async def test_english_only_reaches_a_spanish_reader_marked_as_written_in_english(world):
    sam, lucia = await subscribed(world)
    await world.people["dev"].slash("incident debunk", id=1, reason="The photo was from 2019.")
    await world.settle()
    assert "The alert was wrong and is withdrawn: The photo was from 2019\\." in alerts(sam)[-1].content
    assert "(escrito en inglés)" not in alerts(sam)[-1].content
    spanish = alerts(lucia)[-1].content
    assert spanish.startswith("**❌ ALERTA RETIRADA")
    assert "Esta alerta estaba equivocada: The photo was from 2019\\. (escrito en inglés)" in spanish


async def test_the_cards_modal_takes_the_spanish_text_too(world):
    sam, lucia = await subscribed(world)
    opened = await world.people["dev"].click(world.card(1), "Misidentified")
    await world.people["dev"].submit_modal(
        opened, {"text": "Secret Service agents, not ICE.", "text_es": "Eran agentes del Servicio Secreto, no de ICE."}
    )
    await world.settle()
    assert "Correction: Secret Service agents, not ICE\\." in alerts(sam)[-1].content
    assert "Corrección: Eran agentes del Servicio Secreto, no de ICE\\." in alerts(lucia)[-1].content
    # The moderators' card, in the community's language, shows the correction as written for it.
    assert "Secret Service agents, not ICE" in world.card(1).text


async def test_a_statement_quote_given_in_spanish_is_quoted_in_spanish(world):
    sam, lucia = await subscribed(world)
    await world.people["dev"].slash(
        "incident statement", id=1, source="ICE", stance="denies", kind="law_enforcement",
        quote="this was not an ICE operation",
        quote_in_spanish="esto no fue un operativo de ICE",
    )  # fmt: skip
    await world.settle()
    assert "“this was not an ICE operation”" in alerts(sam)[-1].content
    spanish = alerts(lucia)[-1].content
    assert "ICE (autoridad policial) lo niega: “esto no fue un operativo de ICE”" in spanish
    assert "this was not" not in spanish
