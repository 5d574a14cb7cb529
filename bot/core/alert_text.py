"""What subscribers read: ALERT, UPDATE, CORRECTION, RETRACTION, ALL CLEAR, in their language.

Each message names its kind in its first line, then the incident number, the place and area, the
observed time in the community's zone, and who said what and when. It describes an event at a place
and time: never individual agents, never private people, never what reporters saw of vehicles or
uniforms (that stays with moderators).
"""

from __future__ import annotations

import hashlib
import re
from datetime import tzinfo

from bot.core import words
from bot.core.i18n import t
from bot.core.safe import DISCORD_CONTENT_LIMIT, cut
from intake.time import ObservedTime
from verification.alerts import AlertFacts, AlertKind, AlertMessage
from verification.incident import MODERATOR_AND_STATEMENT, AttachedStatement
from verification.model import Language, PlaceKind, Status


def reference(community: int, number: int, seq: int) -> str:
    """A short tag each message carries, so the worker can find a send it is unsure of in DM history.

    "12.3.k4f9w2a": incident, message, and a tag of the community (a person's DMs with Veraz are shared
    by every server they subscribe in).
    """
    digest = int.from_bytes(hashlib.blake2b(str(community).encode(), digest_size=5).digest(), "big")
    tag = ""
    while digest:
        digest, digit = divmod(digest, 36)
        tag = _BASE36[digit] + tag
    return f"{number}.{seq}.{tag or '0'}"


def carries(content: str, ref: str) -> bool:
    """Whether a message carries exactly this reference (12.3.x never matches 12.3.xy)."""
    return re.search(rf"\bref {re.escape(ref)}$", content, re.MULTILINE) is not None


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def render_alert(message: AlertMessage, lang: Language, zone: tzinfo, *, community: int, direct: bool) -> str:
    """The whole message text. `direct`: a DM (ends with how to unsubscribe) rather than a channel post."""
    f = message.facts
    head = [
        t(lang, "alert.title", kind=t(lang, f"alert.kind.{message.kind.value}"), number=f.number,
          place=words.place_of(f, lang)),
    ]  # fmt: skip
    body = _body(message, lang, zone)
    foot = []
    if message.kind is AlertKind.ALERT:
        foot.append(t(lang, "alert.rights"))
    else:
        foot.append(t(lang, "alert.amends", when=words.moment(f.confirmed_at or message.at, zone, lang)))
    if direct:
        foot.append(t(lang, "alert.unsubscribe"))
    foot.append(t(lang, "alert.reference", ref=reference(community, message.number, message.seq)))
    return compose(head, body, foot)


def _body(message: AlertMessage, lang: Language, zone: tzinfo) -> list[str]:
    f = message.facts
    change = words.written(f.change, f.change_es, lang, 600)
    lines: list[str] = []
    if message.kind is AlertKind.ALERT:
        lines += _event(f, lang, zone)
        lines.append(_basis(f, lang))
        lines += _statements(f.statements, lang, zone)
    elif message.kind is AlertKind.UPDATE:
        if f.change_statement is not None:
            lines.append(t(lang, "alert.update.statement"))
            lines.append(_statement(f.change_statement, lang, zone))
        else:
            lines.append(t(lang, "alert.update.detail", text=change))
        if f.contested:
            lines.append(t(lang, "alert.contested"))
            lines += _statements(f.statements, lang, zone)
    elif message.kind is AlertKind.CORRECTION:
        if f.status is Status.MISIDENTIFIED:
            lines.append(t(lang, "alert.misidentified"))
        lines.append(t(lang, "alert.correction.text", text=change))
        if f.status is Status.MISIDENTIFIED and f.established_agency is not None:
            lines.append(t(lang, "alert.established", agency=words.agency(f.established_agency, lang)))
        # What follows is what subscribers were told before: labelled, so that nobody reads the old
        # place or agency as the correction.
        lines.append(t(lang, "alert.as_amended" if f.amended_facts else "alert.original"))
        lines += _event(f, lang, zone)
        lines += _statements(f.statements, lang, zone)
    elif message.kind is AlertKind.RETRACTION:
        lines.append(t(lang, "alert.retraction", reason=change))
        lines += _statements(f.statements, lang, zone)
    else:
        lines.append(t(lang, "alert.all_clear"))
        if change:
            lines.append(t(lang, "alert.note", text=change))
    return lines


def _event(f: AlertFacts, lang: Language, zone: tzinfo) -> list[str]:
    """The sighting as labelled facts, one a line: a place, a date or a number is never dropped into the
    middle of a sentence, where each language would need its own articles around it."""
    place = words.place_name(f.place, f.block, lang)
    if f.place_kind is not PlaceKind.OTHER:
        place = t(lang, "alert.place_with_kind", place=place, kind=words.place_kind(f.place_kind, lang))
    seen = f.observed if f.observed is not None else ObservedTime.exact(f.observed_at)
    lines = [
        t(lang, "alert.event"),
        t(lang, "alert.event.place", place=place),
        t(lang, "alert.event.time", when=words.observed(seen, zone, lang)),
    ]
    if f.agencies_named:
        named = ", ".join(words.agency(a, lang) for a in f.agencies_named[:2])
        lines.append(t(lang, "alert.event.named", agency=named))
    else:
        lines.append(t(lang, "alert.event.unnamed"))
    return lines


def _basis(f: AlertFacts, lang: Language) -> str:
    if f.confirmation_basis == MODERATOR_AND_STATEMENT and f.confirmation_source:
        return t(lang, "alert.basis.statement", source=words.source(f.confirmation_source, lang))
    return t(lang, "alert.basis.moderators")


def _statements(statements: tuple[AttachedStatement, ...], lang: Language, zone: tzinfo) -> list[str]:
    if not statements:
        return []
    return [t(lang, "alert.sources"), *(_statement(s, lang, zone) for s in statements)]


def _statement(attached: AttachedStatement, lang: Language, zone: tzinfo) -> str:
    s = attached.statement
    params = {
        "source": words.source(s.source, lang),
        "source_kind": words.source_kind(s.source_kind, lang),
        "stance": words.stance(s.stance, lang),
        "time": words.at_hour(s.published, zone, lang),
    }
    quote = words.written(s.quote or "", s.quote_es, lang, 300, quoted=True)
    line = t(lang, "alert.statement.quote", quote=quote, **params) if quote else t(lang, "alert.statement", **params)
    if s.url:
        # A link a moderator attached, shown as a plain address: never masked, never previewed.
        line += " " + t(lang, "alert.statement.link", url=cut(s.url, 300))
    return line


def compose(head: list[str], body: list[str], foot: list[str], limit: int = DISCORD_CONTENT_LIMIT) -> str:
    """Head and foot always stay; body lines are dropped from the end, with a mark, until all fits."""
    kept = list(body)

    def size(lines: list[str]) -> int:
        return len("\n".join([*head, *lines, *foot]))

    truncated = False
    while kept and size([*kept, "…"] if truncated else kept) > limit:
        kept.pop()
        truncated = True
    if truncated:
        kept.append("…")
    return cut("\n".join([*head, *kept, *foot]), limit)
