"""Reporter safety end to end: asking the reporters without revealing them, /forget-me, no way back."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

from bot.core.relay_book import RelayBook
from tests.bot.conftest import set_up
from verification.model import Language


async def test_a_moderators_question_reaches_the_reporters_and_their_answer_reaches_the_card_unnamed(world):
    await set_up(world)
    rosa, luis = world.people["rosa"], world.people["luis"]
    await rosa.slash("report", where="Hamline Elementary", what="dos agentes en la puerta")
    await luis.slash("report", where="Hamline Elementary", what="two agents at the door")
    await world.settle()
    opened = await world.people["dev"].click(world.card(1), "Ask reporters")
    sent = await world.people["dev"].submit_modal(opened, {"text": "Are they still there? Any vehicle?"})
    assert "Question sent to 2 reporters of #1" in sent.content
    assert "Un moderador de Back of the Yards Rapid Response pregunta sobre el incidente #1" in rosa.dms[-1].content
    assert "A moderator of Back of the Yards Rapid Response asks about incident #1" in luis.dms[-1].content
    assert "dev" not in luis.dms[-1].content  # the moderator is not named to reporters either
    await rosa.send_dm_to_bot("Se fueron a las 11:40 en una camioneta gris")
    await world.emu.wait_for_message(world.queue, lambda m: "answers" in m.content)
    relayed = [m for m in world.queue.messages if "Reporter 1 of #1 answers" in m.content]
    assert relayed
    assert "rosa" not in relayed[0].content
    assert str(rosa.id) not in relayed[0].content
    thanks = await rosa.wait_for_dm(lambda m: "Gracias" in m.content)
    assert "sin su nombre" in thanks.content


async def test_a_dm_with_no_question_pending_is_not_relayed_anywhere(world):
    await set_up(world)
    pat = world.people["pat"]
    await pat.send_dm_to_bot("hello?")
    await world.emu.wait_for(lambda: pat.dms or None, timeout=5, what="an answer")
    assert "Your message was not sent to anyone" in pat.dms[-1].content
    assert "Su mensaje no se envió a nadie: los moderadores no le han hecho ninguna pregunta." in pat.dms[-1].content
    assert all("hello" not in m.content for m in world.queue.messages)


async def test_forget_me_deletes_report_text_and_the_way_back(world):
    await set_up(world)
    rosa = world.people["rosa"]
    await rosa.slash("report", where="Hamline Elementary", what="CANARY-FORGET-ME", markings="CANARY-MARKS")
    await world.settle()
    result = await rosa.slash("olvidarme")
    assert result.content.startswith("Listo.")
    await world.settle()
    assert "CANARY-FORGET-ME" not in world.card(1).text
    raw = b"".join(p.read_bytes() for p in (world.bot.settings.data_dir).glob("veraz.db*"))
    assert b"CANARY-FORGET-ME" not in raw
    assert b"CANARY-MARKS" not in raw
    opened = await world.people["dev"].click(world.card(1), "Ask reporters")
    sent = await world.people["dev"].submit_modal(opened, {"text": "still there?"})
    assert "No reporter of #1 can be reached now" in sent.content  # nobody can reach Rosa through Veraz now


async def test_no_reporter_id_in_the_database_after_a_full_scenario(world):
    await set_up(world)
    reporters = [world.people[name] for name in ("rosa", "luis", "lucia")]
    for member in reporters:
        await member.slash("report", where="Hamline Elementary", what="agents")
    await world.people["marta"].slash("incident statement", id=1, source="CPS", stance="confirms")
    await world.people["marta"].slash("incident confirm", id=1)
    await world.people["dev"].slash("incident resolve", id=1)
    await world.settle()
    path = world.bot.settings.data_dir / "veraz.db"
    with sqlite3.connect(path) as db:
        dump = "\n".join(db.iterdump())
    assert "agents" in dump
    for member in reporters:
        assert str(member.id) not in dump


def test_relay_links_are_gone_after_the_window():
    from datetime import UTC, datetime

    book = RelayBook()
    now = datetime(2025, 1, 24, 17, 0, tzinfo=UTC)
    book.remember(1, 12, 2, 4242, Language.ES, now + timedelta(hours=24))
    assert book.reporters(1, 12, now)[2].user_id == 4242
    question = book.asked(1, 12, 2, book.reporters(1, 12, now)[2], now)
    book.sent(question, 777)
    assert book.replying_to(4242, 777, now + timedelta(hours=23)) is not None
    assert book.question(question.key, 4242, now + timedelta(hours=23)) is not None
    assert book.question(question.key, 4343, now) is None  # someone else's question
    assert book.reporters(1, 12, now + timedelta(hours=24, seconds=1)) == {}
    assert book.pending(4242, now + timedelta(hours=24, seconds=1)) == []
    assert len(book) == 0


async def test_a_question_that_never_reached_a_reporter_is_never_answered(world):
    """Their DMs are closed: the moderator is told nobody was reached, and a DM this person sends later
    (about anything) is not passed off as an answer."""
    await set_up(world)
    closed = world.guild.add_member("closed-dms", dms_open=False)
    await closed.slash("report", where="Hamline Elementary", what="two agents at the door")
    await world.settle()
    opened = await world.people["dev"].click(world.card(1), "Ask reporters")
    sent = await world.people["dev"].submit_modal(opened, {"text": "Still there?"})
    assert "No reporter" in sent.content or "can be reached" in sent.content
    await closed.send_dm_to_bot("how do I unsubscribe?")
    await asyncio.sleep(0.3)
    assert not [m for m in world.queue.messages if "how do I unsubscribe" in m.content]


def test_the_queue_listing_stays_inside_discords_message_limit_in_a_flood():
    from datetime import UTC, datetime

    from bot.features.moderation.history import queue_text
    from verification.model import Status
    from verification.ports import IncidentSummary

    at = datetime(2025, 1, 24, 17, 0, tzinfo=UTC)
    flood = [
        IncidentSummary(
            n,
            Status.UNVERIFIED,
            "Escuela Primaria Benito Juárez de la calle 26 " * 2,
            "La Villita",
            2,
            False,
            9,
            9,
            at,
            at,
            at,
            None,
        )
        for n in range(1, 61)
    ]
    for lang in Language:
        text = queue_text(flood, lang, UTC)
        assert len(text) <= 2000
        assert "#1 " in text or "#1 ·" in text or "**#1**" in text
        assert text.splitlines()[-1] != text.splitlines()[1]  # "... and N more" closes it
