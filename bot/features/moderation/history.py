"""What moderators read in /incident show, /incident queue and /incident deliveries."""

from __future__ import annotations

from datetime import datetime, tzinfo

import discord

from bot.core import words
from bot.core.i18n import t, tn
from bot.core.incident_card import card
from bot.core.safe import user_text
from verification.events import (
    Confirmed,
    ConfirmVote,
    IncidentEvent,
    Merged,
    Misidentified,
    PlaceChanged,
    ReportAdded,
    Reported,
    ReportTimed,
    Resembles,
    StatementAttached,
)
from verification.model import Language
from verification.ports import DeliveryCounts, DeliveryRecord, IncidentSummary
from verification.usecases import IncidentView

MAX_HISTORY_LINES = 40


def incident_embed(view: IncidentView, lang: Language, zone: tzinfo, now: datetime) -> discord.Embed:
    """The card, followed by the whole history: who did what, when, and why."""
    shown = card(view.incident, view.reports, lang, zone, now, view.photos)
    lines = [_event_line(e, lang, zone) for e in view.incident.history]
    if len(lines) > MAX_HISTORY_LINES:
        hidden = len(lines) - MAX_HISTORY_LINES
        lines = [tn(lang, "history.earlier", hidden), *lines[-MAX_HISTORY_LINES:]]
    history = "\n".join(lines)
    while len(history) > 3500:
        lines.pop(1)
        history = "\n".join(lines)
    embed = discord.Embed(title=shown.title[:256], description=f"{shown.description}\n\n{history}"[:4096],
                          colour=shown.colour)  # fmt: skip
    for name, value in shown.fields[:20]:
        embed.add_field(name=name[:256], value=value[:1024] or "—", inline=False)
    return embed


def _event_line(event: IncidentEvent, lang: Language, zone: tzinfo) -> str:
    when = words.hour(event.at, zone, lang)
    who = _actor(event.actor, lang)
    what = t(lang, f"history.{event.kind}")
    detail = ""
    match event:
        case Reported() | ReportAdded():
            detail = t(lang, "history.report_detail", agency=words.agency(event.report.agency, lang))
        case StatementAttached(statement=s):
            detail = f"{user_text(s.source, 80)} {words.stance(s.stance, lang)}"
        case Confirmed(basis=basis):
            detail = t(lang, f"history.basis.{basis}")
        case Misidentified(agency=agency) if agency is not None:
            detail = words.agency(agency, lang)
        case Merged(source=source, target=target):
            detail = t(lang, "history.merge_detail", source=source, target=target)
        case PlaceChanged(place=place):
            detail = words.place_of(place, lang)
        case ReportTimed(observed=observed):
            detail = words.observed(observed, zone, lang, short=True)
        case Resembles(others=others):
            detail = ", ".join(f"#{o.number}" for o in others)
        case ConfirmVote():
            detail = ""
    reason = f" — {user_text(event.reason, 200)}" if event.reason and not isinstance(event, Misidentified) else ""
    if isinstance(event, Misidentified):
        reason = f" — {user_text(event.reason, 200)}"
    parts = [f"`{when}`", who, what]
    if detail:
        parts.append(f"({detail})")
    return " ".join(parts) + reason


def _actor(actor: str, lang: Language) -> str:
    kind, _, ident = actor.partition(":")
    if kind in ("mod", "verifier") and ident.isdigit():
        return f"<@{ident}>"
    if kind == "reporter":
        return t(lang, "history.reporter", number=ident)
    return t(lang, "history.system")


QUEUE_TEXT_BUDGET = 1800


def queue_text(summaries: list[IncidentSummary], lang: Language, zone: tzinfo) -> str:
    if not summaries:
        return t(lang, "queue.empty")
    lines = [tn(lang, "queue.title", len(summaries))]
    shown = 0
    for s in summaries:
        line = tn(lang, "queue.line", s.reporters, number=s.number, place=user_text(s.place, 60),
                  status=words.status(s.status, lang), priority=t(lang, f"priority.{s.priority}"),
                  when=words.at_hour(s.last_observed, zone, lang))  # fmt: skip
        if sum(len(x) + 1 for x in lines) + len(line) > QUEUE_TEXT_BUDGET:
            break  # a flood must not push the reply past Discord's 2,000 characters
        lines.append(line)
        shown += 1
    if shown < len(summaries):
        lines.append(t(lang, "queue.more", count=len(summaries) - shown))
    return "\n".join(lines)


def deliveries_text(
    number: int, records: list[DeliveryRecord], counts: DeliveryCounts, lang: Language, zone: tzinfo
) -> str:
    """Who was told, and did it arrive: one line per message kind and outcome, then the failures."""
    if not records:
        return t(lang, "deliveries.none", number=number)
    tally: dict[tuple[int, str, str], int] = {}
    for r in records:
        key = (r.seq, r.kind.value, r.state.value)
        tally[key] = tally.get(key, 0) + 1
    lines = [t(lang, "deliveries.title", number=number)]
    for (seq, kind, state), count in sorted(tally.items()):
        lines.append(t(lang, "deliveries.line", seq=seq, kind=t(lang, f"alert.kind.{kind}"),
                       state=t(lang, f"delivery.{state}"), count=count))  # fmt: skip
    failures = [r for r in records if r.error and r.state.value in ("failed", "cancelled")][:10]
    for r in failures:
        target = f"<#{r.recipient.address}>" if r.recipient.kind.value == "channel" else f"<@{r.recipient.address}>"
        lines.append(t(lang, "deliveries.problem", target=target, state=t(lang, f"delivery.{r.state.value}"),
                       error=user_text(r.error, 100), when=words.hour(r.updated_at, zone, lang)))  # fmt: skip
    lines.append(t(lang, "deliveries.queue", queued=counts.queued + counts.sending, failed=counts.failed))
    return "\n".join(lines)
