"""One published message as a CAP 1.2 document (OASIS Common Alerting Protocol), in both languages.

status Actual, scope Public; msgType Alert, Update or Cancel (a retraction), with `references`
naming the ALERT an amendment amends as "sender,identifier,sent". One `info` per language, with the
category, event, urgency, severity and certainty of the status the message froze, the headline and
the text subscribers read (with its attribution), and the area and place as they saw them. Times are
CAP's: whole seconds, and "+00:00" rather than "Z".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from bot.core.i18n import t
from bot.core.safe import cut
from bot.feed.links import Links
from bot.feed.text import message_lines, place_shown, xml_text
from verification.community import Community
from verification.model import Language
from verification.public_feed import CATEGORY, Published, cap_terms

NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml; charset=utf-8"
LOCALES = {Language.EN: "en-US", Language.ES: "es-US"}
HEADLINE_LIMIT = 160  # CAP asks for headlines short enough for a text message


def cap_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sender(slug: str) -> str:
    return f"veraz:{slug}"


def identifier(slug: str, alert_id: int) -> str:
    return f"veraz:{slug}:{alert_id}"


def _add(parent: ET.Element, name: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, name)
    child.text = xml_text(text)
    return child


def cap_document(published: Published, community: Community, links: Links) -> bytes:
    message = published.message
    terms = cap_terms(message)
    alert = ET.Element("alert", {"xmlns": NS})  # plain names: no namespace prefix on every element
    _add(alert, "identifier", identifier(links.slug, published.id))
    _add(alert, "sender", sender(links.slug))
    _add(alert, "sent", cap_time(message.at))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", terms.msg_type.value)
    _add(alert, "scope", "Public")
    if published.amends_id is not None and published.amends_at is not None:
        amended = f"{sender(links.slug)},{identifier(links.slug, published.amends_id)},{cap_time(published.amends_at)}"
        _add(alert, "references", amended)
    _add(alert, "incidents", f"veraz:{links.slug}:incident:{message.number}")
    for lang in (community.language, *(x for x in Language if x is not community.language)):
        lines = message_lines(message, lang, community.zone, community.id)
        info = ET.SubElement(alert, "info")
        _add(info, "language", LOCALES[lang])
        _add(info, "category", CATEGORY)
        _add(info, "event", t(lang, "feed.event"))
        _add(info, "urgency", terms.urgency.value)
        _add(info, "severity", terms.severity.value)
        _add(info, "certainty", terms.certainty.value)
        _add(info, "senderName", t(lang, "feed.sender"))
        _add(info, "headline", cut(lines[0], HEADLINE_LIMIT))
        _add(info, "description", "\n".join(lines[1:]))
        _add(info, "web", links.page)
        area = ET.SubElement(info, "area")
        _add(area, "areaDesc", place_shown(message, lang))
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)
