"""The community's last messages as an Atom 1.0 feed, newest first, each linking to its CAP document.

Entries are in the community's language (the page and each CAP document carry both). An entry's id
is a URN of the feed's slug and the message, so it stays the same if the public address changes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core.i18n import t
from bot.feed.cap import CONTENT_TYPE as CAP_TYPE
from bot.feed.links import Links
from bot.feed.text import message_lines, xml_text
from verification.community import Community
from verification.public_feed import Published

NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, name, {key: xml_text(value) for key, value in attributes.items()})
    child.text = None if text is None else xml_text(text)
    return child


def atom_feed(messages: Sequence[Published], community: Community, links: Links) -> bytes:
    lang = community.language
    # Plain names and a literal xmlns: ElementTree's own namespacing would prefix every element.
    feed = ET.Element("feed", {"xmlns": NS, "{http://www.w3.org/XML/1998/namespace}lang": lang.value})
    _add(feed, "id", f"urn:veraz:{links.slug}")
    _add(feed, "title", t(lang, "feed.atom_title"))
    _add(feed, "updated", atom_time(max((p.message.at for p in messages), default=_EPOCH)))
    _add(feed, "link", rel="self", type="application/atom+xml", href=links.atom)
    _add(feed, "link", rel="alternate", type="text/html", href=links.page)
    author = _add(feed, "author")
    _add(author, "name", t(lang, "feed.sender"))
    for published in messages:
        lines = message_lines(published.message, lang, community.zone, community.id)
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:veraz:{links.slug}:{published.id}")
        _add(entry, "title", lines[0])
        _add(entry, "updated", atom_time(published.message.at))
        _add(entry, "published", atom_time(published.message.at))
        _add(entry, "category", term=published.message.kind.value)
        _add(entry, "link", rel="alternate", type=CAP_TYPE.split(";")[0], href=links.cap(published.id))
        _add(entry, "content", "\n".join(lines[1:]), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
