"""The feed is a recipient (issue 23, section 3): it shows what was published to it, and every amendment of
an ALERT it got, whatever became of the other deliveries; a cached document is used only while nothing it
depends on has changed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser

from tests.builders import MOD_A
from tests.feed.conftest import Served
from tests.feed.world import NOW, _confirmed
from verification import usecases
from verification.model import Language

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
LATER = NOW + timedelta(minutes=1)


async def _titles(served: Served) -> list[str]:
    response = await served.client.get(f"/{served.slug}/alerts.atom")
    return [e.title for e in feedparser.parse(await response.text()).entries]


async def _cap(served: Served, alert_id: int) -> tuple[int, str]:
    response = await served.client.get(f"/{served.slug}/cap/{alert_id}.xml")
    return response.status, await response.text()


async def _ids(served: Served, number: int) -> list[int]:
    """The outbox ids of the incident's messages, oldest first."""
    rows = await served.database.db.execute_fetchall(
        "SELECT id FROM alerts WHERE community = ? AND number = ? ORDER BY id", (served.world.community.id, number)
    )
    return [r[0] for r in rows]


async def test_an_alert_whose_deliveries_all_failed_still_gets_its_retraction(served: Served) -> None:
    uow = served.database.unit_of_work()
    number = await _confirmed(uow, NOW, "whittier park", "ICE en el parque")
    await served.database.db.execute("UPDATE deliveries SET state = 'failed' WHERE number = ?", (number,))
    assert (await _titles(served))[0].startswith(f"🚨 ALERT · #{number} ")
    await usecases.debunk(uow, LATER, served.world.community.id, number, MOD_A, reason="a film crew")
    titles = await _titles(served)
    assert titles[0].startswith(f"❌ RETRACTION · #{number} ")
    assert titles[1].startswith(f"🚨 ALERT · #{number} ")
    alert, retraction = await _ids(served, number)
    status, text = await _cap(served, retraction)
    assert status == 200
    root = ET.fromstring(text)
    assert root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert f":{alert}," in (root.findtext("cap:references", namespaces=NS) or "")
    page = await (await served.client.get(f"/{served.slug}/")).text()
    assert page.index(f'id="en-{number}"') < page.index("RETRACTED: this alert was wrong.")


async def test_an_alert_retracted_before_anyone_was_told_is_cancelled_on_the_feed(served: Served) -> None:
    """Its deliveries were all cancelled, but a reader may have taken the ALERT: the Cancel follows it."""
    uow = served.database.unit_of_work()
    number = await _confirmed(uow, NOW, "whittier park", "ICE en el parque")
    [alert] = await _ids(served, number)
    assert (await _cap(served, alert))[0] == 200  # taken by a reader (and cached) while it was queued
    await usecases.debunk(uow, LATER, served.world.community.id, number, MOD_A, reason="a film crew")
    states = await served.database.db.execute_fetchall("SELECT DISTINCT state FROM deliveries WHERE number = ?",
                                                       (number,))  # fmt: skip
    assert [tuple(s) for s in states] == [("cancelled",)]
    _, retraction = await _ids(served, number)
    assert (await _cap(served, alert))[0] == 200
    status, text = await _cap(served, retraction)
    assert status == 200
    assert ET.fromstring(text).findtext("cap:msgType", namespaces=NS) == "Cancel"


async def test_amendments_made_while_the_feed_is_off_are_published_to_it(served: Served) -> None:
    uow = served.database.unit_of_work()
    community = served.world.community.id
    number = await _confirmed(uow, NOW, "whittier park", "ICE en el parque")
    await usecases.set_feed(uow, community, on=False)
    await usecases.debunk(uow, LATER, community, number, MOD_A, reason="a film crew")
    late = await _confirmed(uow, LATER, "russell elementary", "ICE en la escuela")  # while off: never published
    await usecases.set_feed(uow, community, on=True)
    titles = await _titles(served)
    assert titles[0].startswith(f"❌ RETRACTION · #{number} ")
    assert not any(f"#{late} " in t for t in titles)
    assert await uow.outbox.on_feed(community, number)
    assert not await uow.outbox.on_feed(community, late)


async def test_a_cached_document_follows_the_communitys_language_and_time_zone(served: Served) -> None:
    community = served.world.community.id
    [alert, *_] = await _ids(served, served.world.open_number)
    _, before = await _cap(served, alert)
    atom_before = await (await served.client.get(f"/{served.slug}/alerts.atom")).text()
    assert [i.findtext("cap:language", namespaces=NS) for i in ET.fromstring(before).findall("cap:info", NS)] == [
        "en-US", "es-US"]  # fmt: skip
    await usecases.configure_community(served.database.unit_of_work(), usecases.Setup(
        community, 100, 200, 300, "America/Los_Angeles", Language.ES))  # fmt: skip
    _, after = await _cap(served, alert)
    infos = ET.fromstring(after).findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["es-US", "en-US"]
    assert "PST" in (infos[1].findtext("cap:description", namespaces=NS) or "")
    atom = await served.client.get(f"/{served.slug}/alerts.atom")
    assert 'xml:lang="es"' in await atom.text()
    assert atom_before != await atom.text()


async def test_a_new_version_of_a_document_replaces_the_cached_one(served: Served) -> None:
    """Found in review: documents were cached by version, so every message published left its community's
    Atom feed, page and CAP documents behind (up to a megabyte each) until a thousand had piled up."""
    uow = served.database.unit_of_work()
    [alert, *_] = await _ids(served, served.world.open_number)
    for minutes in range(1, 6):
        await _titles(served)
        await served.client.get(f"/{served.slug}/")
        await _cap(served, alert)
        await _confirmed(uow, NOW + timedelta(minutes=minutes), f"{30 + minutes}th St & S Pulaski Rd", "ICE")
    await _titles(served)
    assert len(served.server.cache) == 3  # the Atom feed, the page and the one CAP document asked for
