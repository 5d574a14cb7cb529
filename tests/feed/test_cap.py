"""Every CAP document the feed serves: valid against the OASIS CAP 1.2 schema, and saying the right thing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.feed.conftest import Served
from tests.feed.world import SECRETS
from verification.alerts import AlertKind

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "cap" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


async def _documents(served: Served) -> dict[int, tuple[AlertKind, str]]:
    published = await served.server.source.published(served.world.community.id)
    found = {}
    for p in published:
        response = await served.client.get(f"/{served.slug}/cap/{p.id}.xml")
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/cap+xml; charset=utf-8"
        found[p.id] = (p.message.kind, await response.text())
    return found


async def test_every_document_is_valid_cap_1_2(served: Served) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"the OASIS CAP 1.2 schema is not at {SCHEMA} (it is kept outside the project)")
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(SCHEMA))
    documents = await _documents(served)
    assert {kind for kind, _ in documents.values()} == set(AlertKind)
    for _, text in documents.values():
        schema.validate(text)


async def test_message_types_references_times_and_both_languages(served: Served) -> None:
    documents = await _documents(served)
    ids = {kind: [i for i, (k, _) in documents.items() if k is kind] for kind in AlertKind}
    for alert_id, (kind, text) in documents.items():
        root = ET.fromstring(text)
        assert root.findtext("cap:status", namespaces=NS) == "Actual"
        assert root.findtext("cap:scope", namespaces=NS) == "Public"
        assert CAP_TIME.match(root.findtext("cap:sent", namespaces=NS) or "")
        expected = {AlertKind.ALERT: "Alert", AlertKind.RETRACTION: "Cancel"}.get(kind, "Update")
        assert root.findtext("cap:msgType", namespaces=NS) == expected
        references = root.findtext("cap:references", namespaces=NS)
        if kind is AlertKind.ALERT:
            assert references is None
        else:
            sender, identifier, sent = (references or "").split(",")
            assert sender == root.findtext("cap:sender", namespaces=NS)
            assert int(identifier.rsplit(":", 1)[1]) in ids[AlertKind.ALERT]
            assert int(identifier.rsplit(":", 1)[1]) < alert_id
            assert CAP_TIME.match(sent)
        infos = root.findall("cap:info", NS)
        assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["en-US", "es-US"]
        for info in infos:
            assert info.findtext("cap:category", namespaces=NS) == "Security"
            assert info.findtext("cap:area/cap:areaDesc", namespaces=NS)
            assert len(info.findtext("cap:headline", namespaces=NS) or "") <= 160
        for secret in SECRETS:
            assert secret not in text


async def test_a_retraction_is_a_cancel_of_the_alert_it_withdraws(served: Served) -> None:
    documents = await _documents(served)
    [text] = [text for kind, text in documents.values() if kind is AlertKind.RETRACTION]
    root = ET.fromstring(text)
    assert root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    en, es = root.findall("cap:info", NS)
    assert en.findtext("cap:certainty", namespaces=NS) == "Unlikely"
    assert en.findtext("cap:urgency", namespaces=NS) == "Past"
    assert "withdrawn" in (en.findtext("cap:description", namespaces=NS) or "")
    assert "Esta alerta estaba equivocada" in (es.findtext("cap:description", namespaces=NS) or "")
    assert "Era una inspección de la ciudad" in (en.findtext("cap:description", namespaces=NS) or "")


async def test_a_home_is_only_ever_its_block(served: Served) -> None:
    documents = await _documents(served)
    texts = [text for _, text in documents.values() if "Wolcott" in text]
    assert texts
    for text in texts:
        root = ET.fromstring(text)
        en, es = root.findall("cap:info", NS)
        assert en.findtext("cap:area/cap:areaDesc", namespaces=NS) == "2400 block of S Wolcott Ave"
        assert es.findtext("cap:area/cap:areaDesc", namespaces=NS) == "cuadra 2400 de S Wolcott Ave"
        assert "2417" not in text


async def test_a_message_of_another_community_or_never_sent_is_not_found(served: Served) -> None:
    shown = {p.id for p in await served.server.source.published(served.world.community.id)}
    hidden = next(i for i in range(1, max(shown) + 2) if i not in shown)
    missing = await served.client.get(f"/{served.slug}/cap/{hidden}.xml")
    assert missing.status == 404


async def test_a_message_number_in_other_scripts_digits_is_not_an_address(served: Served) -> None:
    """Found in review of issue 23: `\\d` took Arabic-Indic digits, so one document had many addresses."""
    shown = min(p.id for p in await served.server.source.published(served.world.community.id))
    assert (await served.client.get(f"/{served.slug}/cap/{shown}.xml")).status == 200
    arabic = "".join(chr(0x0660 + int(d)) for d in str(shown))
    assert (await served.client.get(f"/{served.slug}/cap/{arabic}.xml")).status == 404
