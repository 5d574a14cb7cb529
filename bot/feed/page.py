"""The community's page: confirmed incidents open now and those of the past 7 days, in both languages.

Plain HTML that reads on a small phone over a slow connection: no script, no font, no image, no
tracker, one small stylesheet allowed by its hash in the Content-Security-Policy. Each incident shows
its latest message as subscribers read it; a retracted one says so first, in red, on grey.

The words carry the meaning; the icon before a headline ("🚨 ALERT", "❌ RETRACTION") only adds to them.
Where no emoji font is installed it shows as an empty box, so it is hidden from screen readers, and
the word after it always says the same.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from html import escape

from bot.core.i18n import t, when
from bot.feed.links import Links
from bot.feed.text import message_lines, xml_text
from verification.alerts import AlertKind
from verification.community import Community
from verification.model import Language
from verification.public_feed import FeedIncident

CONTENT_TYPE = "text/html; charset=utf-8"
STYLE = (
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:0 1rem 2rem;color:#111;"
    "background:#fff}h1{font-size:1.4rem;margin:1rem 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}"
    "nav{margin:.75rem 0}nav a{margin-right:1rem}article{border:1px solid #ccc;border-radius:.5rem;"
    "padding:.5rem .75rem;margin:.5rem 0}article.open{border:2px solid #b00020}"
    "article.retracted{border-color:#888;background:#f4f4f4}.retracted-mark{font-weight:bold;"
    "color:#b00020}h3{font-size:1rem;margin:.25rem 0}p{margin:.25rem 0}.small{font-size:.85rem;color:#444}"
    "section+section{border-top:3px solid #111;margin-top:2rem}"
)
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src '{STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


# A headline's first token when it holds no letter or digit: the kind's icon.
_ICON = re.compile(r"^([^\w\s]+)\s+")


def _text(text: str) -> str:
    return escape(xml_text(text))


def _headline(line: str) -> str:
    icon = _ICON.match(line)
    if icon is None:
        return _text(line)
    return f'<span aria-hidden="true">{_text(icon.group(1))}</span> {_text(line[icon.end() :])}'


def _incident(item: FeedIncident, community: Community, lang: Language, links: Links) -> str:
    message = item.latest.message
    lines = message_lines(message, lang, community.zone, community.id)
    retracted = message.kind is AlertKind.RETRACTION
    classes = "open" if item.open else ("retracted" if retracted else "closed")
    mark = f'<p class="retracted-mark">{_text(t(lang, "feed.retracted"))}</p>' if retracted else ""
    body = "".join(f"<p>{_text(line)}</p>" for line in lines[1:])
    cap = f'<a href="{_text(links.cap(item.latest.id))}">{_text(t(lang, "feed.cap"))}</a>'
    return (
        f'<article class="{classes}" id="{lang.value}-{item.number}"><h3>{_headline(lines[0])}</h3>{mark}'
        f'<div class="body">{body}</div><p class="small">{cap}</p></article>'
    )


def _section(
    incidents: Sequence[FeedIncident], community: Community, lang: Language, links: Links, now: datetime
) -> str:
    open_now = [i for i in incidents if i.open]
    past = [i for i in incidents if not i.open]
    parts = [
        f'<section lang="{lang.value}" id="{lang.value}"><h1>{_text(t(lang, "feed.title"))}</h1>',
        f'<p class="small">{_text(t(lang, "feed.about", zone=community.timezone))}</p>',
        f"<h2>{_text(t(lang, 'feed.open_now'))}</h2>",
        "".join(_incident(i, community, lang, links) for i in open_now) or f"<p>{_text(t(lang, 'feed.none_open'))}</p>",
        f"<h2>{_text(t(lang, 'feed.past_week'))}</h2>",
        "".join(_incident(i, community, lang, links) for i in past) or f"<p>{_text(t(lang, 'feed.none_past'))}</p>",
        f'<p class="small">{_text(t(lang, "feed.links", atom=links.atom))}</p>',
        f'<p class="small">{_text(t(lang, "feed.updated", when=when(now, community.zone, lang)))}</p>',
        "</section>",
    ]
    return "".join(parts)


def page(incidents: Sequence[FeedIncident], community: Community, links: Links, now: datetime) -> bytes:
    first = community.language
    order = (first, *(x for x in Language if x is not first))
    nav = "".join(f'<a href="#{x.value}" hreflang="{x.value}">{_text(t(x, f"language.{x.value}"))}</a>' for x in order)
    sections = "".join(_section(incidents, community, x, links, now) for x in order)
    html = (
        f'<!doctype html><html lang="{first.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">'
        f"<title>{_text(t(first, 'feed.title'))} · {_text(t(order[1], 'feed.title'))}</title>"
        f'<link rel="alternate" type="application/atom+xml" href="{_text(links.atom)}">'
        f"<style>{STYLE}</style></head><body><nav>{nav}</nav>{sections}</body></html>"
    )
    return html.encode()
