"""Any text, in any field a message carries, through every feed writer (issue 23, section 6): Atom and CAP
parse back as XML, the page decodes and holds no character XML or HTML cannot carry. A statement URL with
U+FFFE once made the whole Atom feed and its CAP documents malformed, and a lone surrogate answered 500."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feed.atom import atom_feed
from bot.feed.cap import cap_document
from bot.feed.links import Links
from bot.feed.page import page
from bot.feed.text import xml_text
from tests.feed.conftest import Served
from verification.alerts import AlertFacts, AlertKind, AlertMessage
from verification.community import Community
from verification.incident import AttachedStatement, Note
from verification.model import Language, PlaceKind, SourceKind, Stance, Statement, Status
from verification.public_feed import FeedIncident, Published

AT = datetime(2025, 1, 24, 16, 50, tzinfo=UTC)
LINKS = Links("https://alerts.example.org", "abcdefghijkmnpqr")
# What broke the feed, and its neighbours, drawn often; then anything at all, lone surrogates included.
UNFIT = ["\ufffe", "\uffff", "\ud800", "\udfff", "\x00", "\x08", "\x1b", "\x85", "\ufdd0", "\U0001fffe", "\ue000"]
TEXT = st.text(st.one_of(st.sampled_from(UNFIT), st.characters(exclude_categories=())), max_size=40)


def _message(kind: AlertKind, texts: list[str]) -> AlertMessage:
    place, area, source, url, quote, note, change, basis = texts
    statement = AttachedStatement(Statement(source, SourceKind.NEWS, Stance.DENIES, AT, url, quote), "m", AT)
    facts = AlertFacts(
        number=7, status=Status.DEBUNKED if kind is AlertKind.RETRACTION else Status.CONFIRMED, place=place,
        area=area, place_kind=PlaceKind.OTHER, block=None, observed_at=AT - timedelta(minutes=5),
        agencies_named=(), people=2, reporter_count=2, contested=False, confirmed_at=AT, confirmation_basis=basis,
        confirmation_source=source, established_agency=None, statements=(statement,),
        corrections=(Note(note, "m", AT),), updates=(Note(note, "m", AT),), change=change, change_statement=statement,
    )  # fmt: skip
    return AlertMessage(2, kind, 7, 3, AT, None if kind is AlertKind.ALERT else 1, facts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(AlertKind), texts=st.lists(TEXT, min_size=8, max_size=8), spanish=st.booleans())
def test_any_text_through_every_writer_is_well_formed(kind: AlertKind, texts: list[str], spanish: bool) -> None:
    community = Community(1, "America/Chicago", Language.ES if spanish else Language.EN, feed=True,
                          feed_slug=LINKS.slug)  # fmt: skip
    published = Published(5, _message(kind, texts), None if kind is AlertKind.ALERT else 4, AT)
    ET.fromstring(atom_feed([published], community, LINKS))
    ET.fromstring(cap_document(published, community, LINKS))
    html = page([FeedIncident(7, True, published)], community, LINKS, AT).decode("utf-8")
    assert xml_text(html) == html
    HTMLParser().feed(html)


def test_xml_text_keeps_what_xml_carries() -> None:
    kept = "Tab\tline\nÑandú 2400 🚨 \u200b\ue000 \U0010fffd"
    assert xml_text(kept) == kept
    assert xml_text("a\ufffeb\ud800c\x00d\x85e\ufdd0f\U0001ffffg") == "abcdefg"


async def test_a_stored_link_with_a_noncharacter_answers_200_with_well_formed_documents(served: Served) -> None:
    """Links kept before statement links refused them: every response still parses, none is a 500."""
    rows = await served.database.db.execute_fetchall("SELECT id, payload FROM alerts WHERE feed_at IS NOT NULL")
    for alert_id, payload in rows:
        record = json.loads(payload)
        record["facts"]["statements"].append({"statement": {
            "source": "CPS \udc80", "source_kind": "news", "stance": "denies", "published": AT.isoformat(),
            "url": "https://cps.edu/\ufffe\udc80\x01", "quote": "\ud800"}, "attached_by": "m",
            "attached_at": AT.isoformat()})  # fmt: skip
        await served.database.db.execute("UPDATE alerts SET payload = ? WHERE id = ?", (json.dumps(record), alert_id))
    atom = await served.client.get(f"/{served.slug}/alerts.atom")
    assert atom.status == 200
    ET.fromstring(await atom.read())
    for alert_id, _ in rows:
        cap = await served.client.get(f"/{served.slug}/cap/{alert_id}.xml")
        assert cap.status == 200
        ET.fromstring(await cap.read())
    assert (await served.client.get(f"/{served.slug}/")).status == 200
