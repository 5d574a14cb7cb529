"""The moderators' queue card: one per incident, edited in place as reports, statements and votes arrive.

A card is built as a plain `Card` value; the adapter turns it into a Discord embed and the demo prints
it as text. Moderators see report text as reported (escaped) while it is retained; reporters appear
only as numbers (reporter 1, 2, ...), never by name or id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from bot.core import photo_text, words
from bot.core.i18n import ago, t, tn
from bot.core.safe import user_text
from intake.time import ObservedTime
from verification.events import Confirmed
from verification.incident import AttachedStatement, Incident
from verification.model import Language, Status
from verification.photos import StoredPhoto
from verification.ports import StoredReport

COLOURS = {
    Status.UNVERIFIED: 0xF1C40F,
    Status.CONFIRMED: 0xE74C3C,
    Status.RESOLVED: 0x2ECC71,
    Status.DEBUNKED: 0x95A5A6,
    Status.MISIDENTIFIED: 0xE67E22,
    Status.EXPIRED: 0x95A5A6,
}
MAX_REPORTS_SHOWN = 5
MAX_PHOTOS_SHOWN = 6


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    description: str
    colour: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""

    def as_text(self) -> str:
        lines = [self.title, self.description]
        lines += [f"{name}: {value}" for name, value in self.fields]
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)


def card(
    incident: Incident,
    reports: tuple[StoredReport, ...],
    lang: Language,
    zone: tzinfo,
    now: datetime,
    photos: tuple[StoredPhoto, ...] = (),
) -> Card:
    status_line = [words.status(incident.status, lang)]
    if incident.contested:
        status_line.append(t(lang, "card.contested"))
    if incident.merged_into is not None:
        status_line.append(t(lang, "card.merged_into", number=incident.merged_into))
    status_line.append(t(lang, "card.priority", priority=t(lang, f"priority.{int(incident.priority)}")))
    status_line.append(words.place_kind(incident.place.kind, lang))
    description = " · ".join(status_line)
    if incident.status is Status.UNVERIFIED:
        description += "\n" + t(lang, "card.not_shared")
    if incident.place_unapproved:
        description += "\n" + t(lang, "card.place_unapproved")
        if incident.place.suggested:
            description += " " + t(lang, "card.place_suggested", place=user_text(incident.place.suggested, 100))
    if incident.confirmation_withdrawn or incident.confirmation_lapsed:
        description += "\n" + t(lang, "card.confirmation_withdrawn")
    if incident.confirmation_blocked:
        description += "\n" + t(lang, "card.confirmation_blocked")
    if incident.later_reports:
        description += "\n" + tn(lang, "card.later_reports", len(incident.later_reports))
    if incident.escalated_at is not None and incident.status is Status.UNVERIFIED:
        description += "\n" + t(lang, "card.escalated", time=words.at_hour(incident.escalated_at, zone, lang))
    if incident.page_refused_at is not None and incident.status is Status.UNVERIFIED:
        refused = words.at_hour(incident.page_refused_at, zone, lang)
        description += "\n" + t(lang, "card.page_refused", time=refused)
    visit = _visit_line(incident, lang)
    if visit:
        description += "\n" + visit

    low = len({r.reporter for r in incident.reports if r.low_trust})
    reporters = " · ".join([
        tn(lang, "card.reporters", incident.reporter_count, established=incident.established_reporter_count),
        tn(lang, "card.report_count", len(incident.reports)),
        *([tn(lang, "card.low_trust", low)] if low else []),
    ])  # fmt: skip
    seen_at = f"{words.observed(incident.observed_time, zone, lang)} ({ago(incident.first_observed, now, lang)})"
    fields = [(t(lang, "card.observed"), seen_at), (t(lang, "card.reports"), reporters)]
    named = incident.agencies_named
    fields.append((t(lang, "card.agency_named"), ", ".join(words.agency(a, lang) for a in named) or "—"))
    if incident.established_agency is not None:
        fields.append((t(lang, "card.agency_established"), words.agency(incident.established_agency, lang)))
    seen = _reports(reports, {r.report_id: r.observed_time for r in incident.reports}, lang, zone)
    if seen:
        fields.append((t(lang, "card.what_was_seen"), seen))
    if photos:  # the photos themselves are replies to the card, in this private channel only
        fields.append((t(lang, "card.photos"), photo_text.lines(photos[-MAX_PHOTOS_SHOWN:], lang, zone)))
    if incident.statements:
        fields.append(
            (t(lang, "card.statements"), "\n".join(_statement_line(s, lang, zone) for s in incident.statements))
        )
    if incident.resembles and incident.merged_into is None:
        lines = [
            t(
                lang,
                f"card.resembles.{r.reason}",
                number=r.number,
                place=user_text(r.label, 60),
                minutes=r.minutes_apart,
            )
            for r in incident.resembles[:5]
        ]
        fields.append((t(lang, "card.resembles"), "\n".join(lines)))
    fields.append((t(lang, "card.votes"), _votes(incident, lang)))
    if incident.corrections or incident.updates:
        notes = [
            t(lang, "card.correction", text=words.written(n.text, n.text_es, lang, 200)) for n in incident.corrections
        ]
        notes += [t(lang, "card.update", text=words.written(n.text, n.text_es, lang, 200)) for n in incident.updates]
        fields.append((t(lang, "card.notes"), "\n".join(notes)))
    corrected = {n.text for n in incident.corrections}
    if incident.status is Status.EXPIRED:
        fields.append((t(lang, "card.closing"), t(lang, "card.expired")))
    elif incident.closing is not None and incident.closing.text and incident.closing.text not in corrected:
        closing = incident.closing
        fields.append((t(lang, "card.closing"), words.written(closing.text, closing.text_es, lang, 300)))
    title = t(lang, "card.title", number=incident.number, place=words.place_of(incident.place, lang))
    footer = t(lang, "card.footer", number=incident.number)
    return Card(title, description, COLOURS[incident.status], [(n, v[:1024]) for n, v in fields], footer)


def _reports(reports: tuple[StoredReport, ...], times: dict[int, ObservedTime], lang: Language, zone: tzinfo) -> str:
    lines = []
    for r in reports[-MAX_REPORTS_SHOWN:]:
        if r.what is None:
            lines.append(t(lang, "card.report_purged", reporter=r.ordinal))
            continue
        seen = times.get(r.id) or ObservedTime.exact(r.observed_at)
        text = t(lang, "card.report_line", reporter=r.ordinal, time=words.observed(seen, zone, lang, short=True),
                 where=user_text(r.where, 60), what=user_text(r.what, 120))  # fmt: skip
        if r.markings:
            text += " " + t(lang, "card.markings", markings=user_text(r.markings, 80))
        if r.low_trust:
            text += " " + t(lang, "card.low_trust_mark")
        lines.append(text)
    hidden = len(reports) - MAX_REPORTS_SHOWN
    if hidden > 0:
        lines.append(tn(lang, "card.more_reports", hidden))
    return "\n".join(lines)


def _statement_line(attached: AttachedStatement, lang: Language, zone: tzinfo) -> str:
    s = attached.statement
    line = t(lang, "card.statement", source=words.source(s.source, lang, 80), stance=words.stance(s.stance, lang),
             source_kind=words.source_kind(s.source_kind, lang),
             time=words.at_hour(s.published, zone, lang))  # fmt: skip
    quote = words.written(s.quote or "", s.quote_es, lang, 150, quoted=True)
    if quote:
        line += " " + quote
    return line


def _visit_line(incident: Incident, lang: Language) -> str:
    visit = incident.visit
    if visit is None:
        return ""
    if visit.answer is not None:
        return t(lang, "card.visit.answered", answer=words.stance(visit.answer, lang))
    if visit.claimed_by is not None:
        return t(lang, "card.visit.on_the_way", verifier=_mention(visit.claimed_by))
    return t(lang, "card.visit.requested")


def _votes(incident: Incident, lang: Language) -> str:
    confirmed = next((e for e in reversed(incident.history) if isinstance(e, Confirmed)), None)
    if incident.status is not Status.UNVERIFIED and confirmed is not None:
        by = ", ".join(_mention(v) for v in confirmed.voters)
        if confirmed.source:
            return t(lang, "card.confirmed_with_statement", voters=by, source=words.source(confirmed.source, lang, 80))
        return t(lang, "card.confirmed_by", voters=by)
    if not incident.votes:
        return t(lang, "card.no_votes")
    return t(lang, "card.voted", voters=", ".join(_mention(v) for v in incident.votes))


def _mention(actor: str) -> str:
    """A moderator as a mention: in an embed it shows the name and pings nobody."""
    kind, _, ident = actor.partition(":")
    return f"<@{ident}>" if kind in ("mod", "verifier") and ident.isdigit() else user_text(actor, 40)
