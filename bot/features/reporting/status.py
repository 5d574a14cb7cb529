"""/status: what anyone may know about an incident. Confirmed facts only; never reporter text."""

from __future__ import annotations

from datetime import tzinfo

from bot.core import words
from bot.core.i18n import t
from intake.time import ObservedTime
from verification.incident import Incident
from verification.model import Language, Status


def public_status(incident: Incident, lang: Language, zone: tzinfo) -> str:
    number = incident.number
    if incident.merged_into is not None:
        return t(lang, "status.merged", number=number, into=incident.merged_into)
    if not incident.was_confirmed:
        # Never confirmed: not even the place is repeated, so /status cannot spread a rumour.
        key = "status.under_review" if incident.status is Status.UNVERIFIED else "status.closed_unconfirmed"
        return t(lang, key, number=number)
    # What subscribers were told, frozen at confirmation: later reports never change it.
    facts = incident.confirmed_facts
    place = words.place_of(facts.place if facts is not None else incident.place, lang)
    seen = facts.observed if facts is not None and facts.observed is not None else None
    if seen is None:
        seen = ObservedTime.exact(facts.observed_at) if facts is not None else incident.observed_time
    when = words.observed(seen, zone, lang)
    lines = [t(lang, "status.title", number=number, place=place, status=words.status(incident.status, lang))]
    lines.append(t(lang, "status.observed", when=when))
    if incident.status is Status.UNVERIFIED:
        lines.append(t(lang, "status.reopened"))
    if incident.contested:
        lines.append(t(lang, "alert.contested"))
    for attached in incident.statements:
        s = attached.statement
        lines.append(t(lang, "alert.statement", source=words.source(s.source, lang),
                       source_kind=words.source_kind(s.source_kind, lang), stance=words.stance(s.stance, lang),
                       time=words.at_hour(s.published, zone, lang)))  # fmt: skip
    for note in incident.corrections:
        lines.append(t(lang, "alert.correction.text", text=words.written(note.text, note.text_es, lang, 400)))
    if incident.status is Status.DEBUNKED and incident.closing is not None:
        closing = incident.closing
        lines.append(t(lang, "alert.retraction", reason=words.written(closing.text, closing.text_es, lang, 400)))
    return "\n".join(lines)
